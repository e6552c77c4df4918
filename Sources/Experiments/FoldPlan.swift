import Evaluation
import Foundation
import Patches
import Randomness

/// How held-out data is dealt, before the data is known: k, the grouping and the seed.
public struct FoldSpec: Sendable, Hashable {
    /// What a fold holds out.
    public enum Split: String, Sendable, Hashable, CaseIterable {
        /// Whole sites (all depths of a site in one fold), grouped at random or by spatial blocks.
        case sites
        /// Single samples (site and depth) dealt at random: the paper's split, which flatters the scores.
        case samples
        /// Whole sites in kNNDM folds (`Folds.knndm`): held-out-to-training distances matched to the
        /// prediction cells' distances to the sites (needs the prediction domain).
        case knndm
    }

    /// The number of folds.
    public var folds: Int
    /// What a fold holds out.
    public var split: Split
    /// The side of a spatial block in the grid's CRS units (nil: random groups of sites).
    public var blockSize: Double?
    /// The seed the folds are dealt with.
    public var seed: UInt64

    /// A spec; `blockSize` only with `split: .sites`.
    public init(folds: Int, split: Split = .sites, blockSize: Double? = nil, seed: UInt64) {
        self.folds = folds
        self.split = split
        self.blockSize = blockSize
        self.seed = seed
    }

    /// The same spec holding out whole sites (the area of applicability and covariate selection
    /// always group by site): `samples` becomes `sites`; `sites` and `knndm` already hold out sites.
    public var bySites: FoldSpec {
        FoldSpec(folds: folds, split: split == .samples ? .sites : split, blockSize: blockSize, seed: seed)
    }
}

/// The folds of a data set: the fold of each site and of each sample (-1: outside the plan, never
/// read), and the one rule that cuts a fold into training and held-out samples.
public struct FoldPlan: Sendable, Equatable {
    /// The number of folds.
    public let k: Int
    /// The fold of each site of the data set (-1: not in the plan).
    public let foldOfSite: [Int]
    /// The fold of each sample of the data set (-1: not in the plan).
    public let foldOfSample: [Int]
    /// How the plan was made, for reports.
    public let design: FoldDesign

    /// A plan from its parts (tests; `make` for data).
    public init(k: Int, foldOfSite: [Int], foldOfSample: [Int], design: FoldDesign) {
        self.k = k
        self.foldOfSite = foldOfSite
        self.foldOfSample = foldOfSample
        self.design = design
    }

    /// The plan of `spec` for `data`: sites dealt in random groups (`Folds.grouped`) or spatial blocks
    /// (`Folds.spatialBlocks`, coordinates in the grid's CRS, whose unit `blockUnit` names), samples
    /// following their site; with `split: .knndm`, sites in kNNDM folds matched to `domain`'s prediction
    /// points (`Folds.knndm`); or, with `split: .samples`, each sample dealt on its own (`Folds.samples`,
    /// keyed by site id and depth) while `foldOfSite` keeps the site folds the other split would give.
    /// Deterministic for the spec's seed (and the domain, itself sampled with the seed), so `socmap
    /// predict` finds the folds of the run.
    public static func make(
        _ data: PatchDataset, spec: FoldSpec, blockUnit: String = "CRS units", domain: PredictionDomain? = nil
    ) throws -> FoldPlan {
        try check(data, folds: spec.folds)
        let sites: [Int]
        var knndm: KNNDMFolds?
        do {
            if spec.split == .knndm {
                guard let domain else {
                    throw ExperimentError(
                        .folds, message: "evaluate.split: knndm needs the prediction cells of the covariate grid")
                }
                let result = try Folds.knndm(
                    siteIDs: data.sites.map(\.id), sites: domain.sites(x: data.sites.map(\.x), y: data.sites.map(\.y)),
                    prediction: domain.points, k: spec.folds, seed: spec.seed)
                sites = result.folds
                knndm = result
            } else if let block = spec.blockSize {
                sites = try Folds.spatialBlocks(
                    x: data.sites.map(\.x), y: data.sites.map(\.y), blockSize: block,
                    k: spec.folds, seed: spec.seed)
            } else {
                sites = try Folds.grouped(siteIDs: data.sites.map(\.id), k: spec.folds, seed: spec.seed)
            }
        } catch let e as ExperimentError {
            throw e
        } catch {
            throw ExperimentError(.folds, message: "\(error)")
        }
        var samples = data.samples.map { sites[$0.site] }
        if spec.split == .samples {
            do {
                samples = try Folds.samples(
                    keys: data.samples.map { "\(data.sites[$0.site].id)\u{1F}\(data.depths[$0.depth].label)" },
                    k: spec.folds, seed: spec.seed)
            } catch {
                throw ExperimentError(.folds, message: "\(error)")
            }
        }
        let design: FoldDesign
        if spec.split == .samples {
            design = .samples(folds: spec.folds, seed: spec.seed)
        } else if let knndm, let domain {
            design = .knndm(
                folds: spec.folds, seed: spec.seed,
                result: .init(w: knndm.w, unit: domain.unit, clusters: knndm.clusters, ksPValue: knndm.ksPValue))
        } else if let block = spec.blockSize {
            design = .spatialBlocks(folds: spec.folds, size: block, unit: blockUnit, seed: spec.seed)
        } else {
            design = .sites(folds: spec.folds, seed: spec.seed)
        }
        return FoldPlan(k: spec.folds, foldOfSite: sites, foldOfSample: samples, design: design)
    }

    /// A plan nested in fold `fold` of this one: `spec`'s folds dealt over the sites this plan trains
    /// on in that fold (random groups or spatial blocks, by site), each of their samples that fold trains
    /// on following its site; every other site and sample is outside it (-1). Covariate selection inside a
    /// fold scores its subsets on such a plan, a combined model's weights are fitted on one. Inside a
    /// kNNDM fold the nested folds are random groups of sites (kNNDM matches the map, not a fold); inside
    /// a fold of single samples, over the sites with a sample the fold trains on.
    public func nested(in fold: Int, data: PatchDataset, spec: FoldSpec) throws -> FoldPlan {
        let trains = { (f: Int) in f >= 0 && f != fold }
        var hasTraining = [Bool](repeating: false, count: data.sites.count)
        for (s, sample) in data.samples.enumerated() where trains(foldOfSample[s]) { hasTraining[sample.site] = true }
        let training = data.sites.indices.filter {
            design.grouping == .samples ? hasTraining[$0] : trains(foldOfSite[$0])
        }
        let dealt: [Int]
        do {
            if let block = spec.blockSize {
                dealt = try Folds.spatialBlocks(
                    x: training.map { data.sites[$0].x }, y: training.map { data.sites[$0].y },
                    blockSize: block, k: spec.folds, seed: spec.seed)
            } else {
                dealt = try Folds.grouped(siteIDs: training.map { data.sites[$0].id }, k: spec.folds, seed: spec.seed)
            }
        } catch {
            throw ExperimentError(.folds, message: "the folds inside fold \(fold + 1): \(error)")
        }
        var sites = [Int](repeating: -1, count: data.sites.count)
        for (i, s) in training.enumerated() { sites[s] = dealt[i] }
        var nestedDesign = design.grouping == .knndm ? FoldDesign.sites(folds: spec.folds, seed: spec.seed) : design
        nestedDesign.folds = spec.folds
        nestedDesign.seed = spec.seed
        let samples = data.samples.indices.map { trains(foldOfSample[$0]) ? sites[data.samples[$0].site] : -1 }
        return FoldPlan(k: spec.folds, foldOfSite: sites, foldOfSample: samples, design: nestedDesign)
    }

    /// The samples fold `fold` trains on and holds out, each in sample order: the one place a fold
    /// is cut. Samples outside the plan (-1) are in neither.
    public func split(_ fold: Int) -> (training: [Int], heldOut: [Int]) {
        precondition((0..<k).contains(fold), "FoldPlan.split: fold \(fold) of \(k)")
        var training: [Int] = []
        var heldOut: [Int] = []
        for (s, f) in foldOfSample.enumerated() where f >= 0 {
            if f == fold { heldOut.append(s) } else { training.append(s) }
        }
        return (training, heldOut)
    }

    /// Every sample in the plan, in sample order (the data of a final fit on the plan's sites).
    public var allSamples: [Int] { foldOfSample.indices.filter { foldOfSample[$0] >= 0 } }

    /// A hash of the folds (with the data's fingerprint, what a saved unit must match).
    public var hash: UInt64 {
        var h = foldOfSample.withUnsafeBytes { FNV1a.hash64($0) }
        h ^= SplitMix64.mix(foldOfSite.withUnsafeBytes { FNV1a.hash64($0) })
        return h
    }

    /// A data set can be cross-validated with `folds` folds: finite patches and values, and at least
    /// one site per fold; an error naming the site or what to lower otherwise.
    public static func check(_ data: PatchDataset, folds: Int?) throws {
        if let bad = data.patches.firstIndex(where: { !$0.isFinite }) {
            let site = data.sites[bad / data.patchLength]
            throw ExperimentError(
                .data,
                message: """
                    the patch of site '\(site.id)' holds a non-finite value (NaN or infinity); \
                    check the covariate rasters' nodata values
                    """
            )
        }
        if let bad = data.samples.first(where: { !$0.value.isFinite }) {
            throw ExperimentError(
                .data,
                message: "site '\(data.sites[bad.site].id)' has a non-finite value at \(data.depths[bad.depth].label)")
        }
        if let k = folds, data.sites.count < k {
            throw ExperimentError(
                .folds,
                message: "too few sites for \(k) folds: \(data.sites.count) sites have samples; lower evaluate.folds")
        }
    }
}
