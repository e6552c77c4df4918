import Applicability
import Configuration
import Evaluation
import FileIO
import Foundation
import Mapping
import Models
import NeuralNet
import Patches
import RasterIO
import Runtime
import SoilData
import TextFormat
import Workspace

/// What the map stage maps with: the final model and, when there, the cross-validation models and metrics.
public struct MapInputs: Sendable {
    /// Folder of the saved final model.
    public var model: String
    /// Folders of the cross-validation models whose spread is mapped, in fold order (empty: none).
    public var cvModels: [String]
    /// Cross-validated metrics, stamped into the maps' metadata (nil: not evaluated).
    public var metrics: EvaluationTable?
    /// SHA-256 (hex) of the metrics.json `metrics` were written to or read from: the maps' identifier
    /// of the evaluation run (nil: not evaluated).
    public var metricsSHA256: String?
    /// The dissimilarity index of `predict.aoa` (nil: no DI and AOA maps).
    public var applicability: ApplicabilityFit?
    /// The prediction intervals calibrated by cross-validation (needed with `predict.uncertainty`).
    public var intervals: IntervalSummary?
    /// The run's held-out predictions with their interval bounds (`socmap predict`: read back from
    /// predictions.csv; empty when an evaluation written before its SHA-256 was recorded has none to trust).
    public var heldOut: [HeldOutPrediction] = []
    /// The sites' locations in the grid's CRS by site ID (residual kriging; empty without it).
    public var siteLocations: [String: (x: Double, y: Double)] = [:]

    /// Creates the inputs.
    public init(
        model: String, cvModels: [String] = [], metrics: EvaluationTable? = nil, metricsSHA256: String? = nil,
        applicability: ApplicabilityFit? = nil, intervals: IntervalSummary? = nil, heldOut: [HeldOutPrediction] = [],
        siteLocations: [String: (x: Double, y: Double)] = [:]
    ) {
        self.siteLocations = siteLocations
        self.model = model
        self.cvModels = cvModels
        self.metrics = metrics
        self.metricsSHA256 = metricsSHA256
        self.applicability = applicability
        self.intervals = intervals
        self.heldOut = heldOut
    }
}

/// What the map stage produced.
public struct MapResult: Sendable {
    /// Files written in the maps folder (empty for a shard that only predicted tiles).
    public var files: [String]
    /// Tiles predicted by this process.
    public var tilesPredicted: Int
    /// Tiles in the whole plan.
    public var tilesTotal: Int
    /// Output cells predicted by this process (all depths at once).
    public var cells: Int
    /// Seconds spent predicting tiles.
    public var seconds: Double
    /// Peak resident memory of the process, in bytes (0 when unknown).
    public var peakMemory: Int
    /// Whether the GeoTIFFs were assembled.
    public var assembled: Bool
    /// Leading blocks computed once per tile for all depths (frozen in fine-tuning, or mtcnn's trunk; see
    /// `DenseMapper`).
    public var sharedBlocks: Int
    /// The area of applicability (`predict.aoa`) when its maps were assembled.
    public var applicability: ApplicabilityResult? = nil
    /// The depth consistency and carbon stocks of the assembled maps (`predict.depth_consistency`, `stocks`).
    public var profiles: ProfileProducts.Result? = nil
}

/// What the map stage reads of the pipeline besides its inputs: the `predict` and `stocks` sections and
/// the few run-wide values its maps and messages name (the pipeline builds it from its configuration).
public struct MapSettings: Sendable {
    /// The `predict` section.
    public var predict: PredictConfig
    /// The `stocks` section (nil: no carbon stocks).
    public var stocks: StocksConfig?
    /// The pipeline's depth intervals (`depths`), which the model's depth labels are looked up in.
    public var depths: [DepthInterval]
    /// The run's name (`name`), in the maps' catalogue.
    public var runName: String
    /// The pipeline file, named in messages.
    public var file: String
    /// Whether the pipeline selects covariates (`select`): the model then reads only the ones its channels name.
    public var selectsCovariates: Bool
    /// Whether the pipeline evaluates (`evaluate`): only then do the held-out sites join the QGIS project.
    public var evaluated: Bool
    /// The lower end of `profiles.valid_range`, which the interval bounds are kept at or above (nil: none).
    public var lowerLimit: Double?
    /// `profiles.valid_range` (or the unit's default), which every published depth map's values must lie in.
    public var validRange: ValidRange?
    /// The run's published output folder (where an earlier run's held-out sites may be).
    public var published: OutputLayout
    /// Makes the error of a key of the pipeline file at its line and column.
    public var errorAt: KeyErrorMaker

    /// Creates the settings.
    public init(
        predict: PredictConfig, stocks: StocksConfig?, depths: [DepthInterval], runName: String, file: String,
        selectsCovariates: Bool, evaluated: Bool, lowerLimit: Double?, validRange: ValidRange? = nil,
        published: OutputLayout, errorAt: @escaping KeyErrorMaker
    ) {
        self.predict = predict
        self.stocks = stocks
        self.depths = depths
        self.runName = runName
        self.file = file
        self.selectsCovariates = selectsCovariates
        self.evaluated = evaluated
        self.lowerLimit = lowerLimit
        self.validRange = validRange
        self.published = published
        self.errorAt = errorAt
    }
}

/// What the same run's cross-validation gives the map stage (`socmap run`).
public struct MapEvaluation: Sendable {
    /// Metrics per model and depth.
    public var table: EvaluationTable
    /// Folders of the mapped model's fold models, in fold order (empty: not saved).
    public var cvModelFolders: [String]
    /// The fold of each site of the patch data set (the area of applicability's threshold).
    public var foldOfSite: [Int]
    /// The prediction intervals' calibration.
    public var intervals: IntervalSummary?
    /// Every held-out prediction with its interval bounds (coverage inside and outside the AOA).
    public var predictions: [HeldOutPrediction] = []

    /// Creates the evaluation's part of the map inputs.
    public init(table: EvaluationTable, cvModelFolders: [String], foldOfSite: [Int], intervals: IntervalSummary?) {
        self.table = table
        self.cvModelFolders = cvModelFolders
        self.foldOfSite = foldOfSite
        self.intervals = intervals
    }
}

/// Whole-grid maps of every depth with a saved model: tiled dense prediction (resumable and
/// shardable), then the map products of `MapProducts` (COGs, styles, project, quick-looks).
/// Its inputs are in `MapStage+Inputs.swift`, its checks and counts in `MapStage+Checks.swift`.
public enum MapStage {
    /// Runs the map stage with `inputs`, keeping finished tiles in `tiles` (resume, shards). `output`
    /// receives the maps folder; nil predicts tiles only (a shard of several). `merge` only assembles.
    /// `replaceStaleTiles` clears tiles of other models instead of refusing them (a new run).
    /// An error thrown by `observer.mapTileStored` stops the stage with the stored tiles kept.
    public static func run(
        _ settings: MapSettings, stack: CovariateStack, inputs: MapInputs, output: OutputLayout?,
        tiles: String, shard: Share = .whole, merge: Bool = false, replaceStaleTiles: Bool = false,
        observer: MapObserver
    ) throws -> MapResult {
        let predict = settings.predict
        let modelFolder = inputs.model
        try checkSaved(modelFolder, settings)
        let (model, description) = try loadModel(modelFolder, pipeline: settings.file)
        let stack = try modelStack(
            description, stack: stack, settings: settings, modelFolder: modelFolder, observer: observer)
        try checkCompatible(description, stack: stack, modelFolder: modelFolder, pipeline: settings.file)
        let depthCount = description.depths.count
        var ensemble: [TrainedModel] = []
        var ensembleHashes: [String] = []
        if predict.mapsCVModels {
            guard inputs.cvModels.count >= 2 else {
                throw MapStageError(.evaluation, file: settings.file, message: uncertaintyNeedsCVModels)
            }
            for folder in inputs.cvModels {
                let (member, d) = try loadModel(folder, pipeline: settings.file)
                try checkCompatible(d, stack: stack, modelFolder: folder, pipeline: settings.file)
                guard member.halo == model.halo, d.depths == description.depths else {
                    throw MapStageError(
                        .model, file: folder,
                        message:
                            """
                            this cross-validation model has patches of \(member.patchSize) cells and depths \
                            \(d.depths.joined(separator: ", ")), the final model \(model.patchSize) cells and \
                            \(description.depths.joined(separator: ", ")); run `socmap run \(settings.file)` again
                            """
                    )
                }
                ensemble.append(member)
                ensembleHashes.append(try Provenance.hash(folderAt: folder))
            }
        }
        // With residual kriging the maps are the kriged model's: its scores, interval and expected error.
        let scored =
            predict.residualKriging == nil
            ? predict.model.rawValue : ResidualKrigingSettings.scoredName(predict.model.rawValue)
        let krigingPlan = try predict.residualKriging.map {
            try Self.krigingPlan(
                $0, heldOut: inputs.heldOut, sites: inputs.siteLocations, model: predict.model.rawValue,
                depths: description.depths, geographic: stack.grid.crs.isGeographic, file: settings.file)
        }
        var interval =
            predict.uncertainty
            ? try predictionInterval(
                inputs.intervals, predict: predict, model: scored, depths: description.depths, file: settings.file,
                lowerLimit: settings.lowerLimit, upperLimit: settings.validRange?.max) : nil
        if krigingPlan != nil {
            interval?.krigedBands = Self.krigedBands(inputs.intervals, model: scored, depths: description.depths)
        }
        let plan = MapPlan(grid: stack.grid, tileSize: predict.tileSize, halo: model.halo)
        let aoa = predict.aoa ? inputs.applicability : nil
        if predict.aoa, aoa == nil {
            throw MapStageError(.settings, file: settings.file, message: aoaNeedsEvaluation)
        }
        if let aoa, aoa.index.channels != stack.channels.count {
            throw MapStageError(
                .applicability, file: settings.file,
                message:
                    """
                    the training sites have \(aoa.index.channels) channels, the stack \(stack.channels.count); \
                    run `socmap run \(settings.file)` again
                    """
            )
        }
        let expectedErrors = aoa.flatMap {
            errorProfiles($0, heldOut: inputs.heldOut, model: scored, depths: description.depths)
        }
        if aoa != nil, expectedErrors == nil {
            observer.note(
                """
                no expected-error maps: they need the cross-validation's held-out predictions, which this \
                evaluation does not record in a form that can be checked; run `socmap run \(settings.file)` again
                """)
        }
        var manifest = TileManifest(
            plan: plan, maxPatchNodata: predict.maxPatchNodata, model: predict.model.rawValue,
            modelSHA256: try Provenance.hash(folderAt: modelFolder), depths: description.depths,
            cvModelsSHA256: ensembleHashes,
            applicabilitySHA256: aoa.map { SHA256Hasher.hex($0.index.fingerprint) },
            interval: interval?.summary, valueRange: settings.validRange.map { $0.min...$0.max })
        let smearing = try smearingFactors(
            inputs.intervals, description: description, predict: predict, file: settings.file)
        manifest.smearing = smearing?.map(\.factor)
        manifest.errorProfiles = expectedErrors
        manifest.residualKriging = krigingPlan?.kriging.summary
        let shared = model.sharedBlocks
        var predictor = TilePredictor(
            stack: stack, model: model, depths: depthCount, plan: plan, maxPatchNodata: predict.maxPatchNodata,
            ensemble: ensemble, interval: interval, applicability: aoa?.index)
        predictor.valueRange = settings.validRange.map { $0.min...$0.max }
        predictor.smearing = smearing?.map(\.factor)
        predictor.errorProfiles = expectedErrors
        predictor.residualKriging = krigingPlan?.kriging
        if let krigingPlan {
            observer.note(
                "residual kriging of the \(predict.model.rawValue) model's held-out residuals: "
                    + krigingPlan.text(depths: description.depths)
                    + (interval?.krigedBands.map { b in
                        "; the interval scales with the kriging SD at "
                            + zip(description.depths, b).filter { $0.1 != nil }.map(\.0).joined(separator: ", ")
                    }
                        ?? (interval != nil
                            ? "; the interval does not scale with the kriging SD (not needed or not calibrated; "
                                + "evaluation/summary.md)" : ""))
            )
        }
        if replaceStaleTiles, !TileStore.matches(folder: tiles, manifest: manifest) {
            try? FileManager.default.removeItem(atPath: tiles)
        }
        let layout = predictor.layout
        let store = try TileStore(folder: tiles, layers: layout.count, manifest: manifest)

        var predicted = 0
        var cells = 0
        let start = Date()
        if !merge {
            let mine = plan.tiles(shard: shard.index, of: shard.count)
            let todo = store.missing(mine)
            observer.stageStarted(
                """
                predict: \(predict.model.rawValue) maps of \(depthCount) depths, \(plan.tiles.count) \
                \(plan.tiles.count == 1 ? "tile" : "tiles") of \(predict.tileSize) cells
                """
                    + (model.ensembleSize > 1 ? ", the mean of \(model.ensembleSize) ensemble members" : "")
                    + (description.combination.map {
                        ", \($0.members.map(\.rawValue).joined(separator: " and ")) mapped and combined "
                            + ($0.weighting == .equal ? "with equal weights" : "with weights per depth")
                    } ?? "")
                    + (shared > 0
                        ? ", \(DenseMapper.describe(sharedBlocks: shared)) computed once for all depths"
                            + (model.ensembleSize > 1 ? " and members" : "") : "")
                    + (krigingPlan.map { ", residuals kriged (\($0.neighbours) neighbours)" } ?? "")
                    + (shard.count > 1 ? ", shard \(shard) (\(mine.count) tiles)" : "")
                    + (todo.count < mine.count ? ", resuming: \(mine.count - todo.count) tiles already done" : ""))
            let alreadyDone = mine.count - todo.count
            reportDamaged(todo, store: store, observer: observer)
            if output == nil { try store.recordShards(shard.count) }
            try predictor.run(tiles: mine, store: store) { done, total, c in
                cells = c
                let seconds = Date().timeIntervalSince(start)
                observer.progress(
                    "tiles", done: done, total: total,
                    detail: seconds > 0 ? String(format: "%.0f cells/s", Double(c) / seconds) : "")
                if done > alreadyDone { try observer.mapTileStored(done: done, total: total) }
            }
            predicted = todo.count
        }
        let seconds = Date().timeIntervalSince(start)
        var files: [String] = []
        var applicability: ApplicabilityResult?
        var profiles: ProfileProducts.Result?
        let assemble = merge || shard.count == 1
        if assemble, let output {
            // Every tile intact (checksum) and every value plausible before any map is written.
            try checkStoredTiles(plan: plan, store: store, file: settings.file)
            try checkValues(
                plan: plan, store: store, layout: layout, range: settings.validRange, model: predict.model.rawValue,
                depths: description.depths, unit: description.unit, modelFolder: modelFolder, file: settings.file)
            observer.stageStarted("maps: assembling \(depthCount) cloud-optimised GeoTIFFs")
            var catalogue = MapProducts.Catalogue(
                name: predict.name, property: description.property, unit: description.unit,
                model: predict.model.rawValue, depths: description.depths,
                spread: !ensemble.isEmpty, interval: interval?.level,
                applicability: aoa != nil, expectedError: expectedErrors != nil, runName: settings.runName)
            catalogue.points = heldOutPointLayers(settings, depths: description.depths, output: output)
            var extra = [Provenance.Key.model: predict.model.rawValue, Provenance.Key.property: description.property]
            extra[Provenance.Key.statistic] = statisticText(description: description, smearing: smearing)
            if let c = description.combination {
                extra[Provenance.Key.combination] = Self.combinationText(c, depths: description.depths)
            }
            if let krigingPlan {
                extra[Provenance.Key.residualKriging] = krigingPlan.text(depths: description.depths)
            }
            if let aoa {
                let counts = try applicabilityCounts(plan: plan, store: store, layer: layout.aoa!)
                var result = ApplicabilityResult(
                    weights: aoa.weights, rule: aoa.index.rule, threshold: aoa.index.threshold,
                    meanDistance: aoa.index.meanDistance,
                    sites: aoa.index.sites, sitesAbove: aoa.index.trainingDI.filter { !aoa.index.inside($0) }.count,
                    constantChannels: aoa.constantChannels, cellsInside: counts.inside, cellsMapped: counts.mapped)
                result.errorProfiles = expectedErrors ?? []
                result.depths = description.depths
                if let interval, !inputs.heldOut.isEmpty, inputs.intervals?.level == interval.level,
                    inputs.intervals?.method == predict.intervalMethod
                {
                    let inside = aoa.insideOfSite
                    result.intervalCoverage = GroupCoverage.measure(
                        inputs.heldOut, models: [scored], depthLabels: description.depths,
                        groups: ["inside AOA", "outside AOA"]
                    ) { p in inside[p.siteID].map { $0 ? "inside AOA" : "outside AOA" } }
                }
                applicability = result
                extra.merge(result.metadata) { a, _ in a }
                observer.note(
                    String(
                        format: "area of applicability: %.1f %% of the mapped cells (DI threshold %.4g, ",
                        100 * result.shareInside, result.threshold) + "\(result.weights.rawValue) weights)")
            }
            // Cells brought to a limit, per depth: into the maps' metadata, and a note when there are any.
            func recordCounts(_ what: String, _ counts: [(brought: Int, mapped: Int)], key: String) {
                let text =
                    what + ": "
                    + zip(description.depths, counts).map { "\($0) \($1.brought) of \($1.mapped) cells" }.joined(
                        separator: ", ")
                extra[key] = text
                if counts.contains(where: { $0.brought > 0 }) { observer.note(text) }
            }
            let unit = description.unit
            if let interval, let limit = interval.lowerLimit {
                recordCounts(
                    "lower interval bounds below \(NumberText.significant(limit, 6)) \(unit) "
                        + "(the lower end of profiles.valid_range) raised to it",
                    try raisedLowerBounds(plan: plan, store: store, layout: layout, limit: limit).map { ($0, $1) },
                    key: Provenance.Key.intervalLowerLimit)
            }
            if let interval, let limit = interval.upperLimit {
                recordCounts(
                    "upper interval bounds above \(NumberText.significant(limit, 6)) \(unit) "
                        + "(the upper end of profiles.valid_range) lowered to it",
                    try loweredUpperBounds(plan: plan, store: store, layout: layout, limit: limit).map { ($0, $1) },
                    key: Provenance.Key.intervalUpperLimit)
            }
            if interval != nil {
                recordCounts(
                    "cells without an uncertainty (their Q50 is not above 0, so (upper - lower) / Q50 is not defined)",
                    try undefinedUncertainty(plan: plan, store: store, layout: layout).map { ($0, $1) },
                    key: Provenance.Key.undefinedUncertainty)
            }
            if let range = settings.validRange {
                recordCounts(
                    "depth-map values just outside profiles.valid_range \(range) brought to its nearer end "
                        + "(a model's slight over- or undershoot)",
                    try cellsAtRangeEnds(plan: plan, store: store, layout: layout, range: range).map { ($0, $1) },
                    key: Provenance.Key.valueRange)
            }
            var byDepth: [String: String] = [:]
            for depth in description.depths {
                byDepth[depth] = cvScores(inputs.metrics, model: scored, depth: depth, unit: description.unit)
            }
            let evaluated = inputs.metrics != nil && inputs.metricsSHA256 != nil
            let provenance = try Provenance(
                pipelineFile: settings.file, modelFolder: modelFolder, covariates: stack.covariates.map(\.name),
                cvScores: evaluated ? "see the depth maps (this map is for all depths)" : Provenance.notEvaluated,
                cvScoresByDepth: evaluated ? byDepth : [:],
                cvMetricsHash: evaluated ? inputs.metricsSHA256! : Provenance.notEvaluated,
                softwareVersion: softwareVersion,
                extra: extra)
            let analyses = try ProfileStage.settings(
                settings, property: description.property, unit: description.unit,
                depths: description.depths, grid: plan.grid,
                intervalLevel: interval?.level)
            let progress = { (step: String, done: Int, total: Int) in observer.progress(step, done: done, total: total)
            }
            files = try MapProducts.assemble(
                catalogue, plan: plan, store: store, provenance: provenance,
                folder: output.mapsFolder, progress: progress,
                derive: analyses.map { analysis in
                    { folder in
                        observer.stageStarted(
                            "analyses: "
                                + (analysis.stocks == nil ? "depth consistency" : "depth consistency and stocks")
                                + " of the maps, tile by tile")
                        let result = try ProfileProducts.run(
                            analysis, folder: folder, grid: plan.grid,
                            metadata: provenance.metadata(depth: nil), progress: progress)
                        for line in ProfileStage.summary(result, unit: description.unit, property: description.property)
                        { observer.note(line) }
                        profiles = result
                        return (result.sets, result.files)
                    }
                })
            if !predict.keepTiles { try? FileManager.default.removeItem(atPath: store.folder) }
        }
        return MapResult(
            files: files, tilesPredicted: predicted, tilesTotal: plan.tiles.count, cells: cells,
            seconds: seconds, peakMemory: ProcessMemory.peak(), assembled: assemble && output != nil,
            sharedBlocks: shared,
            applicability: applicability, profiles: profiles)
    }
}

/// SOCMap's version, written into the maps' metadata.
public let softwareVersion = "0.1.0"
