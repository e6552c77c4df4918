import Evaluation
import Foundation
import Models
import Patches
import Randomness
import Runtime
import SoilData
import XCTest

@testable import Experiments

/// Permutation importance and partial dependence from an experiment's saved fold and final models.
final class ImportanceTests: XCTestCase {
    final class Silent: ExperimentObserver {
        func progress(_ label: String, done: Int, total: Int, detail: String) {}
        func note(_ text: String) {}
    }

    /// `sites` sites with one-cell patches: continuous channels a, b, c (uniform) and a categorical
    /// covariate "zone" of four one-hot classes, the fourth without a site; two depths. Only a drives the
    /// value: 10 a − d.
    static func onlyA(sites: Int = 60, seed: UInt64 = 5) -> PatchDataset {
        var rng = Xoshiro256(seed: seed)
        var patches: [Float] = []
        var samples: [PatchSample] = []
        for s in 0..<sites {
            let a = rng.nextUnitFloat()
            let b = rng.nextUnitFloat()
            let c = rng.nextUnitFloat()
            let zone = rng.next(below: 3)
            patches += [a, b, c] + (0..<4).map { $0 == zone ? 1 : 0 }
            for d in 0..<2 { samples.append(PatchSample(site: s, depth: d, value: 10 * a - Float(d))) }
        }
        let channels =
            ["a", "b", "c"].map { PatchChannel(name: $0, covariate: $0, classValue: nil, min: 0, max: 2, fill: 0.5) }
            + (1...4).map {
                PatchChannel(name: "zone=\($0)", covariate: "zone", classValue: $0, min: 0, max: 1, fill: 0.3)
            }
        return PatchDataset(
            property: "SOC", unit: "g/kg", patchSize: 1, channels: channels,
            depths: [try! DepthInterval.parse("0-5"), try! DepthInterval.parse("5-15")],
            grid: PatchGrid(crsWKT: "", geotransform: [0, 1, 0, 0, 0, -1], width: sites, height: 1),
            sites: (0..<sites).map {
                PatchSite(
                    id: String(format: "S%02d", $0), x: Double($0) * 100, y: 0, sourceX: 0, sourceY: 0, col: $0, row: 0
                )
            },
            patches: patches, samples: samples)
    }

    /// A fitted experiment of rf on `onlyA`'s data in 3 folds, every fold model kept.
    func fitted(_ folder: String) throws -> Experiment {
        let data = Self.onlyA()
        let plan = try FoldPlan.make(data, spec: FoldSpec(folds: 3, seed: 5))
        var settings = quickForest
        settings.trees = 30
        settings.maxFeatures = [3]
        let experiment = try Experiment(
            data: data, plan: plan,
            variants: [
                Variant(name: "rf", model: .rf, settings: settings, seeds: SeedStream(root: 9), keepsFoldModels: true)
            ], finals: true, store: UnitStore(folder: folder, tag: "t"))
        try experiment.fit(experiment.units, observer: Silent(), owner: "this test")
        return experiment
    }

    func testPermutationImportance_ranksTheOnlyCovariateThatMattersFirst_othersNearZero() throws {
        let scratch = ScratchFolder()
        let experiment = try fitted(scratch.path)
        let rows = try experiment.permutationImportance(
            "rf", repeats: 3, seeds: SeedStream(root: 1).child("importance"))
        XCTAssertEqual(rows.count, 2 * 4, "a row per depth and covariate (a, b, c, zone)")
        let importance = CovariateImportance(
            models: ["rf"], depthLabels: ["0-5cm", "5-15cm"], repeats: 3, seeds: "1/importance", rows: rows)
        for depth in ["0-5cm", "5-15cm"] {
            XCTAssertEqual(importance.ranked(depth: depth).first, "a", depth)
            let a = try XCTUnwrap(importance.row(model: "rf", depth: depth, covariate: "a"))
            XCTAssertEqual(a.n, 60)
            XCTAssertGreaterThan(a.rmseIncrease, 2, "shuffling a destroys the fit (values span 10 g/kg)")
            XCTAssertGreaterThan(a.rmseIncrease, 2 * a.baseRMSE)
            for other in ["b", "c", "zone"] {
                let r = try XCTUnwrap(importance.row(model: "rf", depth: depth, covariate: other))
                XCTAssertLessThan(abs(r.rmseIncrease), 0.1 * a.rmseIncrease, "\(other) at \(depth): \(r)")
            }
        }
    }

    func testIdentityPermutation_givesTheBaseRMSE_whichIsTheEvaluationsHeldOutRMSE() throws {
        let scratch = ScratchFolder()
        let experiment = try fitted(scratch.path)
        let plan = experiment.plan!
        let folds = try (0..<plan.k).map { k in
            ChannelPerturbation.Fold(
                model: try experiment.savedModel(TrainingUnit(variant: "rf", fold: k)), data: experiment.data,
                heldOut: plan.split(k).heldOut)
        }
        let rows = ChannelPerturbation.permutationImportance(
            model: "rf", folds: folds, covariates: ["a", "b", "c", "zone"], depthLabels: ["0-5cm", "5-15cm"],
            repeats: 2, seeds: SeedStream(root: 1)
        ) { n, _ in Array(0..<n) }
        let heldOut = try experiment.heldOut("rf")
        for (d, depth) in ["0-5cm", "5-15cm"].enumerated() {
            let samples = plan.allSamples.filter { experiment.data.samples[$0].depth == d }
            let evaluation = Metrics.compute(
                observed: samples.map { Double(experiment.data.samples[$0].value) },
                predicted: samples.map { Double(heldOut[$0]) })
            for r in rows where r.depth == depth {
                XCTAssertEqual(r.rmseIncrease, 0, "\(r)")
                XCTAssertEqual(r.rmseIncreaseSD, 0, "\(r)")
                XCTAssertEqual(r.baseRMSE, evaluation.rmse, accuracy: 1e-12, "the loaded fold models predict as saved")
            }
        }
    }

    func testSameSeed_sameBytes_evenRefitted_andAnotherSeedOtherPermutations() throws {
        let scratch = ScratchFolder()
        let experiment = try fitted(scratch.path)
        func csv(_ e: Experiment, _ seed: UInt64) throws -> String {
            let rows = try e.permutationImportance("rf", repeats: 2, seeds: SeedStream(root: seed))
            return CovariateImportance(
                models: ["rf"], depthLabels: ["0-5cm", "5-15cm"], repeats: 2, seeds: "", rows: rows
            ).csv()
        }
        let first = try csv(experiment, 3)
        XCTAssertEqual(first, try csv(experiment, 3))
        let again = ScratchFolder()
        XCTAssertEqual(first, try csv(try fitted(again.path), 3), "fitted again from the same seeds: the same bytes")
        XCTAssertNotEqual(first, try csv(experiment, 4))
    }

    func testCategoricalCovariate_itsOneHotChannelsMoveTogether_otherChannelsStay() {
        let data = Self.onlyA(sites: 12)
        let covariates = CovariateChannels.of(data.channels)
        XCTAssertEqual(covariates.map(\.covariate), ["a", "b", "c", "zone"])
        XCTAssertEqual(covariates[3].channels, [3, 4, 5, 6])
        XCTAssertTrue(covariates[3].categorical)
        let samples = Array(data.samples.indices.filter { data.samples[$0].depth == 1 })
        let original = ChannelPerturbation.perSample(data, samples: samples)
        var shuffled = original
        let positions = Array(original.samples.indices)
        let permutation = ChannelPerturbation.seededPermutation(positions.count, SeedStream(root: 2))
        XCTAssertNotEqual(permutation, positions, "a real shuffle")
        ChannelPerturbation.move(
            covariates[3].channels, positions: positions, permutation: permutation, from: original, into: &shuffled)
        let c = data.channels.count
        for i in positions {
            let got = Array(shuffled.patches[i * c..<(i + 1) * c])
            let mine = Array(original.patches[i * c..<(i + 1) * c])
            let donor = Array(original.patches[permutation[i] * c..<(permutation[i] + 1) * c])
            XCTAssertEqual(Array(got[0..<3]), Array(mine[0..<3]), "a, b and c stay with their sample")
            XCTAssertEqual(Array(got[3..<7]), Array(donor[3..<7]), "the class channels come from one donor")
            XCTAssertEqual(got[3..<7].reduce(0, +), 1, "still one class")
        }
    }

    func testPartialDependence_followsTheCovariateThatMatters_inItsUnits_andSetsEachClass() throws {
        let scratch = ScratchFolder()
        let experiment = try fitted(scratch.path)
        let curves = try experiment.partialDependence("rf", ranked: [["a", "zone", "b"], ["zone", "a"]], count: 2)
        XCTAssertEqual(curves.map(\.covariate), ["a", "zone", "zone", "a"])
        XCTAssertEqual(curves.map(\.rank), [1, 2, 1, 2])
        let a = curves[0]
        XCTAssertFalse(a.categorical)
        XCTAssertEqual(a.n, 60)
        XCTAssertGreaterThan(a.values.count, 10)
        XCTAssertEqual(a.values, a.values.sorted())
        XCTAssertLessThanOrEqual(a.values.last!, 2, "a's scaled values lie in 0...1, its units in 0...2")
        XCTAssertGreaterThan(a.values.last!, 1.5)
        XCTAssertGreaterThan(a.predictions.last! - a.predictions.first!, 5, "10 a rises about 8 over the grid")
        let zone = curves[1]
        XCTAssertTrue(zone.categorical)
        XCTAssertEqual(zone.values, [1, 2, 3], "class 4, which no site is in, is not asked about")
        XCTAssertLessThan(zone.range, 0.2 * a.range, "the zone does not matter")
    }

    func testPartialDependenceShift_setsTheCentre_andKeepsThePatchsTexture_classesSetEveryCell() {
        // Two sites with 3 x 3 patches: channel 0 a ramp, channels 1 and 2 the one-hot classes of "zone".
        let ramp: [Float] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
        let patches =
            ramp + [Float](repeating: 1, count: 9) + [Float](repeating: 0, count: 9)
            + ramp.map { $0 + 0.05 } + [Float](repeating: 0, count: 9) + [Float](repeating: 1, count: 9)
        let data = PatchDataset(
            property: "SOC", unit: "g/kg", patchSize: 3,
            channels: [
                PatchChannel(name: "x", covariate: "x", classValue: nil, min: 0, max: 1, fill: 0.5),
                PatchChannel(name: "zone=1", covariate: "zone", classValue: 1, min: 0, max: 1, fill: 0.5),
                PatchChannel(name: "zone=2", covariate: "zone", classValue: 2, min: 0, max: 1, fill: 0.5)
            ],
            depths: [try! DepthInterval.parse("0-5")],
            grid: PatchGrid(crsWKT: "", geotransform: [0, 1, 0, 0, 0, -1], width: 2, height: 1),
            sites: (0..<2).map { PatchSite(id: "S\($0)", x: 0, y: 0, sourceX: 0, sourceY: 0, col: $0, row: 0) },
            patches: patches,
            samples: [PatchSample(site: 0, depth: 0, value: 1), PatchSample(site: 1, depth: 0, value: 2)])
        XCTAssertEqual(ChannelPerturbation.centreValues(0, of: data), [0.5, 0.55])
        var shifted = data
        ChannelPerturbation.shift(0, to: 0.2, from: data, into: &shifted)
        for site in 0..<2 {
            let before = Array(data.patches[site * 27..<site * 27 + 9])
            let after = Array(shifted.patches[site * 27..<site * 27 + 9])
            XCTAssertEqual(after[4], 0.2, accuracy: 1e-6, "the centre takes the grid value")
            for k in 0..<9 { XCTAssertEqual(after[k] - after[4], before[k] - before[4], accuracy: 1e-6) }
            XCTAssertEqual(
                Array(shifted.patches[site * 27 + 9..<site * 27 + 27]),
                Array(data.patches[site * 27 + 9..<site * 27 + 27]),
                "other channels untouched")
        }
        var classed = data
        ChannelPerturbation.setClass(2, of: [1, 2], in: &classed)
        for site in 0..<2 {
            XCTAssertEqual(Array(classed.patches[site * 27 + 9..<site * 27 + 18]), [Float](repeating: 0, count: 9))
            XCTAssertEqual(Array(classed.patches[site * 27 + 18..<site * 27 + 27]), [Float](repeating: 1, count: 9))
        }
    }
}
