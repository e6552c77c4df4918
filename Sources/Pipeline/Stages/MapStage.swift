import Applicability
import Assessment
import Configuration
import Evaluation
import Foundation
import Mapping
import Models
import NeuralNet
import Patches
import RasterIO
import Runtime
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

    /// Creates the inputs.
    public init(
        model: String, cvModels: [String] = [], metrics: EvaluationTable? = nil, metricsSHA256: String? = nil,
        applicability: ApplicabilityFit? = nil, intervals: IntervalSummary? = nil
    ) {
        self.model = model
        self.cvModels = cvModels
        self.metrics = metrics
        self.metricsSHA256 = metricsSHA256
        self.applicability = applicability
        self.intervals = intervals
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
    /// Leading blocks computed once per tile for all depths (frozen in fine-tuning, or mtcnn's trunk; see `DenseMapper`).
    public var sharedBlocks: Int
    /// The area of applicability (`predict.aoa`) when its maps were assembled.
    public var applicability: ApplicabilityResult? = nil
    /// The depth consistency and carbon stocks of the assembled maps (`predict.depth_consistency`, `stocks`).
    public var profiles: ProfileProducts.Result? = nil
}

/// Whole-grid maps of every depth with a saved model: tiled dense prediction (resumable and
/// shardable), then the map products of `MapProducts` (COGs, styles, project, quick-looks).
public enum MapStage {
    /// The inputs of `run` from the same run: its final model, and the fold models and metrics its
    /// evaluation returned (`socmap run`).
    /// A run without evaluation maps "not evaluated", whatever an earlier run left.
    static func inputs(
        _ config: PipelineConfig, _ predict: PredictConfig, layout: OutputLayout, evaluation: EvaluationResult?,
        data: PatchDataset
    ) throws -> MapInputs {
        var applicability: ApplicabilityFit?
        if predict.aoa {
            guard let folds = evaluation?.foldOfSite, folds.count == data.sites.count else {
                throw PipelineError(stage: .predict, file: config.file, message: aoaNeedsEvaluation)
            }
            applicability = try ApplicabilityStage.fit(predict, data: data, folds: folds, rfFolder: layout.model(.rf))
        }
        return MapInputs(
            model: layout.model(predict.model), cvModels: predict.mapsCVModels ? evaluation?.cvModelFolders ?? [] : [],
            metrics: evaluation?.table,
            metricsSHA256: try evaluation.map { _ in try metricsHash(layout.metricsJSON) },
            applicability: applicability, intervals: evaluation?.intervals)
    }

    static let aoaNeedsEvaluation =
        "predict.aoa takes its threshold from the cross-validation folds: add an 'evaluate' section"

    /// The dissimilarity index of an earlier run: its patch file's sites, the folds of its evaluation
    /// (recomputed from the seed) and its random forest's importance.
    static func savedApplicability(
        _ config: PipelineConfig, _ predict: PredictConfig, layout: OutputLayout
    ) throws -> ApplicabilityFit? {
        guard predict.aoa else { return nil }
        guard let evaluate = config.evaluate else {
            throw PipelineError(stage: .predict, file: config.file, message: aoaNeedsEvaluation)
        }
        let data: PatchDataset
        do { data = try PatchFile.read(path: layout.patches) } catch {
            throw PipelineError(
                stage: .predict, file: layout.patches,
                message:
                    "predict.aoa needs the training sites of the patch file (\(error)); run `socmap run \(config.file)` first"
            )
        }
        let folds = try RunTraining.plan(config, evaluate.bySites, data: data).foldOfSite
        return try ApplicabilityStage.fit(predict, data: data, folds: folds, rfFolder: layout.model(.rf))
    }

    /// SHA-256 of a metrics.json, an error naming the file when it cannot be read.
    static func metricsHash(_ path: String) throws -> String {
        do { return try SHA256Hasher.hex(fileAt: path) } catch {
            throw PipelineError(stage: .predict, file: path, message: "cannot read the evaluation's metrics: \(error)")
        }
    }

    /// The inputs an earlier run saved in `layout` (`socmap predict`): its final model, its fold models
    /// when the maps show their spread, and its metrics.json.
    static func savedInputs(
        _ config: PipelineConfig, _ predict: PredictConfig, layout: OutputLayout
    ) throws -> MapInputs {
        try checkSaved(layout.model(predict.model), config, predict)
        var metrics: EvaluationTable?
        var hash: String?
        if FileManager.default.fileExists(atPath: layout.metricsJSON) {
            do { metrics = try EvaluationReport.readTable(metricsJSON: layout.metricsJSON) } catch {
                throw PipelineError(
                    stage: .predict, file: layout.metricsJSON,
                    message: "\(error); run `socmap run` again to rewrite the evaluation")
            }
            hash = try metricsHash(layout.metricsJSON)
        }
        let cvModels = predict.mapsCVModels ? layout.cvModelFolders(predict.model) : []
        if predict.mapsCVModels, cvModels.count < 2 {
            throw PipelineError(
                stage: .predict, file: layout.cvModels(predict.model), message: uncertaintyNeedsCVModels)
        }
        var intervals: IntervalSummary?
        if predict.uncertainty {
            let path = (layout.evaluationFolder as NSString).appendingPathComponent(IntervalSummary.fileName)
            do { intervals = try IntervalSummary.read(path: path) } catch {
                throw PipelineError(
                    stage: .predict, file: path,
                    message:
                        "\(error); the prediction intervals are calibrated by `socmap run` with an 'evaluate' section")
            }
        }
        return MapInputs(
            model: layout.model(predict.model), cvModels: cvModels, metrics: metrics, metricsSHA256: hash,
            applicability: try savedApplicability(config, predict, layout: layout), intervals: intervals)
    }

    /// The model folder must exist: an error saying which run makes it.
    static func checkSaved(_ modelFolder: String, _ config: PipelineConfig, _ predict: PredictConfig) throws {
        guard FileManager.default.fileExists(atPath: modelFolder) else {
            throw PipelineError(
                stage: .predict, file: modelFolder,
                message:
                    "no saved \(predict.model.rawValue) model; run `socmap run \(config.file)` with '\(predict.model.rawValue)' among train.models first"
            )
        }
    }

    /// The pipeline's `predict` section; an error naming the file when it has none.
    static func predictSection(_ config: PipelineConfig) throws -> PredictConfig {
        guard let predict = config.predict else {
            throw PipelineError(
                stage: .predict, file: config.file,
                message: "the pipeline has no 'predict' section; add one (see pipelines/sample.yaml)")
        }
        return predict
    }

    static let uncertaintyNeedsCVModels =
        "the CV spread (predict.cv_spread) needs the cross-validation models; run the pipeline with 'evaluate', predict.uncertainty: true and predict.cv_spread: true"

    /// Runs the map stage with `inputs`, keeping finished tiles in `tiles` (resume, shards). `output`
    /// receives the maps folder; nil predicts tiles only (a shard of several). `merge` only assembles.
    /// `replaceStaleTiles` clears tiles of other models instead of refusing them (a new run).
    /// An error thrown by `observer.mapTileStored` stops the stage with the stored tiles kept.
    public static func run(
        _ config: PipelineConfig, stack: CovariateStack, inputs: MapInputs, output: OutputLayout?,
        tiles: String, shard: Share = .whole, merge: Bool = false, replaceStaleTiles: Bool = false,
        observer: PipelineObserver
    ) throws -> MapResult {
        let predict = try predictSection(config)
        let modelFolder = inputs.model
        try checkSaved(modelFolder, config, predict)
        let (model, description) = try ModelStore.load(folder: modelFolder)
        // With `select` the model reads only the selected covariates: the ones its model.json's channels name.
        let stack =
            config.select == nil ? stack : stack.selecting(covariates: Set(description.channels.map(\.covariate)))
        try checkCompatible(description, stack: stack, modelFolder: modelFolder, pipeline: config.file)
        let depthCount = description.depths.count
        var ensemble: [TrainedModel] = []
        var ensembleHashes: [String] = []
        if predict.mapsCVModels {
            guard inputs.cvModels.count >= 2 else {
                throw PipelineError(stage: .predict, file: config.file, message: uncertaintyNeedsCVModels)
            }
            for folder in inputs.cvModels {
                let (member, d) = try ModelStore.load(folder: folder)
                try checkCompatible(d, stack: stack, modelFolder: folder, pipeline: config.file)
                guard member.halo == model.halo, d.depths == description.depths else {
                    throw PipelineError(
                        stage: .predict, file: folder,
                        message:
                            "this cross-validation model has patches of \(member.patchSize) cells and depths \(d.depths.joined(separator: ", ")), the final model \(model.patchSize) cells and \(description.depths.joined(separator: ", ")); run `socmap run \(config.file)` again"
                    )
                }
                ensemble.append(member)
                ensembleHashes.append(try Provenance.hash(folderAt: folder))
            }
        }
        let interval =
            predict.uncertainty
            ? try predictionInterval(
                inputs.intervals, predict: predict, depths: description.depths, file: config.file,
                lowerLimit: config.profiles.validRange?.min) : nil
        let plan = MapPlan(grid: stack.grid, tileSize: predict.tileSize, halo: model.halo)
        let aoa = predict.aoa ? inputs.applicability : nil
        if predict.aoa, aoa == nil {
            throw PipelineError(stage: .predict, file: config.file, message: aoaNeedsEvaluation)
        }
        if let aoa, aoa.index.channels != stack.channels.count {
            throw PipelineError(
                stage: .predict, file: config.file,
                message:
                    "the training sites have \(aoa.index.channels) channels, the stack \(stack.channels.count); run `socmap run \(config.file)` again"
            )
        }
        let manifest = TileManifest(
            plan: plan, maxPatchNodata: predict.maxPatchNodata, model: predict.model.rawValue,
            modelSHA256: try Provenance.hash(folderAt: modelFolder), depths: description.depths,
            cvModelsSHA256: ensembleHashes,
            applicabilitySHA256: aoa.map { SHA256Hasher.hex($0.index.fingerprint) },
            interval: interval?.summary)
        let shared = model.sharedBlocks
        let predictor = TilePredictor(
            stack: stack, model: model, depths: depthCount, plan: plan, maxPatchNodata: predict.maxPatchNodata,
            ensemble: ensemble, interval: interval, applicability: aoa?.index)
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
                "predict: \(predict.model.rawValue) maps of \(depthCount) depths, \(plan.tiles.count) \(plan.tiles.count == 1 ? "tile" : "tiles") of \(predict.tileSize) cells"
                    + (model.ensembleSize > 1 ? ", the mean of \(model.ensembleSize) ensemble members" : "")
                    + (shared > 0
                        ? ", \(DenseMapper.describe(sharedBlocks: shared)) computed once for all depths"
                            + (model.ensembleSize > 1 ? " and members" : "") : "")
                    + (shard.count > 1 ? ", shard \(shard) (\(mine.count) tiles)" : "")
                    + (todo.count < mine.count ? ", resuming: \(mine.count - todo.count) tiles already done" : ""))
            let alreadyDone = mine.count - todo.count
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
            observer.stageStarted("maps: assembling \(depthCount) cloud-optimised GeoTIFFs")
            var catalogue = MapProducts.Catalogue(
                name: predict.name, property: description.property, unit: description.unit,
                model: predict.model.rawValue, depths: description.depths,
                spread: !ensemble.isEmpty, interval: interval?.level,
                applicability: aoa != nil, runName: config.name)
            catalogue.points = heldOutPointLayers(config, predict, depths: description.depths, output: output)
            var extra = [Provenance.Key.model: predict.model.rawValue, Provenance.Key.property: description.property]
            if let aoa {
                let counts = try applicabilityCounts(plan: plan, store: store, layer: layout.aoa!)
                let result = ApplicabilityResult(
                    weights: aoa.weights, rule: aoa.index.rule, threshold: aoa.index.threshold,
                    meanDistance: aoa.index.meanDistance,
                    sites: aoa.index.sites, sitesAbove: aoa.index.trainingDI.filter { !aoa.index.inside($0) }.count,
                    constantChannels: aoa.constantChannels, cellsInside: counts.inside, cellsMapped: counts.mapped)
                applicability = result
                extra.merge(result.metadata) { a, _ in a }
                observer.note(
                    String(
                        format: "area of applicability: %.1f %% of the mapped cells (DI threshold %.4g, ",
                        100 * result.shareInside, result.threshold) + "\(result.weights.rawValue) weights)")
            }
            if let interval, let limit = interval.lowerLimit {
                let raised = try raisedLowerBounds(plan: plan, store: store, layout: layout, limit: limit)
                let unit = description.unit
                let text =
                    "lower interval bounds below \(NumberText.significant(limit, 6)) \(unit) (the lower end of profiles.valid_range) raised to it: "
                    + zip(description.depths, raised).map { "\($0) \($1.raised) of \($1.mapped) cells" }.joined(
                        separator: ", ")
                extra[Provenance.Key.intervalLowerLimit] = text
                if raised.contains(where: { $0.raised > 0 }) { observer.note(text) }
            }
            var byDepth: [String: String] = [:]
            for depth in description.depths {
                byDepth[depth] = cvScores(inputs.metrics, model: predict.model, depth: depth, unit: description.unit)
            }
            let evaluated = inputs.metrics != nil && inputs.metricsSHA256 != nil
            let provenance = try Provenance(
                pipelineFile: config.file, modelFolder: modelFolder, covariates: stack.covariates.map(\.name),
                cvScores: evaluated ? "see the depth maps (this map is for all depths)" : Provenance.notEvaluated,
                cvScoresByDepth: evaluated ? byDepth : [:],
                cvMetricsHash: evaluated ? inputs.metricsSHA256! : Provenance.notEvaluated,
                softwareVersion: softwareVersion,
                extra: extra)
            let analyses = try ProfileStage.settings(
                config, predict, property: description.property, unit: description.unit,
                depths: description.depths, grid: plan.grid,
                intervalLevel: interval?.level)
            let progress = { (step: String, done: Int, total: Int) in observer.progress(step, done: done, total: total)
            }
            files = try MapProducts.assemble(
                catalogue, plan: plan, store: store, provenance: provenance,
                folder: output.mapsFolder, progress: progress,
                derive: analyses.map { settings in
                    { folder in
                        observer.stageStarted(
                            "analyses: "
                                + (settings.stocks == nil ? "depth consistency" : "depth consistency and stocks")
                                + " of the maps, tile by tile")
                        let result = try ProfileProducts.run(
                            settings, folder: folder, grid: plan.grid,
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

    /// Per depth, mapped cells whose lower interval bound sits at `limit` (raised to it) and cells
    /// mapped, from the stored tiles' lower-bound layers (`layout.lower(depth)`).
    static func raisedLowerBounds(
        plan: MapPlan, store: TileStore, layout: TileLayers,
        limit: Double
    ) throws -> [(raised: Int, mapped: Int)] {
        let depths = layout.depths
        var counts = [(raised: Int, mapped: Int)](repeating: (0, 0), count: depths)
        let bound = Float(limit)
        for (t, window) in plan.tiles.enumerated() {
            let layers = try store.read(t, cells: window.cellCount)
            for d in 0..<depths {
                for v in layers[layout.lower(d)!] where v.isFinite {
                    counts[d].mapped += 1
                    if v == bound { counts[d].raised += 1 }
                }
            }
        }
        return counts
    }

    /// Cells inside the AOA and cells mapped, from the AOA layer of the stored tiles.
    static func applicabilityCounts(plan: MapPlan, store: TileStore, layer: Int) throws -> (inside: Int, mapped: Int) {
        var inside = 0
        var mapped = 0
        for (t, window) in plan.tiles.enumerated() {
            for v in try store.read(t, cells: window.cellCount)[layer] where v.isFinite {
                mapped += 1
                if v == 1 { inside += 1 }
            }
        }
        return (inside, mapped)
    }

    /// The mapped model's calibrated interval at every depth of the model, from cross-validation, its
    /// bounds kept at or above `lowerLimit` (the lower end of profiles.valid_range): an
    /// error naming the depth and `predict.interval` when a depth has none (too few residuals), or
    /// when the evaluation was calibrated at another level.
    static func predictionInterval(
        _ intervals: IntervalSummary?, predict: PredictConfig, depths: [String],
        file: String, lowerLimit: Double?
    ) throws -> PredictionInterval {
        guard let intervals else {
            throw PipelineError(
                stage: .predict, file: file,
                message:
                    "the prediction intervals need the cross-validation's held-out residuals; run the pipeline with an 'evaluate' section"
            )
        }
        guard abs(intervals.level - predict.interval) < 1e-12 else {
            throw PipelineError(
                stage: .predict, file: file,
                message:
                    "the evaluation calibrated intervals at \(intervals.level), predict.interval asks for \(predict.interval); run `socmap run \(file)` again"
            )
        }
        var q: [Double] = []
        var floors: [Double] = []
        for depth in depths {
            let model = predict.model.rawValue
            guard let c = intervals.calibration(model: model, method: predict.intervalMethod, depth: depth),
                let h = c.q, h.isFinite
            else {
                throw PipelineError(
                    stage: .predict, file: file,
                    message:
                        "depth \(depth): no calibrated \(predict.intervalMethod.rawValue) interval of the \(model) model at predict.interval \(predict.interval) (a \(predict.interval) interval needs at least \(ConformalQuantile.minimumCount(level: predict.interval)) held-out residuals per depth); lower predict.interval or add samples"
                )
            }
            q.append(h)
            floors.append(c.floor)
        }
        return PredictionInterval(
            level: predict.interval, adaptive: predict.intervalMethod == .adaptive, halfWidths: q, floors: floors,
            lowerLimit: lowerLimit)
    }

    /// The model must have been trained on the same channels with the same scaling.
    static func checkCompatible(
        _ d: ModelStore.Description, stack: CovariateStack, modelFolder: String, pipeline: String
    ) throws {
        let names = stack.channels.map(\.name)
        let trained = d.channels.map(\.name)
        guard names == trained else {
            throw PipelineError(
                stage: .predict, file: modelFolder,
                message:
                    "the model was trained on other covariates (\(trained.count) channels) than the stack has (\(names.count)); retrain with `socmap run \(pipeline)`"
            )
        }
        for (a, b) in zip(stack.channels, d.channels)
        where abs(a.min - b.min) > 1e-6 * max(1, abs(a.min)) || abs(a.max - b.max) > 1e-6 * max(1, abs(a.max)) {
            throw PipelineError(
                stage: .predict, file: modelFolder,
                message:
                    "covariate '\(a.name)' is scaled differently than when the model was trained (range \(a.min)..\(a.max), trained on \(b.min)..\(b.max)); retrain the model"
            )
        }
    }

    /// The CV scores stamped on the map of `depth`: that depth's cross-validated metrics of `model`
    /// and how they were made, e.g. "0-5cm: R2=0.41 RMSE=11.2 rRMSE=25.1% ME=-0.3 MAE=8.1 KGE=0.52
    /// n=480 (transfer, g/kg, 5-fold CV of randomly grouped sites, seed 2025)", or "not evaluated".
    /// The held-out sites' layers for the project when their GeoPackage is in this run's output (or, for
    /// `socmap predict` of a pipeline with `evaluate`, was published by the run): one per depth, styled on the
    /// mapped model's relative bias. A run without `evaluate` has none, even while an earlier run's are still published.
    static func heldOutPointLayers(
        _ config: PipelineConfig, _ predict: PredictConfig, depths: [String],
        output: OutputLayout
    ) -> [QGISProject.PointLayer] {
        guard config.evaluate != nil else { return [] }
        let here = [output.path(OutputLayout.heldOutSites), OutputLayout(config).path(OutputLayout.heldOutSites)]
        guard here.contains(where: { FileManager.default.fileExists(atPath: $0) }) else { return [] }
        let fromMaps = "../" + OutputLayout.heldOutSites  // the project is in maps/, beside evaluation/
        return depths.map { depth in
            QGISProject.PointLayer(
                name: OutputLayout.heldOutLayer(depth: depth), path: fromMaps,
                layer: OutputLayout.heldOutLayer(depth: depth), field: "rbias_" + predict.model.rawValue,
                stylePath: "../" + OutputLayout.heldOutSitesStyle,
                group: "Held-out sites: relative bias of \(predict.model.rawValue)")
        }
    }

    static func cvScores(_ metrics: EvaluationTable?, model: ModelKind, depth: String, unit: String) -> String {
        guard let metrics, let row = metrics.row(model: model.rawValue, depth: depth) else {
            return Provenance.notEvaluated
        }
        let design = metrics.design?.shortDescription ?? "\(metrics.folds)-fold CV, fold design not recorded"
        let unitText = unit.isEmpty ? "" : ", \(unit)"
        return "\(depth): \(ScoreTables.compact(row.metrics)) (\(model.rawValue)\(unitText), \(design))"
    }
}

/// SOCMap's version, written into the maps' metadata.
public let softwareVersion = "0.1.0"
