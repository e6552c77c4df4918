import Randomness
import XCTest

@testable import Applicability

final class DissimilarityIndexTests: XCTestCase {
    /// Four training sites in two channels, weights (2, 1), folds (0, 1, 0, 1), worked by hand.
    ///
    /// Sites A(0, 3), B(1, 0), C(2, 1), D(3, 2): both channels have mean 1.5 and sample SD
    /// s = sqrt(5/3), so z = (x − 1.5) · w / s. Every distance carries the same 1/s, which cancels in
    /// DI = d / d̄; in units of 1/s: A(−3, 1.5), B(−1, −1.5), C(1, −0.5), D(3, 0.5).
    /// Pairs: AB √13, AC √20, AD √37, BC √5, BD √20, CD √5;
    /// d̄ = (√13 + 6√5 + √37) / 6 = 3.850787 / s.
    /// Training DIs (nearest site of the other fold): A → B √13 / d̄ = 0.936315; B → C, C → B or D,
    /// D → C: √5 / d̄ = 0.580678 each. Type-7 quartiles of (0.580678 ×3, 0.936315): Q1 = 0.580678,
    /// Q3 = 0.580678 + 0.25 · 0.355637 = 0.669587; fence Q3 + 1.5 · IQR = 0.802951.
    /// CAST's threshold: min(0.802951, max 0.936315) = 0.802951; trimmed max: 0.580678.
    /// Queries: C itself (2, 1) → DI 0; the mean (1.5, 1.5) → z (0, 0), nearest C at √1.25 → 0.290339;
    /// (5, 3) → z (7, 1.5), nearest D at √17 → 1.070718 (outside); (4.5, 2) → z (6, 0.5), nearest D
    /// at 3 → 0.779062 (inside by CAST's rule, outside by the trimmed maximum).
    func testHandComputedCase_matchesCASTDefinition() {
        let train: [Float] = [0, 3, 1, 0, 2, 1, 3, 2]
        let folds = [0, 1, 0, 1]
        let di = DissimilarityIndex(features: train, count: 4, channels: 2, weights: [2, 1], folds: folds)
        let s = (5.0 / 3).squareRoot()
        XCTAssertEqual(di.means, [1.5, 1.5])
        XCTAssertEqual(di.sds[0], s, accuracy: 1e-12)
        XCTAssertEqual(di.meanDistance, 3.850786945126824 / s, accuracy: 1e-5)
        let expectedTraining = [0.9363154406729303, 0.5806781858782233, 0.5806781858782233, 0.5806781858782233]
        for (a, b) in zip(di.trainingDI, expectedTraining) { XCTAssertEqual(a, b, accuracy: 1e-5) }
        XCTAssertEqual(di.threshold, 0.8029514701249151, accuracy: 1e-5)

        let queries: [Float] = [2, 1, 1.5, 1.5, 5, 3, 4.5, 2]
        let values = di.index(queries, count: 4)
        let expected = [0, 0.29033909293911164, 1.0707176700168926, 0.7790615380049795]
        XCTAssertEqual(values[0], 0, "a cell on a training site has DI exactly 0")
        for (a, b) in zip(values, expected) { XCTAssertEqual(a, b, accuracy: 1e-5) }
        XCTAssertEqual(values.map(di.inside), [true, true, false, true])

        let trimmed = DissimilarityIndex(
            features: train, count: 4, channels: 2, weights: [2, 1], folds: folds, rule: .trimmedMax)
        XCTAssertEqual(trimmed.threshold, 0.5806781858782233, accuracy: 1e-5)
        XCTAssertEqual(trimmed.index(queries, count: 4).map(trimmed.inside), [true, true, false, false])
    }

    func testConstantChannel_isLeftOut() {
        // Channel 1 is constant over the sites: it takes no part, whatever a query holds there.
        let train: [Float] = [0, 5, 1, 5, 3, 5, 7, 5]
        let di = DissimilarityIndex(features: train, count: 4, channels: 2, weights: [1, 1], folds: [0, 1, 0, 1])
        XCTAssertEqual(di.constantChannels, [1])
        let a = di.index([2, 5], count: 1)[0]
        let b = di.index([2, 100], count: 1)[0]
        XCTAssertEqual(a, b, accuracy: 1e-9)
    }

    func testEqualWeights_scaleFree() {
        // Weights (3, 3) give the same DI as (1, 1): DI is a ratio of distances.
        var random = SplitMix64(seed: 7)
        let train = (0..<60).map { _ in Float(random.nextUnitDouble()) }
        let folds = (0..<20).map { $0 % 3 }
        let one = DissimilarityIndex(features: train, count: 20, channels: 3, weights: [1, 1, 1], folds: folds)
        let three = DissimilarityIndex(features: train, count: 20, channels: 3, weights: [3, 3, 3], folds: folds)
        let q: [Float] = [0.2, 0.9, 1.5]
        XCTAssertEqual(one.index(q, count: 1)[0], three.index(q, count: 1)[0], accuracy: 1e-5)
        XCTAssertEqual(one.threshold, three.threshold, accuracy: 1e-5)
    }

    /// The sgemm search against the pairwise loop on seeded random data: 1e-5 relative.
    func testSgemmSearch_matchesBruteForce() {
        var random = SplitMix64(seed: 2025)
        let k = 40
        let n = 700
        let m = 1000
        let sites = (0..<(n * k)).map { _ in Float(random.nextUnitDouble() * 4 - 2) }
        var points = (0..<(m * k)).map { _ in Float(random.nextUnitDouble() * 6 - 3) }
        for d in 0..<k { points[5 * k + d] = sites[3 * k + d] }  // a point on a site
        let search = NearestSite(sites: sites, count: n, dimensions: k)
        let fast = search.distances(points, count: m)
        let slow = NearestSite.bruteForce(points, count: m, sites: sites, siteCount: n, dimensions: k)
        for i in 0..<m { XCTAssertEqual(fast[i], slow[i], accuracy: 1e-5 * max(slow[i], 1e-3), "point \(i)") }
        XCTAssertEqual(fast[5], 0)
        // With exclusions (as for the training DIs: other folds only).
        let excluding: (Int, Int) -> Bool = { i, j in (i + j) % 4 == 0 }
        let fastX = search.distances(points, count: m, excluding: excluding)
        let slowX = NearestSite.bruteForce(
            points, count: m, sites: sites, siteCount: n, dimensions: k, excluding: excluding)
        for i in 0..<m { XCTAssertEqual(fastX[i], slowX[i], accuracy: 1e-5 * slowX[i], "point \(i)") }
        // Mean pairwise distance against the loop.
        var sum = 0.0
        for i in 0..<n {
            for j in (i + 1)..<n {
                var s = 0.0
                for d in 0..<k {
                    let e = Double(sites[i * k + d]) - Double(sites[j * k + d])
                    s += e * e
                }
                sum += s.squareRoot()
            }
        }
        let mean = sum / Double(n * (n - 1) / 2)
        XCTAssertEqual(search.meanPairwiseDistance(), mean, accuracy: 1e-5 * mean)
    }

    /// The 16-lane nearest-site minimum against the scalar loop it replaces: the same site (the
    /// first of equal minima) and the same bits, on values with many ties (and -0 against +0),
    /// lengths around the lane count, and a minimum carried in from earlier site blocks.
    func testFirstMinimum_isTheScalarLoopBitForBit() {
        var random = SplitMix64(seed: 7)
        let pool: [Float] = [-1, -0.5, -0.0, 0, 0.25, 1, 2]
        for trial in 0..<4000 {
            let n = trial % 53
            let products = (0..<n).map { _ in pool[Int(random.nextUnitDouble() * Double(pool.count))] }
            let norms = (0..<n).map { _ in pool[Int(random.nextUnitDouble() * Double(pool.count))] * 0.5 }
            let carried: (Int, Float) = trial % 3 == 0 ? (-1, .infinity) : (7, pool[trial % pool.count])
            let first = 100 * (trial % 5)
            var (index, value) = carried
            for j in 0..<n {
                let v = products[j] + norms[j]
                if v < value {
                    index = first + j
                    value = v
                }
            }
            var (fastIndex, fastValue) = carried
            products.withUnsafeBufferPointer { p in
                norms.withUnsafeBufferPointer { r in
                    NearestSite.firstMinimum(p, r, first: first, index: &fastIndex, value: &fastValue)
                }
            }
            XCTAssertEqual(fastIndex, index, "trial \(trial)")
            XCTAssertEqual(fastValue.bitPattern, value.bitPattern, "trial \(trial)")
        }
    }

    func testThresholdRules_onKnownValues() {
        // 1..10 and 40: Q1 = 3.5, Q3 = 8.5, fence 16; CAST: 16; trimmed max: 10.
        let x = (1...10).map(Double.init) + [40]
        XCTAssertEqual(DissimilarityIndex.threshold(x, rule: .cast), 16, accuracy: 1e-12)
        XCTAssertEqual(DissimilarityIndex.threshold(x, rule: .trimmedMax), 10)
        // Without outliers both give the maximum.
        XCTAssertEqual(DissimilarityIndex.threshold([1, 2, 3], rule: .cast), 3)
        XCTAssertEqual(DissimilarityIndex.threshold([1, 2, 3], rule: .trimmedMax), 3)
    }
}
