import Foundation
import XCTest

@testable import Mapping

/// The held-out sites' relative-bias classes mirror each other on the ratio's log scale.
final class RelativeBiasStyleTests: XCTestCase {
    func testClasses_areSymmetricOnTheRatiosLogScale() throws {
        let classes = RelativeBiasStyle.classes
        XCTAssertEqual(classes.count, 7)
        for ratio in [1.01, 1.05, 1.09, 1.2, 1.3, 1.5, 1.9, 2.5, 10] {
            let over = try XCTUnwrap(RelativeBiasStyle.classIndex(ratio - 1))
            let under = try XCTUnwrap(RelativeBiasStyle.classIndex(1 / ratio - 1))
            XCTAssertEqual(over + under, classes.count - 1, "predicted \(ratio) x and 1/\(ratio) x the observation")
        }
        XCTAssertEqual(RelativeBiasStyle.classIndex(0), 3, "no bias: the middle class")
        XCTAssertEqual(RelativeBiasStyle.classIndex(-1), 0, "a prediction of 0: half or less")
        XCTAssertNil(RelativeBiasStyle.classIndex(.nan))
        // Each inner bound and its mirror: r - 1 and 1/r - 1.
        for (low, high) in zip(classes.prefix(3).map(\.upper), classes.suffix(3).map(\.lower).reversed()) {
            XCTAssertEqual(1 / (1 + low), 1 + high, accuracy: 1e-12)
        }
        XCTAssertTrue(RelativeBiasStyle.qml(field: "rbias_transfer").contains("symmetricMode enabled=\"false\""))
    }
}
