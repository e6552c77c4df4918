// The hyper-parameter grid of model.md and the choice by out-of-bag error.
import Forest
import XCTest

final class ForestTuningTests: XCTestCase {
    func testGrid_manyFeatures_isTwentyByTen() {
        let grid = ForestTuning.grid(featureCount: 150)
        XCTAssertEqual(grid.count, 200)
        XCTAssertEqual(Set(grid.map(\.maxFeatures)), Set(stride(from: 5, through: 100, by: 5)))
        XCTAssertEqual(Set(grid.map(\.minSamplesLeaf)), Set(stride(from: 10, through: 100, by: 10)))
        XCTAssertEqual(grid.first?.maxFeatures, 5)
        XCTAssertEqual(grid.first?.minSamplesLeaf, 10)
        XCTAssertEqual(grid.last?.maxFeatures, 100)
        XCTAssertEqual(grid.last?.minSamplesLeaf, 100)
    }

    func testGrid_capsMaxFeaturesAtTheFeatureCount_withoutDuplicates() {
        XCTAssertEqual(Array(Set(ForestTuning.grid(featureCount: 12).map(\.maxFeatures))).sorted(), [5, 10, 12])
        XCTAssertEqual(ForestTuning.grid(featureCount: 12).count, 30)
        XCTAssertEqual(
            Array(Set(ForestTuning.grid(featureCount: 40).map(\.maxFeatures))).sorted(), [5, 10, 15, 20, 25, 30, 35, 40]
        )
        XCTAssertEqual(ForestTuning.grid(featureCount: 3).map(\.maxFeatures), [Int](repeating: 3, count: 10))
        XCTAssertEqual(ForestTuning.grid(featureCount: 10).count, 20)
    }

    func testTune_picksTheCandidateWithTheLowestOutOfBagError() {
        // 12 features, 2 informative: the grid is maxFeatures {5, 10, 12} x minSamplesLeaf {10, ..., 100}.
        let data = Dataset.smooth(n: 400, p: 12, noise: 0.2, seed: 41)
        let result = ForestTuning.tune(
            x: data.x, n: data.n, p: data.p, y: data.y, trees: 10, finalTrees: 33, seed: 5, threads: 2)
        XCTAssertEqual(result.table.count, 30)
        XCTAssertEqual(result.table.map(\.maxFeatures), ForestTuning.grid(featureCount: 12).map(\.maxFeatures))
        let lowest = result.table.min { $0.oobMSE < $1.oobMSE }!
        XCTAssertEqual(result.best.maxFeatures, lowest.maxFeatures)
        XCTAssertEqual(result.best.minSamplesLeaf, lowest.minSamplesLeaf)
        XCTAssertEqual(result.best.trees, 33)
        XCTAssertEqual(result.best.seed, 5)
        // Small leaves win on a smooth noisy-but-learnable function of 400 rows.
        XCTAssertEqual(result.best.minSamplesLeaf, 10)
        // The table's errors are those of forests fitted with the same settings.
        let check = RandomForest.fit(
            x: data.x, n: data.n, p: data.p, y: data.y,
            parameters: ForestParameters(trees: 10, maxFeatures: 10, minSamplesLeaf: 40, seed: 5))
        XCTAssertEqual(result.table.first { $0.maxFeatures == 10 && $0.minSamplesLeaf == 40 }?.oobMSE, check.oobMSE)
    }
}
