import Evaluation
import Experiments
import Foundation

/// The `evaluate` section: cross-validation.
public struct EvaluateConfig: Sendable {
    /// Number of folds.
    public var folds: Int
    /// Spatial block size in grid CRS units; nil for folds of randomly grouped sites.
    public var blockSize: Double?
    /// `split`: what a fold holds out: whole sites (default), whole sites in kNNDM folds, or single samples
    /// (the paper's split).
    public var split: EvaluationSplit = .sites
    /// Freeze depths F of the transfer model's freeze sweep (empty: no sweep).
    public var freezeSweep: [Int]
    /// `zones`: the categorical raster by which every metric is broken down per zone, if any.
    public var zones: ZoneSource? = nil
    /// `zone_min_samples`: zones with fewer held-out samples than this are marked in the zone tables.
    public var zoneMinSamples: Int = ZoneBreakdown.defaultMinimumCount
    /// `importance`: permutation importance on the held-out folds and partial dependence (every model keeps
    /// its fold models).
    public var importance: Bool = false
    /// `importance_repeats`: seeded permutations per covariate and fold.
    public var importanceRepeats: Int = 5
}

/// `evaluate.split`: what cross-validation deals into folds (whole sites, whole sites in kNNDM folds, or
/// single samples: the paper's split, which flatters the scores, the transfer model's most).
public typealias EvaluationSplit = FoldSpec.Split

extension FoldSpec.Split {
    /// Why this split cannot go with `evaluate.block_size` (nil: it can), for the error at `split`.
    var conflictWithBlocks: String? {
        switch self {
        case .sites: return nil
        case .samples:
            return "split: samples deals single samples into folds, block_size deals spatial blocks of sites; "
                + "remove one of them"
        case .knndm:
            return "split: knndm makes kNNDM folds of sites, block_size deals spatial blocks of sites; "
                + "remove one of them"
        }
    }
}

/// `evaluate.zones` as written: a covariate name of the stack or a raster path (relative to the
/// pipeline file); which one is decided against the covariates by the pipeline's zone stage, whose
/// errors name the key's place through `PipelineConfig.error(at:_:)`.
public struct ZoneSource: Sendable, Equatable {
    /// The value as written, e.g. "climate_zone" or "zones/koppen.tif".
    public var text: String
    /// The value as a path resolved against the pipeline file's folder.
    public var path: String

    /// Makes a zone source.
    public init(text: String, path: String) {
        self.text = text
        self.path = path
    }
}

extension PipelineConfig {
    /// The `evaluate` section, read through `EvaluateKeys`.
    static func parseEvaluate(_ m: YAMLMapping?, resolve: (String) -> String) throws -> EvaluateConfig? {
        guard let m else { return nil }
        typealias K = EvaluateKeys
        let folds = try m.read(K.folds)
        let block = try m.given(K.blockSize)
        let sweep = try m.read(K.freezeSweep)
        var zones: ZoneSource?
        if let z = try m.given(K.zones)?.trimmingCharacters(in: .whitespaces) {
            guard !z.isEmpty else {
                throw m.optional(K.zones.name)!.error(
                    "give the name of a categorical covariate (e.g. climate_zone) or the path of a categorical raster")
            }
            zones = ZoneSource(text: z, path: resolve(z))
        }
        let minimum = try m.read(K.zoneMinSamples)
        let split = try m.read(K.split)
        if let conflict = split.conflictWithBlocks, block != nil, let v = m.optional(K.split.name) {
            throw v.error(conflict)
        }
        let importance = try m.read(K.importance)
        let repeats = try m.read(K.importanceRepeats)
        if !importance, let v = m.optional(K.importanceRepeats.name) {
            throw v.error(
                "importance_repeats sets the permutations of the permutation importance, which is off; "
                    + "add 'importance: true' or remove importance_repeats")
        }
        try m.finish()
        return EvaluateConfig(
            folds: folds, blockSize: block, split: split, freezeSweep: sweep, zones: zones,
            zoneMinSamples: minimum, importance: importance, importanceRepeats: repeats)
    }
}
