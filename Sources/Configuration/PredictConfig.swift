import Applicability
import Evaluation
import Experiments
import Foundation
import Mapping
import Models
import Workspace

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
    public var intervalMethod: IntervalMethod = .default
    /// What the maps and scores of a log1p model hold, the mean or the median (`predict.back_transform`).
    public var backTransform: BackTransform = .default
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
    /// Residual kriging of the mapped model's held-out residuals, added to the maps (`predict.residual_kriging`);
    /// nil: off.
    public var residualKriging: ResidualKrigingSettings? = nil
}

/// `predict.residual_kriging`: the mapped model's held-out residuals kriged (ordinary kriging with the fitted
/// variogram per depth, `neighbours` nearest residuals) and added to its maps; scored and calibrated as the
/// model `<model>+rk`, whose held-out residuals come from `innerFolds` folds inside each outer fold.
public struct ResidualKrigingSettings: Sendable, Equatable {
    /// Residuals each estimate weighs (gstat's `nmax`).
    public var neighbours: Int = 32
    /// Folds of the inner cross-validation whose held-out residuals each outer fold kriges.
    public var innerFolds: Int = 5

    /// The settings; the defaults are 32 neighbours and 5 inner folds.
    public init(neighbours: Int = 32, innerFolds: Int = 5) {
        self.neighbours = neighbours
        self.innerFolds = innerFolds
    }

    /// The name of the kriged model's scores and interval: "<model>+rk".
    public static func scoredName(_ model: String) -> String { model + "+rk" }
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
    /// The `predict` section, read through `PredictKeys`.
    static func parsePredict(_ m: YAMLMapping?, property: String, unit: String) throws -> PredictConfig? {
        guard let m else { return nil }
        typealias K = PredictKeys
        let defaultName = property.lowercased().filter { $0.isLetter || $0.isNumber || $0 == "_" }
        let method = try m.read(K.intervalMethod)
        let cvSpread = try m.read(K.cvSpread, default: method == .adaptive)
        if method == .adaptive, !cvSpread, let v = m.optional(K.cvSpread.name) {
            throw v.error(
                "'interval_method: adaptive' scales the interval by the spread of the cross-validation models, "
                    + "so it needs cv_spread: true (or use interval_method: conformal)")
        }
        let consistency = try parseDepthConsistency(m.optional(K.depthConsistency.name), unit: unit)
        let kriging = try parseResidualKriging(m.optional(K.residualKriging.name))
        if kriging != nil, method == .adaptive, let v = m.optional(K.residualKriging.name) {
            throw v.error(
                "residual kriging calibrates the interval on the kriged residuals, with the kriging variance where "
                    + "that is calibrated; 'interval_method: adaptive' scales by the CV models' spread instead: use "
                    + "log_conformal, scaled_conformal or conformal")
        }
        let config = PredictConfig(
            model: try m.read(K.model), tileSize: try m.read(K.tileSize), maxPatchNodata: try m.read(K.maxPatchNodata),
            name: try m.read(K.name, default: defaultName.isEmpty ? "map" : defaultName),
            keepTiles: try m.read(K.keepTiles), uncertainty: try m.read(K.uncertainty),
            interval: try m.read(K.interval),
            intervalMethod: method, backTransform: try m.read(K.backTransform), cvSpread: cvSpread,
            aoa: try m.read(K.aoa), aoaWeights: try m.read(K.aoaWeights),
            aoaThreshold: try m.read(K.aoaThreshold), depthConsistency: consistency.threshold,
            enforceMonotone: consistency.enforceMonotone, residualKriging: kriging)
        try m.finish()
        return config
    }

    /// `predict.residual_kriging`: `false` or absent (off), `true` (the defaults), or a mapping with `neighbours`
    /// and `inner_folds`.
    static func parseResidualKriging(_ v: YAMLValue?) throws -> ResidualKrigingSettings? {
        guard let v else { return nil }
        if case .scalar = v.node { return try v.bool() ? ResidualKrigingSettings() : nil }
        let m = try v.mapping()
        let settings = ResidualKrigingSettings(
            neighbours: try m.read(PredictKeys.krigingNeighbours), innerFolds: try m.read(PredictKeys.krigingInnerFolds)
        )
        try m.finish()
        return settings
    }

    /// `predict.depth_consistency`: `false` (off), `true` or absent (on, threshold by unit), or a
    /// mapping with `threshold` (a number >= 0 in the property's unit) and `enforce_monotone` (default false).
    static func parseDepthConsistency(
        _ v: YAMLValue?, unit: String
    ) throws -> (threshold: Double?, enforceMonotone: Bool) {
        let byUnit = DepthConsistency.defaultThreshold(unit: unit)
        guard let v else { return (byUnit, false) }
        if case .scalar = v.node { return (try v.bool() ? byUnit : nil, false) }
        let m = try v.mapping()
        let threshold = try m.read(PredictKeys.threshold, default: byUnit)
        let enforce = try m.read(PredictKeys.enforceMonotone)
        try m.finish()
        return (threshold, enforce)
    }

    /// The `stocks` section, read through `StocksKeys`; `profiles.unit` must be g/kg or % (`unitNode` is its
    /// YAML value, when given).
    static func parseStocks(
        _ value: YAMLValue?, unit: String, unitNode: YAMLValue?, hasPredict: Bool,
        resolve: (String) -> String
    ) throws -> StocksConfig? {
        guard let value else { return nil }
        typealias K = StocksKeys
        guard hasPredict else {
            throw value.error("'stocks' are computed from the maps: add a 'predict' section")
        }
        guard let socUnit = CarbonStock.SOCUnit(rawValue: unit) else {
            let message =
                "profiles.unit '\(unit)' cannot make carbon stocks: the SOC maps must be in g/kg or % for "
                + "'stocks' (or remove the 'stocks' section)"
            throw (unitNode ?? value).error(message)
        }
        let m = try value.mapping()
        let bdValue = try m.required(
            K.bulkDensity.name, hint: "the bulk density raster (any CRS and resolution; warped onto the grid)")
        let bd = try rasterSource(
            bdValue, path: K.bulkDensityPath, nodata: K.bulkDensityNodata, what: "the bulk density raster")
        let bdUnit = try m.require(K.bulkDensityUnit, hint: "g/cm3, cg/cm3 (SoilGrids' bdod) or kg/m3")
        let cfUnit = try m.read(K.coarseFragmentsUnit)
        var coarse = ProfileProducts.CoarseFragments.constant(0)
        var cfNodata: Double?
        if let cf = m.optional(K.coarseFragments.name) {
            if case .scalar(let s) = cf.node, let number = Double(s.string), number.isFinite {
                let fraction = number * cfUnit.fraction
                guard fraction >= 0, fraction < 1 else {
                    throw cf.error(
                        "stocks.coarse_fragments is the volume share of stones and gravel: give a "
                            + (cfUnit == .percent ? "percent in [0, 100)" : "fraction in [0, 1)")
                            + " or a raster path, found \(number)")
                }
                coarse = .constant(fraction)
            } else {
                let source = try rasterSource(
                    cf, path: K.coarseFragmentsPath, nodata: K.coarseFragmentsNodata,
                    what: "the coarse-fragment raster")
                coarse = .raster(path: resolve(source.path), unit: cfUnit)
                cfNodata = source.nodata
            }
        }
        try m.finish()
        return StocksConfig(
            bulkDensity: resolve(bd.path), bulkDensityUnit: bdUnit, coarseFragments: coarse, socUnit: socUnit,
            bulkDensityNodata: bd.nodata, coarseFragmentsNodata: cfNodata)
    }

    /// A raster of `stocks` written as a path or, like a `covariates.files` entry, as a mapping with
    /// `path` and `nodata` (the value replacing the file's own); errors name the key and its line.
    static func rasterSource(
        _ v: YAMLValue, path pathKey: Key<String>, nodata nodataKey: Key<Double>, what: String
    ) throws -> (path: String, nodata: Double?) {
        let path: String
        var nodata: Double?
        if case .mapping = v.node {
            let f = try v.mapping()
            guard let p = f.optional(pathKey.name) else {
                throw v.error("this mapping has no path; give 'path: <\(what)>' (and optionally 'nodata: <value>')")
            }
            path = try p.string()
            nodata = try f.given(nodataKey)
            try f.finish()
        } else {
            guard case .scalar = v.node else {
                throw v.error("expected \(what)'s path or a mapping with 'path' and 'nodata', found \(v.describe())")
            }
            path = try v.string()
        }
        guard !path.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw v.error("give \(what)'s path")
        }
        return (path, nodata)
    }
}
