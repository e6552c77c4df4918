// Seeds fix forests: same seed, same bytes, whatever the thread count; another seed, another forest.
import Compute
import Runtime
import XCTest

@testable import Forest

final class DeterminismTests: XCTestCase {
    private let data = Dataset.smooth(n: 500, p: 6, seed: 21)

    private func fit(seed: UInt64, threads: Int) -> RandomForest {
        RandomForest.fit(
            x: data.x, n: data.n, p: data.p, y: data.y,
            parameters: ForestParameters(trees: 24, maxFeatures: 2, minSamplesLeaf: 3, seed: seed), threads: threads)
    }

    func testSameSeed_givesIdenticalForestPredictionsAndBytes() {
        let a = fit(seed: 42, threads: 2)
        let b = fit(seed: 42, threads: 2)
        XCTAssertEqual(a, b)
        XCTAssertEqual(a.predict(x: data.x, n: data.n), b.predict(x: data.x, n: data.n))
        XCTAssertEqual(a.serializedBytes(), b.serializedBytes())
    }

    func testThreadCount_doesNotChangeTheForestOrItsPredictions() {
        let one = fit(seed: 42, threads: 1)
        let two = fit(seed: 42, threads: 2)
        let five = fit(seed: 42, threads: 5)
        XCTAssertEqual(one.serializedBytes(), two.serializedBytes())
        XCTAssertEqual(one.serializedBytes(), five.serializedBytes())
        XCTAssertEqual(one.predict(x: data.x, n: data.n, threads: 1), two.predict(x: data.x, n: data.n, threads: 3))
    }

    func testForestsFittedInsideAParallelRegion_areTheForestOfOneThread() {
        // Inside a region Compute's pool is busy, so each fit's workers run on its calling thread.
        let one = fit(seed: 42, threads: 1).serializedBytes()
        var inside = [[UInt8]](repeating: [], count: 2)
        inside.withUnsafeMutableBufferPointer { slots in
            let slot = slots.baseAddress!
            Parallel.forEach(2) { i in slot[i] = self.fit(seed: 42, threads: 3).serializedBytes() }
        }
        XCTAssertEqual(inside, [one, one])
    }

    func testDifferentSeeds_giveDifferentForests() {
        let a = fit(seed: 1, threads: 2)
        let b = fit(seed: 2, threads: 2)
        XCTAssertNotEqual(a.trees, b.trees)
        XCTAssertNotEqual(a.predict(x: data.x, n: data.n), b.predict(x: data.x, n: data.n))
        XCTAssertNotEqual(a.bootstrapCounts(forTree: 0), b.bootstrapCounts(forTree: 0))
    }

    func testTreesOfOneForest_differFromEachOther() {
        let forest = fit(seed: 3, threads: 2)
        XCTAssertEqual(Set(forest.trees.map { $0.nodes.count }).count > 1 || forest.trees[0] != forest.trees[1], true)
        XCTAssertNotEqual(forest.bootstrapCounts(forTree: 0), forest.bootstrapCounts(forTree: 1))
    }

    func testProgress_reportsEveryTreeInOrder() {
        final class Log: @unchecked Sendable {
            let lock = NSLock()
            var calls: [[Int]] = []
        }
        let log = Log()
        _ = RandomForest.fit(
            x: data.x, n: data.n, p: data.p, y: data.y,
            parameters: ForestParameters(trees: 9, maxFeatures: 2, seed: 1), threads: 2
        ) { done, total in
            log.lock.lock()
            log.calls.append([done, total])
            log.lock.unlock()
        }
        XCTAssertEqual(log.calls, (1...9).map { [$0, 9] })
    }

    func testPredict_matchesTheMeanOfTheTreesSlowPath() {
        let forest = fit(seed: 4, threads: 2)
        let fast = forest.predict(x: Array(data.x.prefix(50 * data.p)), n: 50)
        for i in 0..<50 {
            let row = data.row(i)
            let mean = forest.trees.reduce(0.0) { $0 + Double($1.predict(row: row)) } / Double(forest.trees.count)
            XCTAssertEqual(fast[i], Float(mean), "row \(i)")
            XCTAssertEqual(forest.predict(row: row), fast[i])
        }
    }
}

/// Without an explicit thread count, the forest runs on the runtime configuration's.
final class RuntimeThreadsTests: XCTestCase {
    private let data = Dataset.smooth(n: 300, p: 5, seed: 8)

    func testDefaultThreadCount_isTheRuntimeConfigurations() {
        XCTAssertEqual(threadCount(nil), RuntimeConfiguration.current.threads)
        XCTAssertEqual(threadCount(3), 3)
    }

    func testDefaultThreadCount_givesTheForestOfOneAndTwoThreads() {
        let parameters = ForestParameters(trees: 12, maxFeatures: 2, minSamplesLeaf: 3, seed: 9)
        func fit(_ threads: Int?) -> RandomForest {
            RandomForest.fit(x: data.x, n: data.n, p: data.p, y: data.y, parameters: parameters, threads: threads)
        }
        let configured = fit(nil)
        let one = fit(1)
        let two = fit(2)
        XCTAssertEqual(configured.serializedBytes(), one.serializedBytes())
        XCTAssertEqual(configured.serializedBytes(), two.serializedBytes())
        XCTAssertEqual(configured.predict(x: data.x, n: data.n), one.predict(x: data.x, n: data.n, threads: 1))
        let tuned = ForestTuning.tune(x: data.x, n: data.n, p: data.p, y: data.y, trees: 4, finalTrees: 4, seed: 2)
        let tunedOnOne = ForestTuning.tune(
            x: data.x, n: data.n, p: data.p, y: data.y, trees: 4, finalTrees: 4, seed: 2, threads: 1)
        XCTAssertEqual(tuned.best, tunedOnOne.best)
        XCTAssertEqual(tuned.table, tunedOnOne.table)
    }
}
