import Forest
// The forest learns: known functions, exact steps, constants, and honest out-of-bag error.
import Randomness
import XCTest

final class RandomForestLearningTests: XCTestCase {
    func testFit_learnsSmoothFunction_withHighOutOfBagAndHeldOutR2() {
        let train = Dataset.smooth(n: 1500, seed: 1)
        let test = Dataset.smooth(n: 500, seed: 2)
        let forest = RandomForest.fit(
            x: train.x, n: train.n, p: train.p, y: train.y,
            parameters: ForestParameters(trees: 60, maxFeatures: 3, minSamplesLeaf: 3, seed: 7))
        let heldOut = rSquared(forest.predict(x: test.x, n: test.n), test.y)
        XCTAssertGreaterThan(forest.oobR2 ?? -1, 0.9)
        XCTAssertGreaterThan(heldOut, 0.9)
    }

    func testOutOfBagError_isCloseToHeldOutError() {
        let train = Dataset.smooth(n: 1500, noise: 0.3, seed: 3)
        let test = Dataset.smooth(n: 2000, noise: 0.3, seed: 4)
        let forest = RandomForest.fit(
            x: train.x, n: train.n, p: train.p, y: train.y,
            parameters: ForestParameters(trees: 60, maxFeatures: 2, minSamplesLeaf: 5, seed: 1))
        let heldOut = meanSquaredError(forest.predict(x: test.x, n: test.n), test.y)
        let oob = try! XCTUnwrap(forest.oobMSE)
        XCTAssertEqual(oob / heldOut, 1, accuracy: 0.25, "OOB MSE \(oob) vs held-out MSE \(heldOut)")
        // Every row is out of bag for about e^-1 of 60 trees, so every row has an OOB prediction.
        XCTAssertEqual(forest.oobPredictions.filter { $0 == nil }.count, 0)
    }

    func testFit_stepFunction_isFittedExactlyWithLeavesOfOne() {
        // y is a staircase of x0 with four levels; x1 is noise. Every training row and every
        // point away from the steps must be predicted exactly.
        var rng = SplitMix64(seed: 5)
        let n = 300
        var x: [Float] = []
        var y: [Float] = []
        func step(_ v: Float) -> Float { v < 0.25 ? -1 : v < 0.5 ? 2 : v < 0.75 ? 0.5 : 3 }
        for _ in 0..<n {
            let v = rng.unit()
            x += [v, rng.unit()]
            y.append(step(v))
        }
        // Without bootstrap every tree sees every row: training rows are fitted exactly.
        let exact = RandomForest.fit(
            x: x, n: n, p: 2, y: y,
            parameters: ForestParameters(trees: 5, maxFeatures: 2, minSamplesLeaf: 1, bootstrap: false, seed: 3))
        XCTAssertEqual(exact.predict(x: x, n: n), y)
        XCTAssertTrue(exact.trees.allSatisfy { $0.leafCount == 4 }, "four levels need four leaves")
        // With bootstrap, a tree may place a step anywhere between two rows it drew, so only
        // points away from the steps are exact.
        let bagged = RandomForest.fit(
            x: x, n: n, p: 2, y: y,
            parameters: ForestParameters(trees: 20, maxFeatures: 2, minSamplesLeaf: 1, seed: 3))
        let probes: [Float] = [0.05, 0.2, 0.3, 0.45, 0.55, 0.7, 0.8, 0.95]
        let probeX: [Float] = probes.flatMap { v -> [Float] in [v, 0.5] }
        XCTAssertEqual(bagged.predict(x: probeX, n: probes.count), probes.map(step))
        XCTAssertLessThan(bagged.oobMSE ?? 1, 0.05)
    }

    func testFit_constantTarget_predictsTheConstant() {
        let data = Dataset.smooth(n: 200, seed: 6)
        let y = [Float](repeating: 3.7, count: data.n)
        let forest = RandomForest.fit(
            x: data.x, n: data.n, p: data.p, y: y,
            parameters: ForestParameters(trees: 10, maxFeatures: 3, minSamplesLeaf: 1, seed: 1))
        XCTAssertEqual(Set(forest.predict(x: data.x, n: data.n)), [3.7])
        XCTAssertTrue(forest.trees.allSatisfy { $0.nodes.count == 1 }, "a constant target needs no split")
        XCTAssertEqual(forest.featureImportance, [Double](repeating: 0, count: data.p))
    }

    func testLeaves_holdAtLeastMinSamplesLeafDistinctRows_countedFromTheBootstrap() {
        let data = Dataset.smooth(n: 400, seed: 8)
        let minLeaf = 7
        let forest = RandomForest.fit(
            x: data.x, n: data.n, p: data.p, y: data.y,
            parameters: ForestParameters(trees: 8, maxFeatures: 2, minSamplesLeaf: minLeaf, seed: 2))
        for (t, tree) in forest.trees.enumerated() {
            // Route the tree's in-bag rows ourselves and count distinct rows and draws per leaf.
            let counts = forest.bootstrapCounts(forTree: t)
            var rowsPerLeaf = [Int: Int]()
            var drawsPerLeaf = [Int: Int]()
            for i in 0..<data.n where counts[i] > 0 {
                let leaf = tree.leafIndex(row: data.row(i))
                rowsPerLeaf[leaf, default: 0] += 1
                drawsPerLeaf[leaf, default: 0] += Int(counts[i])
            }
            XCTAssertEqual(counts.reduce(0, +), Int32(data.n), "a bootstrap sample has n draws")
            XCTAssertGreaterThan(tree.leafCount, 4)
            for (i, node) in tree.nodes.enumerated() where node.isLeaf {
                XCTAssertGreaterThanOrEqual(rowsPerLeaf[i, default: 0], minLeaf, "tree \(t) leaf \(i)")
                XCTAssertEqual(Int(tree.sampleCounts[i]), rowsPerLeaf[i, default: 0], "tree \(t) leaf \(i)")
                XCTAssertEqual(Int(tree.drawCounts[i]), drawsPerLeaf[i, default: 0], "tree \(t) leaf \(i)")
            }
        }
    }

    func testMaxDepth_limitsEveryTree() {
        let data = Dataset.smooth(n: 300, seed: 9)
        let forest = RandomForest.fit(
            x: data.x, n: data.n, p: data.p, y: data.y,
            parameters: ForestParameters(trees: 5, maxFeatures: 5, minSamplesLeaf: 1, maxDepth: 3, seed: 1))
        XCTAssertEqual(forest.trees.map(\.depth), [3, 3, 3, 3, 3])
    }

    func testWithoutBootstrap_everyRowTrainsEveryTree_andThereIsNoOutOfBagError() {
        let data = Dataset.smooth(n: 200, seed: 10)
        let forest = RandomForest.fit(
            x: data.x, n: data.n, p: data.p, y: data.y,
            parameters: ForestParameters(trees: 3, maxFeatures: 5, minSamplesLeaf: 4, bootstrap: false, seed: 1))
        XCTAssertNil(forest.oobMSE)
        XCTAssertNil(forest.oobR2)
        XCTAssertTrue(forest.oobPredictions.allSatisfy { $0 == nil })
        XCTAssertEqual(forest.trees.map { $0.sampleCounts[0] }, [200, 200, 200])
        // With every feature tried at every split and no bootstrap, the trees are identical.
        XCTAssertEqual(forest.trees[0], forest.trees[1])
    }

    func testSingleTree_matchesAnExhaustiveSearchForTheRootSplit() {
        // The root split of a tree without bootstrap, with every feature tried, must be the split
        // with the lowest weighted squared error among all thresholds at midpoints, found here by brute force.
        let data = Dataset.smooth(n: 120, p: 3, noise: 0.5, seed: 11)
        let minLeaf = 5
        let forest = RandomForest.fit(
            x: data.x, n: data.n, p: data.p, y: data.y,
            parameters: ForestParameters(trees: 1, maxFeatures: 3, minSamplesLeaf: minLeaf, bootstrap: false, seed: 1))
        var best = (sse: Double.infinity, feature: -1, threshold: Float(0))
        for f in 0..<data.p {
            let values = Array(Set((0..<data.n).map { data.x[$0 * data.p + f] })).sorted()
            for k in 0..<(values.count - 1) {
                let threshold = (values[k] + values[k + 1]) / 2
                let left = (0..<data.n).filter { data.x[$0 * data.p + f] <= threshold }.map { Double(data.y[$0]) }
                let right = (0..<data.n).filter { data.x[$0 * data.p + f] > threshold }.map { Double(data.y[$0]) }
                guard left.count >= minLeaf, right.count >= minLeaf else { continue }
                func sse(_ v: [Double]) -> Double {
                    let m = v.reduce(0, +) / Double(v.count)
                    return v.reduce(0) { $0 + ($1 - m) * ($1 - m) }
                }
                let total = sse(left) + sse(right)
                if total < best.sse - 1e-9 { best = (total, f, threshold) }
            }
        }
        let root = forest.trees[0].nodes[0]
        XCTAssertEqual(Int(root.feature), best.feature)
        XCTAssertEqual(root.threshold, best.threshold, accuracy: 1e-6)
    }

    func testFeatureImportance_favoursTheFeaturesTheTargetDependsOn() {
        let data = Dataset.smooth(n: 800, p: 6, seed: 12)
        let forest = RandomForest.fit(
            x: data.x, n: data.n, p: data.p, y: data.y,
            parameters: ForestParameters(trees: 30, maxFeatures: 3, minSamplesLeaf: 5, seed: 1))
        let importance = forest.featureImportance
        XCTAssertEqual(importance.reduce(0, +), 1, accuracy: 1e-9)
        XCTAssertGreaterThan(importance[1], importance[0])
        for f in 2..<6 { XCTAssertLessThan(importance[f], importance[0], "irrelevant feature \(f)") }
    }

    func testMaxFeaturesAboveFeatureCount_isCappedNotRejected() {
        let data = Dataset.smooth(n: 200, p: 3, seed: 13)
        let capped = RandomForest.fit(
            x: data.x, n: data.n, p: data.p, y: data.y,
            parameters: ForestParameters(trees: 4, maxFeatures: 50, minSamplesLeaf: 5, seed: 1))
        let exact = RandomForest.fit(
            x: data.x, n: data.n, p: data.p, y: data.y,
            parameters: ForestParameters(trees: 4, maxFeatures: 3, minSamplesLeaf: 5, seed: 1))
        XCTAssertEqual(capped.trees, exact.trees)
    }

    func testPredict_handlesRowsBeyondTheTrainingRangeAndDuplicates() {
        // A single feature with repeated values: thresholds fall between distinct values only.
        let x: [Float] = [1, 1, 1, 2, 2, 2, 3, 3, 3, 3]
        let y: [Float] = [0, 0, 0, 5, 5, 5, 9, 9, 9, 9]
        let forest = RandomForest.fit(
            x: x, n: 10, p: 1, y: y,
            parameters: ForestParameters(trees: 1, maxFeatures: 1, minSamplesLeaf: 1, bootstrap: false, seed: 1))
        XCTAssertEqual(forest.trees[0].nodes.filter { !$0.isLeaf }.map(\.threshold).sorted(), [1.5, 2.5])
        XCTAssertEqual(forest.predict(x: [-100, 1.5, 1.6, 2.5, 2.6, .infinity], n: 6), [0, 0, 5, 5, 9, 9])
    }

    func testThreshold_betweenAdjacentFloats_keepsLowerValueLeft() {
        // The midpoint of two adjacent floats rounds (to even) up to b when a's last mantissa bit is odd.
        let a = Float(1).nextUp
        let b = a.nextUp
        XCTAssertEqual(Float((Double(a) + Double(b)) / 2), b, "the fixture must exercise the round-up case")
        let forest = RandomForest.fit(
            x: [a, a, b, b], n: 4, p: 1, y: [0, 0, 1, 1],
            parameters: ForestParameters(trees: 1, maxFeatures: 1, minSamplesLeaf: 1, bootstrap: false, seed: 1))
        XCTAssertEqual(forest.trees[0].nodes[0].threshold, a)
        XCTAssertEqual(forest.predict(x: [a, b], n: 2), [0, 1])
    }
}
