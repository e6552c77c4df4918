import Experiments
import Applicability
import Evaluation
import Foundation
import Workspace
import Mapping
import Models

/// The `train` section: which models, and every number of the network and protocol.
public struct TrainConfig: Sendable {
    /// Models to train, in report order.
    public var models: [ModelKind]
    /// Network, training and forest settings.
    public var settings: ModelSettings
}

/// The `evaluate` section: cross-validation.
public struct EvaluateConfig: Sendable {
    /// Number of folds.
    public var folds: Int
    /// Spatial block size in grid CRS units; nil for folds of randomly grouped sites.
    public var blockSize: Double?
    /// `split`: what a fold holds out, whole sites (default) or single samples (the paper's split).
    public var split: EvaluationSplit = .sites
    /// Freeze depths F of the transfer model's freeze sweep (empty: no sweep).
    public var freezeSweep: [Int]
    /// `zones`: the categorical raster by which every metric is broken down per zone, if any.
    public var zones: ZoneSource? = nil
    /// `zone_min_samples`: zones with fewer held-out samples than this are marked in the zone tables.
    public var zoneMinSamples: Int = ZoneBreakdown.defaultMinimumCount
}

/// `evaluate.split`: what cross-validation deals into folds (whole sites, or single samples: the
/// paper's split, which flatters the scores, the transfer model's most).
public typealias EvaluationSplit = FoldSpec.Split

/// `evaluate.zones` as written: a covariate name of the stack or a raster path (relative to the
/// pipeline file); which one is decided against the covariates by the pipeline's zone stage.
public struct ZoneSource: Sendable, Equatable {
    /// The value as written, e.g. "climate_zone" or "zones/koppen.tif".
    public var text: String
    /// The value as a path resolved against the pipeline file's folder.
    public var path: String
    /// The key's line in the pipeline file, for errors found after loading.
    public var line: Int?
    /// The key's column in the pipeline file.
    public var column: Int?
    /// The key's line with a caret, for errors found after loading.
    public var snippet: String?

    /// Makes a zone source.
    public init(text: String, path: String, line: Int? = nil, column: Int? = nil, snippet: String? = nil) {
        self.text = text
        self.path = path
        self.line = line
        self.column = column
        self.snippet = snippet
    }
}

extension PipelineConfig {
    /// The `train` section; the pool comes from `train.network.pool`, or from the deprecated
    /// `patches.pool` (giving both is an error naming both).
    /// With `base` (a study variant's `train` overrides), absent keys keep the base's values.
    static func parseTrain(_ m: YAMLMapping?, poolAlias: PoolAlias?, base: TrainConfig? = nil) throws -> TrainConfig? {
        guard let m else { return nil }
        var s = base?.settings ?? ModelSettings()
        if let poolAlias { s.poolSize = poolAlias.value }
        var models = base?.models ?? ModelKind.allCases
        if let v = m.optional("models") {
            models = try v.list().map { item in
                let name = try item.string()
                guard let kind = ModelKind(rawValue: name) else {
                    throw item.error("unknown model '\(name)'; choose from \(ModelKind.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return kind
            }
            guard !models.isEmpty else { throw v.error("list at least one model") }
        }
        if let n = m.optional("network") {
            let nm = try n.mapping()
            s.convWidths = try widths(nm, "conv_widths", default: s.convWidths)
            s.fcWidths = try widths(nm, "fc_widths", default: s.fcWidths)
            s.kernelSize = try nm.int("kernel_size", default: s.kernelSize, in: 1...7)
            if let p = nm.optional("pool") {
                if let poolAlias {
                    throw p.error("the pool is given twice: as 'train.network.pool' (line \(p.line ?? 0)) and as the deprecated 'patches.pool' (line \(poolAlias.node.line ?? 0)); keep 'train.network.pool' and remove 'patches.pool'")
                }
                s.poolSize = try nm.int("pool", default: s.poolSize, in: 1...9)
            }
            s.convDropout = Float(try nm.double("conv_dropout", default: Double(s.convDropout), in: 0...0.95))
            s.fcDropout = Float(try nm.double("fc_dropout", default: Double(s.fcDropout), in: 0...0.95))
            try nm.finish()
        }
        s.batchSize = try m.int("batch_size", default: s.batchSize, in: 2...65536)
        s.learningRate = Float(try m.double("learning_rate", default: Double(s.learningRate), in: 1e-8...10))
        s.fineTuneLearningRate = Float(try m.double("fine_tune_learning_rate", default: Double(s.fineTuneLearningRate), in: 1e-8...10))
        s.weightDecay = Float(try m.double("weight_decay", default: Double(s.weightDecay), in: 0...10))
        s.epochs = try m.int("epochs", default: s.epochs, in: 1...100_000)
        s.fineTuneEpochs = try m.int("fine_tune_epochs", default: s.fineTuneEpochs, in: 1...100_000)
        s.patience = try m.int("patience", default: s.patience, in: 1...100_000)
        s.validationFraction = try m.double("validation_fraction", default: s.validationFraction, in: 0...0.5)
        s.freeze = try m.int("freeze", default: s.freeze, in: 0...6)
        s.log1p = try m.bool("log1p", default: s.log1p)
        try parseFineTuning(m, into: &s)
        if let f = m.optional("forest") {
            let fm = try f.mapping()
            s.trees = try fm.int("trees", default: s.trees, in: 1...100_000)
            s.tuningTrees = try fm.int("tuning_trees", default: s.tuningTrees, in: 1...100_000)
            s.maxFeatures = try positiveList(fm, "max_features", default: s.maxFeatures)
            s.minSamplesLeaf = try positiveList(fm, "min_samples_leaf", default: s.minSamplesLeaf)
            try fm.finish()
        }
        s.augment = try m.bool("augment", default: s.augment)
        if let v = m.optional("augment_exclude") {
            s.augmentExclude = try v.list().map { try $0.string() }
        }
        s.ensemble = try m.int("ensemble", default: s.ensemble, in: 1...100)
        try m.finish()
        return TrainConfig(models: models, settings: s)
    }

    static func parseEvaluate(_ m: YAMLMapping?, resolve: (String) -> String) throws -> EvaluateConfig? {
        guard let m else { return nil }
        let folds = try m.int("folds", default: 10, in: 2...1000)
        var block: Double?
        if let b = m.optional("block_size") {
            let v = try b.double()
            guard v > 0 else { throw b.error("block_size must be positive (grid CRS units, e.g. metres)") }
            block = v
        }
        var sweep: [Int] = []
        if let v = m.optional("freeze_sweep") {
            if case .scalar = v.node, let on = try? v.bool() {
                sweep = on ? Array(0...6) : []
            } else {
                sweep = try v.list().map { item in
                    let f = try item.int()
                    guard (0...6).contains(f) else { throw item.error("freeze depths run from 0 to 6, found \(f)") }
                    return f
                }
            }
        }
        var zones: ZoneSource?
        if let z = m.optional("zones") {
            let text = try z.string().trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty else {
                throw z.error("give the name of a categorical covariate (e.g. climate_zone) or the path of a categorical raster")
            }
            let anchor = z.error("")
            zones = ZoneSource(text: text, path: resolve(text), line: anchor.line, column: anchor.column, snippet: anchor.snippet)
        }
        let minimum = try m.int("zone_min_samples", default: ZoneBreakdown.defaultMinimumCount, in: 1...1_000_000)
        let splitText = try m.choice("split", default: EvaluationSplit.sites.rawValue,
                                     among: EvaluationSplit.allCases.map(\.rawValue))
        let split = EvaluationSplit(rawValue: splitText)!
        if split == .samples, block != nil, let v = m.optional("split") {
            throw v.error("split: samples deals single samples into folds, block_size deals spatial blocks of sites; remove one of them")
        }
        try m.finish()
        return EvaluateConfig(folds: folds, blockSize: block, split: split, freezeSweep: sweep, zones: zones, zoneMinSamples: minimum)
    }

    private static func widths(_ m: YAMLMapping, _ key: String, default d: [Int]) throws -> [Int] {
        guard let v = m.optional(key) else { return d }
        let list = try v.list().map { try $0.int() }
        guard list.count == 3, list.allSatisfy({ $0 >= 1 }) else { throw v.error("give three positive widths, found \(list)") }
        return list
    }

    private static func positiveList(_ m: YAMLMapping, _ key: String, default d: [Int]) throws -> [Int] {
        guard let v = m.optional(key) else { return d }
        let list = try v.list().map { try $0.int() }
        guard !list.isEmpty, list.allSatisfy({ $0 >= 1 }) else { throw v.error("give a list of positive whole numbers") }
        return list
    }
}

/// The `predict` section: whole-grid maps with a saved model.
public struct PredictConfig: Sendable {
    /// Which saved model maps (models/<model>/).
    public var model: ModelKind
    /// Tile edge in output cells.
    public var tileSize: Int
    /// Largest share of nodata cells in a cell's patch for the cell to be mapped.
    public var maxPatchNodata: Double
    /// Base name of the map files, e.g. "soc" gives soc_0-5cm.tif.
    public var name: String
    /// Keep the tile folder after the maps are assembled.
    public var keepTiles: Bool
    /// Also map the bounds of the calibrated prediction interval (`_q05` / `_q95` at level 0.9).
    public var uncertainty: Bool
    /// The prediction interval's nominal coverage, in (0, 1) (`predict.interval`, default 0.9).
    public var interval: Double = 0.9
    /// How the interval's half-width varies from cell to cell (`predict.interval_method`).
    public var intervalMethod: IntervalMethod = .conformal
    /// Also map the spread (SD) of the k cross-validation models' predictions, `_cv_sd`
    /// (`predict.cv_spread`; default: only for the adaptive interval, which needs it).
    public var cvSpread: Bool = false

    /// Whether the map stage runs the k cross-validation models: for `_cv_sd` maps, with `uncertainty`.
    public var mapsCVModels: Bool { uncertainty && cvSpread }
    /// Also map the dissimilarity index and the area of applicability (`predict.aoa`; needs `evaluate`).
    public var aoa: Bool = false
    /// The DI's channel weights (`predict.aoa_weights`; `auto` is resolved by the loader).
    public var aoaWeights: AOAWeights = .auto
    /// How the AOA threshold is taken from the training DIs (`predict.aoa_threshold`).
    public var aoaThreshold: DissimilarityIndex.ThresholdRule = .cast
    /// The depth-consistency threshold in the property's unit (`predict.depth_consistency.threshold`;
    /// default by unit, `DepthConsistency.defaultThreshold`); nil: no depth-consistency check
    /// (`depth_consistency: false`).
    public var depthConsistency: Double? = nil
    /// Rewrite the depth maps so values never rise with depth (`predict.depth_consistency.enforce_monotone`,
    /// default false); the inversions are counted before the correction and the report says what changed.
    public var enforceMonotone: Bool = false
}

/// The weights of the dissimilarity index's channels (`predict.aoa_weights`).
public enum AOAWeights: String, Sendable, CaseIterable {
    /// `rf` when the pipeline trains the random forest, else `equal`.
    case auto
    /// The random forest's impurity importance, averaged over the depths' forests.
    case rf
    /// Every channel weighs 1.
    case equal
}

extension PipelineConfig {
    /// An enumerated key: one of the cases' raw values.
    static func choice<T: RawRepresentable & CaseIterable>(_ m: YAMLMapping, _ key: String, default d: T) throws -> T
        where T.RawValue == String {
        guard let v = m.optional(key) else { return d }
        let text = try v.string()
        guard let value = T(rawValue: text) else {
            throw v.error("unknown value '\(text)'; choose from \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    static func parsePredict(_ m: YAMLMapping?, property: String, unit: String) throws -> PredictConfig? {
        guard let m else { return nil }
        var model = ModelKind.transfer
        if let v = m.optional("model") {
            let name = try v.string()
            guard let kind = ModelKind(rawValue: name) else {
                throw v.error("unknown model '\(name)'; choose from \(ModelKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            model = kind
        }
        let defaultName = property.lowercased().filter { $0.isLetter || $0.isNumber || $0 == "_" }
        let method = try parseIntervalMethod(m.optional("interval_method"))
        let cvSpread = try m.bool("cv_spread", default: method == .adaptive)
        if method == .adaptive, !cvSpread, let v = m.optional("cv_spread") {
            throw v.error("'interval_method: adaptive' scales the interval by the spread of the cross-validation models, so it needs cv_spread: true (or use interval_method: conformal)")
        }
        let consistency = try parseDepthConsistency(m.optional("depth_consistency"), unit: unit)
        let config = PredictConfig(
            model: model,
            tileSize: try m.int("tile_size", default: 512, in: 16...8192),
            maxPatchNodata: try m.double("max_patch_nodata", default: 0.5, in: 0...1),
            name: try m.string("name", default: defaultName.isEmpty ? "map" : defaultName),
            keepTiles: try m.bool("keep_tiles", default: false),
            uncertainty: try m.bool("uncertainty", default: false),
            interval: try parseLevel(m.optional("interval")),
            intervalMethod: method,
            cvSpread: cvSpread,
            aoa: try m.bool("aoa", default: false),
            aoaWeights: try choice(m, "aoa_weights", default: AOAWeights.auto),
            aoaThreshold: try choice(m, "aoa_threshold", default: DissimilarityIndex.ThresholdRule.cast),
            depthConsistency: consistency.threshold, enforceMonotone: consistency.enforceMonotone)
        if let v = m.optional("name"), let problem = OutputLayout.problem(withPlainName: config.name, reservedToo: false) {
            throw v.error("the map base name \(problem)")
        }
        try m.finish()
        return config
    }

    /// `predict.depth_consistency`: `false` (off), `true` or absent (on, threshold by unit), or a
    /// mapping with `threshold` (a number >= 0 in the property's unit) and `enforce_monotone` (default false).
    static func parseDepthConsistency(_ v: YAMLValue?, unit: String) throws -> (threshold: Double?, enforceMonotone: Bool) {
        let byUnit = DepthConsistency.defaultThreshold(unit: unit)
        guard let v else { return (byUnit, false) }
        if case .scalar = v.node { return (try v.bool() ? byUnit : nil, false) }
        let m = try v.mapping()
        var threshold = byUnit
        if let t = m.optional("threshold") {
            threshold = try t.double()
            guard threshold >= 0 else {
                throw t.error("predict.depth_consistency.threshold is how much (in \(unit)) a deeper value may exceed the one above before it counts as inverted; give 0 or more, found \(threshold)")
            }
        }
        let enforce = try m.bool("enforce_monotone", default: false)
        try m.finish()
        return (threshold, enforce)
    }

    /// The `stocks` section; `profiles.unit` must be g/kg or % (`unitNode` is its YAML value, when given).
    static func parseStocks(_ value: YAMLValue?, unit: String, unitNode: YAMLValue?, hasPredict: Bool,
                            resolve: (String) -> String) throws -> StocksConfig? {
        guard let value else { return nil }
        guard hasPredict else {
            throw value.error("'stocks' are computed from the maps: add a 'predict' section")
        }
        guard let socUnit = CarbonStock.SOCUnit(rawValue: unit) else {
            let message = "profiles.unit '\(unit)' cannot make carbon stocks: the SOC maps must be in g/kg or % for 'stocks' (or remove the 'stocks' section)"
            throw (unitNode ?? value).error(message)
        }
        let m = try value.mapping()
        let bd = try m.required("bulk_density", hint: "the bulk density raster (any CRS and resolution; warped onto the grid)")
        let bdPath = try bd.string()
        guard !bdPath.trimmingCharacters(in: .whitespaces).isEmpty else { throw bd.error("give the bulk density raster's path") }
        let bdUnitValue = try m.required("bulk_density_unit", hint: "g/cm3 or kg/m3")
        guard let bdUnit = CarbonStock.BulkDensityUnit(rawValue: try bdUnitValue.string()) else {
            throw bdUnitValue.error("unknown bulk density unit '\(try bdUnitValue.string())'; choose from \(CarbonStock.BulkDensityUnit.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let cfUnit = try choice(m, "coarse_fragments_unit", default: CarbonStock.FractionUnit.fraction)
        var coarse = ProfileProducts.CoarseFragments.constant(0)
        if let cf = m.optional("coarse_fragments") {
            if case .scalar(let s) = cf.node, let number = Double(s.string), number.isFinite {
                let fraction = number * cfUnit.fraction
                guard fraction >= 0, fraction < 1 else {
                    throw cf.error("stocks.coarse_fragments is the volume share of stones and gravel: give a \(cfUnit == .percent ? "percent in [0, 100)" : "fraction in [0, 1)") or a raster path, found \(number)")
                }
                coarse = .constant(fraction)
            } else {
                coarse = .raster(path: resolve(try cf.string()), unit: cfUnit)
            }
        }
        try m.finish()
        return StocksConfig(bulkDensity: resolve(bdPath), bulkDensityUnit: bdUnit, coarseFragments: coarse, socUnit: socUnit)
    }

    /// `predict.interval`: a coverage level strictly between 0 and 1 (default 0.9).
    static func parseLevel(_ v: YAMLValue?) throws -> Double {
        guard let v else { return 0.9 }
        let level = try v.double()
        guard level > 0, level < 1 else {
            throw v.error("predict.interval is the prediction interval's coverage and must lie strictly between 0 and 1 (e.g. 0.9 for 5 % and 95 % bounds), found \(level)")
        }
        return level
    }

    /// `predict.interval_method`: conformal or adaptive.
    static func parseIntervalMethod(_ v: YAMLValue?) throws -> IntervalMethod {
        guard let v else { return .conformal }
        let name = try v.string()
        guard let method = IntervalMethod(rawValue: name) else {
            throw v.error("unknown interval method '\(name)'; choose from \(IntervalMethod.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return method
    }
}
