import Randomness
import XCTest

@testable import Evaluation

final class FoldsTests: XCTestCase {
    private let ids = (0..<23).map { "P\($0)" }

    func testGrouped_foldSizesDifferByAtMostOne() throws {
        let folds = try Folds.grouped(siteIDs: ids, k: 5, seed: 1)
        XCTAssertEqual(folds.count, 23)
        let sizes = (0..<5).map { f in folds.filter { $0 == f }.count }
        XCTAssertEqual(sizes.sorted(by: >), [5, 5, 5, 4, 4])
    }

    func testGrouped_isDeterministicAndIgnoresListingOrder() throws {
        let a = try Folds.grouped(siteIDs: ids, k: 4, seed: 99)
        XCTAssertEqual(try Folds.grouped(siteIDs: ids, k: 4, seed: 99), a)
        let reversed = Array(ids.reversed())
        let b = try Folds.grouped(siteIDs: reversed, k: 4, seed: 99)
        XCTAssertEqual(
            Dictionary(uniqueKeysWithValues: zip(reversed, b)), Dictionary(uniqueKeysWithValues: zip(ids, a)))
        XCTAssertNotEqual(
            try Folds.grouped(siteIDs: ids, k: 4, seed: 100), a, "another seed should deal the sites differently")
    }

    func testGrouped_keepsEveryDepthOfASiteInOneFold() throws {
        let folds = try Folds.grouped(siteIDs: ids, k: 10, seed: 3)
        let foldOf = Dictionary(uniqueKeysWithValues: zip(ids, folds))
        // Samples: every site at six depths, listed depth by depth as a sample table would be.
        let samples = (0..<6).flatMap { d in ids.map { (site: $0, depth: d) } }
        var foldsOfSite: [String: Set<Int>] = [:]
        for s in samples { foldsOfSite[s.site, default: []].insert(foldOf[s.site]!) }
        XCTAssertTrue(foldsOfSite.values.allSatisfy { $0.count == 1 })
        XCTAssertEqual(Set(folds), Set(0..<10), "every fold holds a site")
    }

    func testGrouped_tooFewSitesNamesTheCountsAndTheKey() {
        let e = evaluationError { _ = try Folds.grouped(siteIDs: (0..<7).map { "s\($0)" }, k: 10, seed: 1) }
        XCTAssertEqual(e?.kind, .tooFewSites)
        XCTAssertEqual(e?.message, "too few sites for k folds: 7 sites, k = 10; lower evaluate.folds")
    }

    func testGrouped_rejectsDuplicateSitesAndKBelowTwo() {
        let dup = evaluationError { _ = try Folds.grouped(siteIDs: ["a", "b", "a"], k: 2, seed: 1) }
        XCTAssertEqual(dup?.kind, .duplicateSite)
        XCTAssertTrue(dup?.message.contains("'a'") ?? false)
        let one = evaluationError { _ = try Folds.grouped(siteIDs: ["a", "b"], k: 1, seed: 1) }
        XCTAssertEqual(one?.kind, .invalidInput)
    }

    /// Eight clusters of five sites, each cluster inside one 1000-unit block and far from the others.
    private func clusters() -> (x: [Double], y: [Double], cluster: [Int]) {
        var x: [Double] = []
        var y: [Double] = []
        var cluster: [Int] = []
        for c in 0..<8 {
            let cx = 5_000.0 * Double(c % 4) + 300
            let cy = 7_000.0 * Double(c / 4) + 300
            for s in 0..<5 {
                x.append(cx + Double(s) * 90)
                y.append(cy + Double(s * s) * 20)
                cluster.append(c)
            }
        }
        return (x, y, cluster)
    }

    func testSpatialBlocks_holdsNearbySitesOutTogether() throws {
        let (x, y, cluster) = clusters()
        let folds = try Folds.spatialBlocks(x: x, y: y, blockSize: 1_000, k: 4, seed: 5)
        for c in 0..<8 {
            let foldsOfCluster = Set(folds.indices.filter { cluster[$0] == c }.map { folds[$0] })
            XCTAssertEqual(foldsOfCluster.count, 1, "cluster \(c) is split across folds \(foldsOfCluster)")
        }
        XCTAssertEqual(Set(folds), Set(0..<4))
        XCTAssertEqual(
            try Folds.spatialBlocks(x: x, y: y, blockSize: 1_000, k: 4, seed: 5), folds, "same seed, same folds")
    }

    func testSpatialBlocks_sitesInOneSquareShareAFoldAndFoldsAreBalanced() throws {
        var random = SplitMix64(seed: 8)
        let x = (0..<300).map { _ in Double(random.next(below: 100_000)) }
        let y = (0..<300).map { _ in Double(random.next(below: 60_000)) }
        let folds = try Folds.spatialBlocks(x: x, y: y, blockSize: 10_000, k: 5, seed: 2)
        var foldOfBlock: [String: Int] = [:]
        var blockSizes: [String: Int] = [:]
        for i in x.indices {
            let key = "\(Int(x[i] / 10_000)),\(Int(y[i] / 10_000))"
            if let f = foldOfBlock[key] { XCTAssertEqual(f, folds[i], "block \(key) is split") }
            foldOfBlock[key] = folds[i]
            blockSizes[key, default: 0] += 1
        }
        let sizes = (0..<5).map { f in folds.filter { $0 == f }.count }
        XCTAssertLessThanOrEqual(
            sizes.max()! - sizes.min()!, blockSizes.values.max()!,
            "greedy balancing keeps folds within one block of each other: \(sizes)")
    }

    func testSpatialBlocks_tooFewBlocksNamesBothKeys() {
        let (x, y, _) = clusters()
        let e = evaluationError { _ = try Folds.spatialBlocks(x: x, y: y, blockSize: 1_000, k: 10, seed: 1) }
        XCTAssertEqual(e?.kind, .tooFewBlocks)
        XCTAssertTrue(e?.message.contains("8 blocks") ?? false, e?.message ?? "")
        XCTAssertTrue(e?.message.contains("evaluate.block_size") ?? false)
        XCTAssertTrue(e?.message.contains("evaluate.folds") ?? false)
    }

    func testSpatialBlocks_rejectsBadInput() {
        XCTAssertEqual(
            evaluationError { _ = try Folds.spatialBlocks(x: [0, 1], y: [0], blockSize: 1, k: 2, seed: 1) }?.kind,
            .invalidInput)
        XCTAssertEqual(
            evaluationError { _ = try Folds.spatialBlocks(x: [0, 5], y: [0, 5], blockSize: 0, k: 2, seed: 1) }?.kind,
            .invalidInput)
        let nan = evaluationError { _ = try Folds.spatialBlocks(x: [0, .nan], y: [0, 5], blockSize: 1, k: 2, seed: 1) }
        XCTAssertTrue(nan?.message.contains("site 2") ?? false, nan?.message ?? "")
    }

    func testSpatialBlocks_negativeCoordinatesUseFloorNotTruncation() throws {
        // -0.5 and 0.5 lie in different unit squares ([-1, 0) and [0, 1)), so two blocks, two folds.
        let folds = try Folds.spatialBlocks(x: [-0.5, 0.5], y: [0.2, 0.2], blockSize: 1, k: 2, seed: 1)
        XCTAssertNotEqual(folds[0], folds[1])
    }
}
