import XCTest

@testable import Models

final class ForestProgressTests: XCTestCase {
    /// The final forest of each depth reports every tree, in order, then its out-of-bag score; the
    /// bar of a depth ends at trees / trees.
    func testFinalForest_reportsEachTree() throws {
        let data = syntheticData(sites: 40)
        var s = ModelSettings()
        s.trees = 12
        s.tuningTrees = 4
        s.maxFeatures = [2]
        s.minSamplesLeaf = [2]
        var events: [TrainingEvent] = []
        _ = ForestTrainer.fit(TrainingData(data: data, samples: Array(data.samples.indices)), settings: s, seed: 3) {
            events.append($0)
        }
        for label in data.depths.map(\.label) {
            let mine = events.filter { $0.stage == "rf \(label)" }
            XCTAssertEqual(mine.map(\.epoch), Array(1...12) + [12], label)
            XCTAssertTrue(mine.allSatisfy { $0.epochs == 12 }, label)
            XCTAssertTrue(mine.last?.detail?.contains("OOB MSE") ?? false, label)
        }
    }
}
