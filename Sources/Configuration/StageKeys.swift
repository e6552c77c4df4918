import Applicability
import Evaluation
import Mapping
import Models
import Workspace
import Yams

/// The keys of `select`; their defaults are `SelectConfig()`'s.
public enum SelectKeys {
    static let minCorrelation = Key(
        "select.min_correlation", .double, default: SelectConfig().minCorrelation,
        .range(0...1), "covariates with |r| below this are dropped")
    static let maxPairCorrelation = Key(
        "select.max_pair_correlation", .double,
        default: SelectConfig().maxPairCorrelation, .range(0...1),
        "of a pair correlated above this, the weaker one is dropped")
    static let groupSize = Key(
        "select.group_size", .int, default: SelectConfig().groupSize, .range(1...10_000),
        "candidate subsets grow by this many covariates")
    static let order = Key(
        "select.order", .choice(SelectionOrder.self), default: SelectConfig().order,
        "how the covariates left by the filters are ranked")
    static let model = Key(
        "select.model", .choice(ModelKind.self), default: SelectConfig().model,
        Allowed(text: "a trained model") {
            $0 == .combined ? "the selection scores one trained model; choose rf, transfer, cnn or mtcnn" : nil
        },
        "the model whose cross-validated RMSE scores each subset")
    static let perFold = Key(
        "select.per_fold", .bool, default: SelectConfig().perFold,
        "redo the selection inside each evaluation fold")

    /// Every key of `select`.
    public static var all: [KeyDeclaration] {
        declarations(minCorrelation, maxPairCorrelation, groupSize, order, model, perFold)
    }
}

/// The keys of `evaluate`.
public enum EvaluateKeys {
    static let folds = Key("evaluate.folds", .int, default: 10, .range(2...1000), "number of cross-validation folds")
    static let blockSize = Key(
        "evaluate.block_size", .double, default: nil, defaultText: "none (random site folds)",
        Allowed(text: "more than 0") {
            $0 > 0 ? nil : "block_size must be positive (grid CRS units, e.g. metres)"
        }, "edge of the spatial blocks dealt into folds, in grid CRS units")
    static let split = Key(
        "evaluate.split", .choice(EvaluationSplit.self), default: EvaluationSplit.sites,
        "what a fold holds out: whole sites, whole sites in kNNDM folds, or single samples")
    static let freezeSweep = Key(
        "evaluate.freeze_sweep", freezeDepths, default: [], defaultText: "false",
        "the transfer model's metrics for each number of frozen blocks: true (0..6) or a list")
    static let zones = Key(
        "evaluate.zones", .string, default: nil, defaultText: "none",
        "categorical covariate or raster by whose zones every metric is broken down")
    static let zoneMinSamples = Key(
        "evaluate.zone_min_samples", .int, default: ZoneBreakdown.defaultMinimumCount,
        .range(1...1_000_000), "zones with fewer held-out samples are marked")
    static let importance = Key(
        "evaluate.importance", .bool, default: false,
        "permutation importance on the held-out folds and partial dependence (keeps fold models)")
    static let importanceRepeats = Key(
        "evaluate.importance_repeats", .int, default: 5, .range(1...1000),
        "seeded permutations per covariate and fold: the importance's mean and SD")

    /// Every key of `evaluate`.
    public static var all: [KeyDeclaration] {
        declarations(folds, blockSize, split, freezeSweep, zones, zoneMinSamples, importance, importanceRepeats)
    }

    private static var freezeDepths: ValueType<[Int]> {
        ValueType(
            name: "true, false or list of freeze depths 0 to 6",
            read: { v in
                if case .scalar = v.node, let on = try? v.bool() { return on ? Array(0...6) : [] }
                return try v.list().map { item in
                    let f = try item.int()
                    guard (0...6).contains(f) else { throw item.error("freeze depths run from 0 to 6, found \(f)") }
                    return f
                }
            }, text: listText)
    }
}

/// The keys of `predict`.
public enum PredictKeys {
    static let model = Key(
        "predict.model", .choice(ModelKind.self, noun: "model"), default: ModelKind.transfer,
        "the saved model that maps (one of train.models)")
    static let tileSize = Key("predict.tile_size", .int, default: 512, .range(16...8192), "output cells per tile edge")
    static let maxPatchNodata = Key(
        "predict.max_patch_nodata", .double, default: 0.5, .range(0...1),
        "cells whose patch has a larger nodata share stay nodata")
    static let name = Key(
        "predict.name", .string, default: nil, defaultText: "the property in lower case",
        Allowed(text: "a plain file name") {
            OutputLayout.problem(withPlainName: $0, reservedToo: false)
                .map { "the map base name \($0)" }
        }, "base name of the map files")
    static let uncertainty = Key(
        "predict.uncertainty", .bool, default: false,
        "also map the bounds of a calibrated prediction interval")
    static let interval = Key(
        "predict.interval", .double, default: 0.9,
        Allowed(text: "between 0 and 1, exclusive") {
            $0 > 0 && $0 < 1
                ? nil
                : "predict.interval is the prediction interval's coverage and must lie strictly between 0 and 1"
                    + " (e.g. 0.9 for 5 % and 95 % bounds), found \($0)"
        }, "nominal coverage of the prediction interval")
    static let intervalMethod = Key(
        "predict.interval_method", .choice(IntervalMethod.self, noun: "interval method"),
        default: IntervalMethod.default,
        "how the interval's width varies from cell to cell")
    static let backTransform = Key(
        "predict.back_transform", .choice(BackTransform.self, noun: "back-transform"), default: BackTransform.default,
        "with train.log1p: maps and scores hold the mean (smearing) or the median (expm1)")
    static let cvSpread = Key(
        "predict.cv_spread", .bool, default: nil,
        defaultText: "true for interval_method: adaptive, else false",
        "also map the spread (SD) of the cross-validation models' predictions")
    static let aoa = Key(
        "predict.aoa", .bool, default: false,
        "also map the dissimilarity index and area of applicability (needs evaluate)")
    static let aoaWeights = Key(
        "predict.aoa_weights", .choice(AOAWeights.self), default: AOAWeights.auto,
        "channel weights of the dissimilarity index")
    static let aoaThreshold = Key(
        "predict.aoa_threshold", .choice(DissimilarityIndex.ThresholdRule.self),
        default: DissimilarityIndex.ThresholdRule.cast, "how the AOA threshold is taken")
    static let keepTiles = Key("predict.keep_tiles", .bool, default: false, "keep maps/.tiles/ after assembly")
    static let depthConsistency = Key(
        "predict.depth_consistency",
        ValueType<Bool>(
            name: "true, false or a mapping", read: { try $0.bool() },
            text: { "\($0)" }),
        default: true, "check that values do not rise with depth")
    static let threshold = Key(
        "predict.depth_consistency.threshold", .double, default: nil,
        defaultText: "1 for g/kg and mg/g, 0.1 for %, else 0",
        Allowed(text: "0 or more") {
            $0 >= 0
                ? nil
                : "predict.depth_consistency.threshold is how much (in profiles.unit) a "
                    + "deeper value may exceed the one above before it counts as inverted; give 0 or "
                    + "more, found \($0)"
        }, "rise with depth (in profiles.unit) that counts as an inversion")
    static let enforceMonotone = Key(
        "predict.depth_consistency.enforce_monotone", .bool, default: false,
        "rewrite the depth maps so values never rise with depth")
    static let residualKriging = Key(
        "predict.residual_kriging",
        ValueType<Bool>(name: "true, false or a mapping", read: { try $0.bool() }, text: { "\($0)" }),
        default: false, "krige the mapped model's held-out residuals and add them to the maps")
    static let krigingNeighbours = Key(
        "predict.residual_kriging.neighbours", .int, default: ResidualKrigingSettings().neighbours, .range(1...256),
        "residuals each cell's kriging weighs (gstat's nmax)")
    static let krigingInnerFolds = Key(
        "predict.residual_kriging.inner_folds", .int, default: ResidualKrigingSettings().innerFolds, .range(2...20),
        "inner folds whose held-out residuals each outer fold kriges (the kriged model's honest scores)")

    /// Every key of `predict`.
    public static var all: [KeyDeclaration] {
        declarations(
            model, tileSize, maxPatchNodata, name, uncertainty, interval, intervalMethod, backTransform, cvSpread, aoa,
            aoaWeights, aoaThreshold, keepTiles, depthConsistency, threshold, enforceMonotone, residualKriging,
            krigingNeighbours, krigingInnerFolds)
    }
}

/// The keys of `stocks`.
public enum StocksKeys {
    static let bulkDensity = Key(
        "stocks.bulk_density",
        ValueType<String>(name: "path or mapping (path, nodata)", read: { try $0.string() }, text: { $0 }),
        default: nil, required: true, "bulk density raster, warped onto the grid: a path or {path, nodata}")
    static let bulkDensityPath = Key(
        "stocks.bulk_density.path", .path, default: nil, required: true, "the bulk density raster")
    static let bulkDensityNodata = Key(
        "stocks.bulk_density.nodata", .nodata, default: nil, defaultText: "the file's",
        "nodata value replacing the bulk density raster's own")
    static let bulkDensityUnit = Key(
        "stocks.bulk_density_unit",
        .choice(CarbonStock.BulkDensityUnit.self, noun: "bulk density unit"),
        default: nil, required: true, "unit of the bulk density raster: g/cm3, cg/cm3 (SoilGrids' bdod) or kg/m3")
    static let coarseFragments = Key(
        "stocks.coarse_fragments",
        ValueType<String>(name: "number, path or mapping (path, nodata)", read: { try $0.string() }, text: { $0 }),
        default: "0", "volume share of stones and gravel: a constant, a raster path or {path, nodata}")
    static let coarseFragmentsPath = Key(
        "stocks.coarse_fragments.path", .path, default: nil, required: true, "the coarse-fragment raster")
    static let coarseFragmentsNodata = Key(
        "stocks.coarse_fragments.nodata", .nodata, default: nil, defaultText: "the file's",
        "nodata value replacing the coarse-fragment raster's own")
    static let coarseFragmentsUnit = Key(
        "stocks.coarse_fragments_unit", .choice(CarbonStock.FractionUnit.self),
        default: CarbonStock.FractionUnit.fraction,
        "fraction (0-1) or % (0-100), for the constant and the raster")

    /// Every key of `stocks`.
    public static var all: [KeyDeclaration] {
        declarations(
            bulkDensity, bulkDensityPath, bulkDensityNodata, bulkDensityUnit, coarseFragments, coarseFragmentsPath,
            coarseFragmentsNodata, coarseFragmentsUnit)
    }
}

/// Every key of the pipeline file, section by section: what pipelines/sample.yaml must document.
public enum PipelineKeys {
    /// Every declared key, in the order of pipelines/sample.yaml.
    public static var all: [KeyDeclaration] {
        RunKeys.all + CovariatesKeys.all + SitesKeys.all + ProfilesKeys.all + PatchesKeys.all + TrainKeys.all
            + SelectKeys.all + EvaluateKeys.all + PredictKeys.all + StocksKeys.all
    }

    /// The declaration of a key path (list indices written `[]`, e.g. `covariates.files[].band`).
    public static func declaration(_ path: String) -> KeyDeclaration? { all.first { $0.path == path } }
}
