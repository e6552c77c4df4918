import Experiments
import Foundation
import Models
import NeuralNet
import Patches
import Randomness
import SoilData
import XCTest

@testable import Configuration
@testable import Pipeline
@testable import Selection

/// The covariate selection (`select`): filters, one-hot units, ranked subsets scored by CV, and the
/// honest per-fold variant that never reads the held-out sites.
final class SelectionStageTests: XCTestCase {
    /// 60 sites, patches of one cell; covariates: `good` (the target's driver), `dup` (good plus a
    /// little noise: correlated with good above 0.8, a little less with the target), `weak`,
    /// `flat` (constant) and `cls` (categorical, two one-hot channels).
    static func data(sites n: Int = 60, shift heldOut: Set<Int> = []) -> PatchDataset {
        var rng = SeededGenerator(seed: 9)
        let names: [(String, String, Int?)] = [
            ("good", "good", nil), ("dup", "dup", nil), ("weak", "weak", nil),
            ("flat", "flat", nil), ("cls=1", "cls", 1), ("cls=2", "cls", 2)
        ]
        let channels = names.map {
            PatchChannel(name: $0.0, covariate: $0.1, classValue: $0.2, min: 0, max: 1, fill: 0.5)
        }
        var patches: [Float] = []
        var samples: [PatchSample] = []
        var sites: [PatchSite] = []
        for i in 0..<n {
            let good = Float.random(in: 0...1, using: &rng)
            let dup = good + Float.random(in: -0.08...0.08, using: &rng)
            let weak = Float.random(in: 0...1, using: &rng)
            let cls: Float = i % 2 == 0 ? 1 : 0
            // Held-out sites may be rewritten entirely: a selection that reads them changes.
            let scramble: Float = heldOut.contains(i) ? 5 : 0
            patches += [good + scramble, dup - scramble, weak * (1 + scramble), 0.3, cls, 1 - cls]
            sites.append(
                PatchSite(id: String(format: "S%02d", i), x: Double(i), y: 0, sourceX: 0, sourceY: 0, col: i, row: 0))
            let noise = Float.random(in: -0.2...0.2, using: &rng)
            for d in 0..<2 {
                let value = 10 * good + 1.5 * weak + 2 * cls + noise - Float(d) + (heldOut.contains(i) ? 50 * weak : 0)
                samples.append(PatchSample(site: i, depth: d, value: value))
            }
        }
        return PatchDataset(
            property: "SOC", unit: "g/kg", patchSize: 1, channels: channels,
            depths: [try! DepthInterval.parse("0-5"), try! DepthInterval.parse("5-15")],
            grid: PatchGrid(crsWKT: "", geotransform: [0, 1, 0, 0, 0, -1], width: n, height: 1),
            sites: sites, patches: patches, samples: samples)
    }

    static var settings: ModelSettings {
        var s = ModelSettings()
        s.trees = 20
        s.tuningTrees = 10
        s.maxFeatures = [1, 2]
        s.minSamplesLeaf = [2]
        return s
    }

    func select(_ data: PatchDataset, folds: [Int], group: Int = 1) throws -> CovariateSelection {
        var config = SelectConfig()
        config.model = .rf
        config.groupSize = group
        let store = UnitStore(folder: NSTemporaryDirectory() + "selection-units-\(UUID().uuidString)", tag: "test")
        defer { store.removeAll() }
        let plan = FoldPlan(
            k: 3, foldOfSite: folds, foldOfSample: data.samples.map { folds[$0.site] },
            design: .sites(folds: 3, seed: 4))
        let context = SelectionStage.Context(
            data: data, select: config, settings: Self.settings, store: store, observer: SilentObserver())
        return try SelectionStage.select(context, plan: plan, seeds: SeedStream(root: 4), name: "all", label: "")
    }

    func testFilters_dropTheConstantAndTheLessCorrelatedTwin_keepOneHotTogether() throws {
        let data = Self.data()
        let s = try select(data, folds: data.sites.indices.map { $0 % 3 })
        let byName = Dictionary(uniqueKeysWithValues: s.covariates.map { ($0.name, $0) })
        XCTAssertEqual(byName["flat"]?.dropped, .lowCorrelation)
        guard case .pair(let with, let r)? = byName["dup"]?.dropped else { return XCTFail("dup kept: \(s.covariates)") }
        XCTAssertEqual(with, "good")
        XCTAssertGreaterThan(r, 0.8)
        XCTAssertGreaterThan(byName["good"]!.correlation, byName["dup"]!.correlation)
        XCTAssertEqual(byName["cls"]?.channels, [4, 5], "a categorical covariate is one unit with its one-hot channels")
        XCTAssertEqual(byName["good"]?.rank, 1)
        // Groups of 1 over the three ranked covariates: subsets of 1, 2 and 3, the best one kept.
        XCTAssertEqual(s.subsets.map(\.size), [1, 2, 3])
        XCTAssertTrue(s.subsets.allSatisfy { $0.rmse.count == 2 && $0.pooledRMSE.isFinite && $0.n == 120 })
        XCTAssertEqual(s.subsets[s.best].pooledRMSE, s.subsets.map(\.pooledRMSE).min())
        XCTAssertEqual(s.selected.count, s.subsets[s.best].size)
        XCTAssertEqual(s.channels, s.selected.flatMap { byName[$0]!.channels }.sorted())
        if s.selected.contains("cls") { XCTAssertTrue(s.channels.contains(4) && s.channels.contains(5)) }
        // Groups of 2: subsets of 2 and all 3.
        XCTAssertEqual(try select(data, folds: data.sites.indices.map { $0 % 3 }, group: 2).subsets.map(\.size), [2, 3])
    }

    /// Per-fold selection runs on a fold's training sites (the held-out ones marked -1): rewriting the
    /// held-out sites' covariates and values changes nothing, while the same rewrite of sites it
    /// reads does.
    func testPerFoldSelection_neverReadsHeldOutSites() throws {
        let heldOut = Set(stride(from: 0, to: 60, by: 4))
        let folds = (0..<60).map { heldOut.contains($0) ? -1 : $0 % 3 }
        let clean = try select(Self.data(), folds: folds)
        let scrambled = try select(Self.data(shift: heldOut), folds: folds)
        XCTAssertEqual(clean.covariates, scrambled.covariates)
        XCTAssertEqual(clean.subsets, scrambled.subsets)
        XCTAssertEqual(clean.sites, 45)
        let readAll = try select(Self.data(shift: heldOut), folds: (0..<60).map { $0 % 3 })
        XCTAssertNotEqual(
            readAll.covariates.map(\.correlation), clean.covariates.map(\.correlation),
            "the control: the rewrite is visible")
    }
}
