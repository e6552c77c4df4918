import Randomness
import XCTest

final class SeedStreamTests: XCTestCase {
    func testStreams_areFixedByRootAndPath_andDistinct() {
        let root = SeedStream(root: 2025)
        XCTAssertEqual(
            root.child("train").child("fold").child(3).seed,
            SeedStream(root: 2025).child("train").child("fold").child(3).seed)
        XCTAssertEqual(root.child("train").child("fold").child(3).description, "2025/train/fold/3")
        var seen = Set<UInt64>()
        for name in ["train", "select", "folds"] {
            for sub in ["fold", "final", "ranking"] {
                for k in 0..<50 { seen.insert(root.child(name).child(sub).child(k).seed) }
                seen.insert(root.child(name).child(sub).seed)
            }
        }
        XCTAssertEqual(seen.count, 3 * 3 * 51, "no two streams share a seed")
        XCTAssertNotEqual(SeedStream(root: 2026).child("train").seed, root.child("train").seed)
        // A child's seed is not its parent's, and names and numbers do not collide.
        XCTAssertNotEqual(root.child("1").seed, root.child(1).seed)
        XCTAssertNotEqual(root.child("train").seed, root.seed)
    }
}
