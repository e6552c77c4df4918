import Evaluation
import Foundation
import Models
import Patches
import Randomness
import TestSupport
import XCTest

@testable import Experiments

/// Inner folds inside each outer fold (`Variant.innerFolds`): what a combined model's nested weights are fitted on.
final class InnerFoldTests: XCTestCase {
    final class Quiet: ExperimentObserver {
        func progress(_ label: String, done: Int, total: Int, detail: String) {}
        func note(_ text: String) {}
    }

    func experiment(_ folder: String, inner: Int = 2, split: FoldSpec.Split = .sites) throws -> Experiment {
        let data = smallData(sites: 36)
        let plan = try FoldPlan.make(data, spec: FoldSpec(folds: 3, split: split, seed: 5))
        var a = Variant(name: "rf", model: .rf, settings: quickForest, seeds: SeedStream(root: 1))
        var b = Variant(
            name: "rf-a", model: .rf, settings: quickForest, channels: .fixed([0]), seeds: SeedStream(root: 2))
        (a.innerFolds, b.innerFolds) = (inner, inner)
        return try Experiment(
            data: data, plan: plan, variants: [a, b], finals: true, store: UnitStore(folder: folder, tag: "t"))
    }

    /// Each outer fold's inner folds deal exactly the samples it trains on, by site, and never one it holds out.
    func testInnerPlans_dealTheOuterTrainingSamplesOnly_bySite() throws {
        for split in [FoldSpec.Split.sites, .samples] {
            let scratch = ScratchFolder()
            let e = try experiment(scratch.path, split: split)
            let plan = e.plan!
            let plans = try XCTUnwrap(e.innerPlans[2])
            XCTAssertEqual(plans.count, 3)
            for (fold, inner) in plans.enumerated() {
                let (training, heldOut) = plan.split(fold)
                XCTAssertEqual(inner.allSamples, training, "\(split) fold \(fold)")
                XCTAssertTrue(heldOut.allSatisfy { inner.foldOfSample[$0] == -1 }, "\(split) fold \(fold)")
                for s in training {
                    XCTAssertEqual(
                        inner.foldOfSample[s], inner.foldOfSite[e.data.samples[s].site], "samples follow their site")
                }
            }
            XCTAssertNotEqual(plans[0].foldOfSite, plans[1].foldOfSite)
        }
    }

    /// The units: per outer fold each variant's own unit then its inner ones; the inner held-out predictions cover
    /// the fold's training samples, and the same seed gives the same bytes in a fresh store.
    func testInnerUnits_predictTheOuterTrainingSamples_reproducibly() throws {
        let scratch = ScratchFolder()
        let e = try experiment(scratch.path)
        XCTAssertEqual(
            Array(e.units.map(\.name).prefix(6)),
            [
                "cv_fold01_rf", "cv_fold01_inner1_rf", "cv_fold01_inner2_rf", "cv_fold01_rf-a", "cv_fold01_inner1_rf-a",
                "cv_fold01_inner2_rf-a"
            ])
        XCTAssertEqual(e.units.count, 3 * 2 * 3 + 2)
        XCTAssertEqual(e.units[1].label, "fold 1 inner 1 rf")
        try e.fit(e.units, observer: Quiet(), owner: "this test")
        let inner = try e.innerHeldOut("rf", fold: 1)
        let (training, heldOut) = e.plan!.split(1)
        XCTAssertTrue(training.allSatisfy { inner[$0].isFinite })
        XCTAssertTrue(heldOut.allSatisfy { inner[$0].isNaN })
        XCTAssertNotEqual(inner, try e.innerHeldOut("rf-a", fold: 1))
        let weights = try e.combinationWeights(members: ["rf", "rf-a"], method: .nnls)
        XCTAssertEqual(weights.folds.count, 3)
        XCTAssertEqual(weights.innerFolds, 2)
        XCTAssertEqual(weights.fits, 4 * 2, "3 folds and the final fit, per depth")
        let other = ScratchFolder()
        let again = try experiment(other.path)
        try again.fit(again.units, observer: Quiet(), owner: "this test")
        XCTAssertEqual(try again.innerHeldOut("rf", fold: 1).map(\.bitPattern), inner.map(\.bitPattern))
        XCTAssertEqual(try again.combinationWeights(members: ["rf", "rf-a"], method: .nnls), weights)
    }

    /// Inner units do not change the outer units' fingerprints: adding a nested combination keeps a member's folds.
    func testOuterFingerprints_doNotDependOnTheInnerFolds() throws {
        let scratch = ScratchFolder()
        let with = try experiment(scratch.path, inner: 2)
        let without = try experiment(scratch.path, inner: 0)
        XCTAssertEqual(without.units.count, 3 * 2 + 2)
        for unit in without.units { XCTAssertEqual(with.fingerprint(unit), without.fingerprint(unit), unit.name) }
        let three = try experiment(scratch.path, inner: 3)
        let u = TrainingUnit(variant: "rf", fold: 0, inner: 0)
        XCTAssertNotEqual(three.fingerprint(u), with.fingerprint(u), "inner units depend on the inner fold count")
    }
}

/// Residual kriging cross-validated from the inner folds (`Experiment.krigedHeldOut`).
final class KrigedHeldOutTests: XCTestCase {
    /// Sites on a 2-D lattice whose values are a smooth field of their location that no channel explains.
    func spatialData() -> PatchDataset {
        let base = smallData(sites: 64, seed: 8)
        let sites = base.sites.indices.map { i in
            PatchSite(
                id: base.sites[i].id, x: Double(i % 8) * 250, y: Double(i / 8) * 250, sourceX: 0, sourceY: 0,
                col: i % 8, row: i / 8)
        }
        let samples = base.samples.map { s in
            let (x, y) = (sites[s.site].x, sites[s.site].y)
            return PatchSample(site: s.site, depth: s.depth, value: Float(4 * sin(x / 600) + 3 * cos(y / 700)) + 10)
        }
        return PatchDataset(
            property: base.property, unit: base.unit, patchSize: base.patchSize, channels: base.channels,
            depths: base.depths, grid: base.grid, sites: sites, patches: base.patches, samples: samples)
    }

    func kriged(_ data: PatchDataset, folder: String) throws -> (Experiment, KrigedHeldOut, [Float]) {
        let plan = try FoldPlan.make(data, spec: FoldSpec(folds: 4, seed: 3))
        var v = Variant(name: "rf", model: .rf, settings: quickForest, seeds: SeedStream(root: 1))
        v.innerFolds = 3
        let e = try Experiment(
            data: data, plan: plan, variants: [v], finals: false, store: UnitStore(folder: folder, tag: "t"))
        try e.fit(e.units, observer: InnerFoldTests.Quiet(), owner: "this test")
        let points = SpatialPoints(x: data.sites.map(\.x), y: data.sites.map(\.y), metric: .euclidean)
        let heldOut = try e.heldOut("rf")
        let k = try e.krigedHeldOut(
            heldOut: heldOut, inner: { try e.innerHeldOut("rf", fold: $0) }, points: points, neighbours: 12)
        return (e, k, heldOut)
    }

    /// The residuals are the field, which kriging recovers: the kriged RMSE is far below the forest's.
    func testKriging_recoversASpatialResidual() throws {
        let data = spatialData()
        let (_, k, heldOut) = try kriged(data, folder: ScratchFolder().path)
        func rmse(_ p: [Float]) -> Double {
            let e = data.samples.indices.map { Double(p[$0]) - Double(data.samples[$0].value) }
            return (e.map { $0 * $0 }.reduce(0, +) / Double(e.count)).squareRoot()
        }
        XCTAssertLessThan(rmse(k.predictions), 0.5 * rmse(heldOut), "\(rmse(k.predictions)) vs \(rmse(heldOut))")
        XCTAssertEqual(k.fits, 4 * 2)
        XCTAssertEqual(k.unfitted, 0)
        XCTAssertTrue(k.variances.allSatisfy { $0.isFinite && $0 >= 0 })
    }

    /// Honest: a held-out sample's own value shapes neither its fold's models nor its kriged residual, so changing
    /// it leaves its kriged prediction as it was.
    func testKrigedPrediction_doesNotDependOnTheSamplesOwnValue() throws {
        let data = spatialData()
        let (e, k, _) = try kriged(data, folder: ScratchFolder().path)
        let s = e.plan!.split(2).heldOut[3]
        var samples = data.samples
        samples[s].value += 25
        let changed = PatchDataset(
            property: data.property, unit: data.unit, patchSize: data.patchSize, channels: data.channels,
            depths: data.depths, grid: data.grid, sites: data.sites, patches: data.patches, samples: samples)
        let (_, again, _) = try kriged(changed, folder: ScratchFolder().path)
        XCTAssertEqual(again.predictions[s], k.predictions[s])
        XCTAssertNotEqual(again.predictions, k.predictions, "other folds do see the change")
    }
}
