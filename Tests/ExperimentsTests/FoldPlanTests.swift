import Evaluation
import Experiments
import XCTest

final class FoldPlanTests: XCTestCase {
    func testSplit_cutsEachFoldOnce_trainingAndHeldOutCoverThePlan() throws {
        let data = smallData()
        let plan = try FoldPlan.make(data, spec: FoldSpec(folds: 3, seed: 5))
        var heldOutAll: [Int] = []
        for fold in 0..<3 {
            let (training, heldOut) = plan.split(fold)
            XCTAssertEqual(Set(training).intersection(heldOut), [])
            XCTAssertEqual(training.count + heldOut.count, data.samples.count)
            XCTAssertTrue(heldOut.allSatisfy { plan.foldOfSample[$0] == fold })
            XCTAssertEqual(training, training.sorted(), "sample order")
            heldOutAll += heldOut
        }
        XCTAssertEqual(heldOutAll.sorted(), Array(data.samples.indices), "every sample held out exactly once")
        // Sites: all depths of a site in one fold.
        for (s, sample) in data.samples.enumerated() {
            XCTAssertEqual(plan.foldOfSample[s], plan.foldOfSite[sample.site])
        }
        XCTAssertEqual(
            plan.design.description.hasPrefix("3-fold cross-validation, folds of randomly grouped sites"), true)
    }

    func testSampleSplit_dealsDepthsOfASiteApart_andKeepsTheSiteFolds() throws {
        let data = smallData(sites: 40)
        let plan = try FoldPlan.make(data, spec: FoldSpec(folds: 4, split: .samples, seed: 5))
        let bySites = try FoldPlan.make(data, spec: FoldSpec(folds: 4, seed: 5))
        XCTAssertEqual(plan.foldOfSite, bySites.foldOfSite)
        XCTAssertTrue(data.samples.indices.contains { plan.foldOfSample[$0] != plan.foldOfSite[data.samples[$0].site] })
        XCTAssertEqual(plan.design.grouping, .samples)
    }

    func testNestedPlan_dealsOnlyTheFoldsTrainingSites() throws {
        let data = smallData()
        let outer = try FoldPlan.make(data, spec: FoldSpec(folds: 3, seed: 5))
        let inner = try outer.nested(in: 1, data: data, spec: FoldSpec(folds: 3, seed: 9))
        for s in data.sites.indices {
            if outer.foldOfSite[s] == 1 {
                XCTAssertEqual(inner.foldOfSite[s], -1)
            } else {
                XCTAssertTrue((0..<3).contains(inner.foldOfSite[s]))
            }
        }
        // Samples outside the nested plan are in neither side of any split, nor in allSamples.
        let outside = Set(data.samples.indices.filter { outer.foldOfSample[$0] == 1 })
        for fold in 0..<3 {
            let (training, heldOut) = inner.split(fold)
            XCTAssertTrue(outside.isDisjoint(with: training) && outside.isDisjoint(with: heldOut))
        }
        XCTAssertTrue(outside.isDisjoint(with: inner.allSamples))
        XCTAssertEqual(inner.allSamples.count + outside.count, data.samples.count)
    }

    func testSpatialBlocks_nameTheirUnit_andTooFewSitesIsAnErrorOfKindFolds() throws {
        let data = smallData()
        let plan = try FoldPlan.make(data, spec: FoldSpec(folds: 3, blockSize: 500, seed: 5), blockUnit: "m")
        XCTAssertEqual(plan.design.groupingText, "spatial blocks of 500 m")
        XCTAssertThrowsError(try FoldPlan.make(smallData(sites: 4), spec: FoldSpec(folds: 5, seed: 1))) { error in
            XCTAssertEqual((error as? ExperimentError)?.kind, .folds)
            XCTAssertTrue("\(error)".contains("too few sites for 5 folds"), "\(error)")
        }
    }

    func testSameSpec_sameFolds_otherSeed_otherFolds() throws {
        let data = smallData()
        let a = try FoldPlan.make(data, spec: FoldSpec(folds: 3, seed: 5))
        XCTAssertEqual(try FoldPlan.make(data, spec: FoldSpec(folds: 3, seed: 5)), a)
        XCTAssertEqual(try FoldPlan.make(data, spec: FoldSpec(folds: 3, seed: 5)).hash, a.hash)
        let b = try FoldPlan.make(data, spec: FoldSpec(folds: 3, seed: 6))
        XCTAssertNotEqual(b.foldOfSite, a.foldOfSite)
        XCTAssertNotEqual(b.hash, a.hash)
    }
}

final class KNNDMFoldPlanTests: XCTestCase {
    /// Prediction cells 1000 units off the line of sites: far from every site.
    private let domain = PredictionDomain(
        points: SpatialPoints(
            x: (0..<50).map { Double($0) * 60 }, y: [Double](repeating: 1000, count: 50), metric: .euclidean),
        unit: "m")

    func testKNNDMSplit_foldsSitesMatchedToThePredictionCells_andNamesW() throws {
        let data = smallData(sites: 40)
        let plan = try FoldPlan.make(data, spec: FoldSpec(folds: 4, split: .knndm, seed: 5), domain: domain)
        XCTAssertEqual(plan.design.grouping, .knndm)
        let knndm = try XCTUnwrap(plan.design.knndm)
        XCTAssertNotNil(knndm.clusters, "sites 100 apart, cells 1000 away: clustered")
        XCTAssertTrue(plan.design.description.contains("kNNDM folds of sites"), plan.design.description)
        XCTAssertTrue(plan.design.description.contains("W = "), plan.design.description)
        for (s, sample) in data.samples.enumerated() {
            XCTAssertEqual(plan.foldOfSample[s], plan.foldOfSite[sample.site], "all depths of a site in one fold")
        }
        XCTAssertEqual(
            try FoldPlan.make(data, spec: FoldSpec(folds: 4, split: .knndm, seed: 5), domain: domain), plan,
            "the same plan from the same seed and cells")
        XCTAssertEqual(FoldSpec(folds: 4, split: .knndm, seed: 5).bySites.split, .knndm)
        // Nested folds inside a kNNDM fold are random groups of sites.
        let inner = try plan.nested(in: 0, data: data, spec: FoldSpec(folds: 3, seed: 9))
        XCTAssertEqual(inner.design.grouping, .sites)
    }

    func testKNNDMSplit_withoutPredictionCells_isAnErrorOfKindFolds() {
        XCTAssertThrowsError(try FoldPlan.make(smallData(), spec: FoldSpec(folds: 3, split: .knndm, seed: 1))) {
            error in
            XCTAssertEqual((error as? ExperimentError)?.kind, .folds)
            XCTAssertTrue("\(error)".contains("evaluate.split: knndm"), "\(error)")
        }
    }
}
