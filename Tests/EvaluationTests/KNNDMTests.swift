import Randomness
import XCTest

@testable import Evaluation

/// kNNDM folds (`Folds.knndm`), their statistics and the geodist table.
final class KNNDMTests: XCTestCase {
    /// `clusters` tight clusters of `perCluster` sites (spread 1) at seeded places in a 100 x 100 square.
    private func clusteredSites(clusters: Int, perCluster: Int, seed: UInt64) -> (ids: [String], points: SpatialPoints)
    {
        var random = SplitMix64(seed: seed)
        var x: [Double] = []
        var y: [Double] = []
        for _ in 0..<clusters {
            let (cx, cy) = (5 + 90 * random.nextUnitDouble(), 5 + 90 * random.nextUnitDouble())
            for _ in 0..<perCluster {
                x.append(cx + random.nextUnitDouble() - 0.5)
                y.append(cy + random.nextUnitDouble() - 0.5)
            }
        }
        return ((0..<x.count).map { String(format: "S%03d", $0) }, SpatialPoints(x: x, y: y, metric: .euclidean))
    }

    /// `n` sites spread uniformly over the 100 x 100 square.
    private func uniformPoints(_ n: Int, seed: UInt64) -> SpatialPoints {
        var random = SplitMix64(seed: seed)
        var x: [Double] = []
        var y: [Double] = []
        for _ in 0..<n {
            x.append(100 * random.nextUnitDouble())
            y.append(100 * random.nextUnitDouble())
        }
        return SpatialPoints(x: x, y: y, metric: .euclidean)
    }

    /// A regular 30 x 30 lattice over the square: the prediction points.
    private var lattice: SpatialPoints {
        let side = (0..<30).map { 100 * (Double($0) + 0.5) / 30 }
        return SpatialPoints(
            x: side.flatMap { _ in side }, y: side.flatMap { v in side.map { _ in v } }, metric: .euclidean)
    }

    func testKNNDM_isDeterministicForASeedAndIgnoresListingOrder() throws {
        let (ids, sites) = clusteredSites(clusters: 12, perCluster: 15, seed: 4)
        let a = try Folds.knndm(siteIDs: ids, sites: sites, prediction: lattice, k: 5, seed: 11)
        XCTAssertEqual(try Folds.knndm(siteIDs: ids, sites: sites, prediction: lattice, k: 5, seed: 11), a)
        let reversed = Array(ids.indices.reversed())
        let b = try Folds.knndm(
            siteIDs: reversed.map { ids[$0] }, sites: sites.subset(reversed), prediction: lattice, k: 5, seed: 11)
        XCTAssertEqual(reversed.map { a.folds[$0] }, b.folds, "the same fold per site whatever the order")
        XCTAssertEqual(a.w, b.w)
    }

    func testKNNDM_onClusteredSites_matchesThePredictionDistancesBetterThanRandomFolds() throws {
        let (ids, sites) = clusteredSites(clusters: 12, perCluster: 15, seed: 4)
        let result = try Folds.knndm(siteIDs: ids, sites: sites, prediction: lattice, k: 5, seed: 11)
        XCTAssertFalse(result.isRandom, "clustered sites are far from most prediction points")
        XCTAssertLessThan(result.ksPValue, 0.05)
        let sizes = (0..<5).map { f in result.folds.filter { $0 == f }.count }
        XCTAssertTrue(sizes.allSatisfy { $0 > 0 }, "every fold holds sites: \(sizes)")
        XCTAssertLessThanOrEqual(sizes.max()!, ids.count / 2, "no fold holds more than half: \(sizes)")
        let gij = NearestDistances.between(lattice, sites)
        let random = try Folds.grouped(siteIDs: ids, k: 5, seed: 11)
        let wRandom = KNNDMStatistics.wasserstein(NearestDistances.heldOutToTraining(sites, groupOf: random), gij)
        let wKNNDM = KNNDMStatistics.wasserstein(NearestDistances.heldOutToTraining(sites, groupOf: result.folds), gij)
        XCTAssertEqual(wKNNDM, result.w, accuracy: 1e-9, "the W reported is the W of the folds")
        XCTAssertLessThan(wKNNDM, wRandom / 2, "kNNDM W \(wKNNDM) against random folds' \(wRandom)")
    }

    func testKNNDM_whenSitesAreLikeThePredictionPoints_givesRandomSiteFolds() throws {
        let sites = uniformPoints(300, seed: 8)
        let ids = (0..<300).map { "u\($0)" }
        let result = try Folds.knndm(
            siteIDs: ids, sites: sites, prediction: uniformPoints(1000, seed: 9), k: 5, seed: 3)
        XCTAssertTrue(result.isRandom, "KS p = \(result.ksPValue)")
        XCTAssertEqual(result.folds, try Folds.grouped(siteIDs: ids, k: 5, seed: 3))
    }

    func testKNNDM_withoutPredictionPoints_isAnErrorNamingTheSplit() {
        let (ids, sites) = clusteredSites(clusters: 3, perCluster: 4, seed: 1)
        XCTAssertThrowsError(
            try Folds.knndm(
                siteIDs: ids, sites: sites, prediction: SpatialPoints(x: [], y: [], metric: .euclidean), k: 3, seed: 1)
        ) { error in
            XCTAssertTrue("\(error)".contains("evaluate.split: sites"), "\(error)")
        }
    }

    func testWasserstein_andKS_onHandComputedCases() {
        // F_a = 1/2 on [0, 1), F_b = 1 from 0.5: |F_a - F_b| = 1/2 over [0, 1].
        XCTAssertEqual(KNNDMStatistics.wasserstein([0, 1], [0.5]), 0.5, accuracy: 1e-12)
        XCTAssertEqual(KNNDMStatistics.wasserstein([2, 1, 3], [3, 1, 2]), 0)
        let ks = KNNDMStatistics.ksGreater([1, 2], [3, 4])
        XCTAssertEqual(ks.d, 1)
        XCTAssertEqual(ks.p, exp(-2), accuracy: 1e-12)
        XCTAssertEqual(KNNDMStatistics.ksGreater([3, 4], [1, 2]).d, 0, "a never above b")
    }

    func testWardTree_cutsTwoGroupsApart_andClusterCountsRunFromKToNMinusTwo() {
        let points = SpatialPoints(x: [0, 1, 10, 11, 0.5], y: [0, 0, 0, 0, 0], metric: .euclidean).embedded
        let cuts = WardTree.cuts(WardTree.merges(points), points: 5, counts: [1, 2, 5])
        XCTAssertEqual(cuts.map(\.clusters), [1, 2, 5])
        XCTAssertEqual(cuts[0].labels, [0, 0, 0, 0, 0])
        XCTAssertEqual(cuts[1].labels, [0, 0, 1, 1, 0])
        XCTAssertEqual(cuts[2].labels, [0, 1, 2, 3, 4])
        let counts = Folds.clusterCounts(k: 5, n: 100)
        XCTAssertEqual(counts.first, 5)
        XCTAssertEqual(counts.last, 98)
        XCTAssertEqual(counts, counts.sorted())
        XCTAssertEqual(Set(counts).count, counts.count)
    }

    func testGreatCircle_distanceOfOneDegreeAtTheEquator() {
        let p = SpatialPoints(x: [0, 1], y: [0, 0], metric: .greatCircle)
        XCTAssertEqual(p.distance(0, to: 1, of: p), 2 * .pi * SpatialPoints.earthRadius / 360, accuracy: 1e-3)
        XCTAssertEqual(NearestDistances.withinSet(p)[0], 111_195.08, accuracy: 0.01)
    }

    /// Sites at x = 0, 1, 3; site 0 held out in fold 0, sites 1 and 2 in fold 1; prediction points at -2 and 5.
    func testGeodist_tableOfAHandComputedCase() throws {
        let sites = SpatialPoints(x: [0, 1, 3], y: [0, 0, 0], metric: .euclidean)
        let prediction = SpatialPoints(x: [-2, 5], y: [0, 0], metric: .euclidean)
        let g = Geodist.build(
            sites: sites, prediction: prediction, foldOfSample: [0, 1, 1], siteOfSample: [0, 1, 2], unit: "m")
        XCTAssertEqual(g.sampleToSample, [1, 1, 2])
        XCTAssertEqual(g.crossValidation.sorted(), [1, 1, 3])
        XCTAssertEqual(g.predictionToSample, [2, 2])
        let t = g.table
        let s2s = try XCTUnwrap(t.row(.sampleToSample))
        XCTAssertEqual(s2s.n, 3)
        XCTAssertEqual(try XCTUnwrap(s2s.mean), 4.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(s2s.q50, 1)
        XCTAssertEqual(try XCTUnwrap(s2s.q95), 1.9, accuracy: 1e-12)  // type 7: 1 + 0.9 · (2 - 1)
        XCTAssertEqual(try XCTUnwrap(t.row(.crossValidation)?.q75), 2, accuracy: 1e-12)  // 1 + 0.5 · (3 - 1)
        XCTAssertEqual(try XCTUnwrap(t.wCrossValidation), 1, accuracy: 1e-12)  // 2/3 on [1, 2) + 1/3 on [2, 3)
        XCTAssertEqual(try XCTUnwrap(t.wSampleToSample), 2.0 / 3, accuracy: 1e-12)
        let md = t.markdown()
        XCTAssertTrue(md.contains("| CV (held-out to training) | 3 | 1.667 | 1 | 1 | 1 | 2 | 2.8 |"), md)
        // A site with a sample in each fold (split: samples) trains while held out: distance 0.
        let samples = Geodist.build(
            sites: sites, prediction: prediction, foldOfSample: [0, 1, 1, 1], siteOfSample: [0, 0, 1, 2], unit: "m")
        XCTAssertEqual(samples.crossValidation.sorted(), [0, 0, 1, 3])
        XCTAssertTrue(GeodistPlot.render(g, title: "t").contains("<polyline"))
    }
}
