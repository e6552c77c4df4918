import Foundation
import Mapping
import Models
import NeuralNet
import Patches
import RasterIO
import TextFormat

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
}

/// Whole-grid maps of every depth with a saved model: tiled dense prediction (resumable and
/// shardable), one cloud-optimised GeoTIFF per depth, QGIS styles and project, quick-looks.
public enum MapStage {
    /// Runs the map stage with the models in `inputs` (and its cross-validation models and
    /// metrics, when there), keeping finished tiles in `tiles` (resume, shards). `output` receives
    /// the maps folder; nil predicts tiles only (a shard of several). `merge` only assembles.
    /// `replaceStaleTiles` clears tiles of other models instead of refusing them (a new run).
    public static func run(_ config: PipelineConfig, stack: CovariateStack, inputs: OutputLayout, output: OutputLayout?,
                           tiles: String, shard: Shard = .whole, merge: Bool = false, replaceStaleTiles: Bool = false,
                           observer: PipelineObserver) throws -> MapResult {
        guard let predict = config.predict else {
            throw PipelineError(stage: "predict", file: config.file, message: "the pipeline has no 'predict' section; add one (see pipelines/sample.yaml)")
        }
        let modelFolder = inputs.model(predict.model)
        guard FileManager.default.fileExists(atPath: modelFolder) else {
            throw PipelineError(stage: "predict", file: modelFolder,
                                message: "no saved \(predict.model.rawValue) model; run `socmap run \(config.file)` with '\(predict.model.rawValue)' among train.models first")
        }
        let (model, description) = try ModelStore.load(folder: modelFolder)
        try checkCompatible(description, stack: stack, modelFolder: modelFolder, pipeline: config.file)
        let depthCount = description.depths.count
        let plan = MapPlan(grid: stack.grid, tileSize: predict.tileSize, patchSize: description.patchSize)
        let modelHash = try Provenance.hash(folderAt: modelFolder)
        var ensemble: [TrainedModel] = []
        var ensembleHashes: [String] = []
        if predict.uncertainty {
            let cvFolder = inputs.cvModels(predict.model)
            let folds = ((try? FileManager.default.contentsOfDirectory(atPath: cvFolder)) ?? []).filter { $0.hasPrefix("fold_") }.sorted()
            guard folds.count >= 2 else {
                throw PipelineError(stage: "predict", file: cvFolder,
                                    message: "uncertainty needs the cross-validation models; run the pipeline with 'evaluate' and predict.uncertainty: true")
            }
            for fold in folds {
                let path = (cvFolder as NSString).appendingPathComponent(fold)
                ensemble.append(try ModelStore.load(folder: path).model)
                ensembleHashes.append(try Provenance.hash(folderAt: path))
            }
        }
        let manifest = """
            {"grid": \(JSONText.quoted(stack.grid.description)), "geotransform": \(stack.grid.transform.coefficients), \
            "tile_size": \(predict.tileSize), "patch_size": \(description.patchSize), "max_patch_nodata": \(predict.maxPatchNodata), \
            "model": \(JSONText.quoted(predict.model.rawValue)), "model_sha256": \(JSONText.quoted(modelHash)), "depths": \(description.depths.map(JSONText.quoted)), \
            "cv_models_sha256": \(ensembleHashes.map(JSONText.quoted))}
            """
        let shared = model.sharedBlocks
        let predictor = TilePredictor(stack: stack, model: model, depths: depthCount, plan: plan, maxPatchNodata: predict.maxPatchNodata,
                                      ensemble: ensemble)
        if replaceStaleTiles, !TileStore.matches(folder: tiles, manifest: manifest) {
            try? FileManager.default.removeItem(atPath: tiles)
        }
        let store = try TileStore(folder: tiles, layers: predictor.layers, manifest: manifest)

        var predicted = 0, cells = 0
        let start = Date()
        if !merge {
            let mine = plan.tiles(shard: shard.index, of: shard.count)
            let todo = store.missing(mine)
            observer.stageStarted("predict: \(predict.model.rawValue) maps of \(depthCount) depths, \(plan.tiles.count) \(plan.tiles.count == 1 ? "tile" : "tiles") of \(predict.tileSize) cells"
                                  + (shared > 0 ? ", \(DenseMapper.describe(sharedBlocks: shared)) computed once for all depths" : "")
                                  + (shard.count > 1 ? ", shard \(shard) (\(mine.count) tiles)" : "")
                                  + (todo.count < mine.count ? ", resuming: \(mine.count - todo.count) tiles already done" : ""))
            // Test hook: SOCMAP_KILL_AFTER_TILES=n sends this process SIGKILL after n new tiles (resume tests).
            let killAfter = ProcessInfo.processInfo.environment["SOCMAP_KILL_AFTER_TILES"].flatMap(Int.init)
            let alreadyDone = mine.count - todo.count
            try predictor.run(tiles: mine, store: store) { done, total, c in
                cells = c
                if let killAfter, done - alreadyDone >= killAfter { kill(getpid(), SIGKILL) }
                let seconds = Date().timeIntervalSince(start)
                observer.progress("tiles", done: done, total: total,
                                  detail: seconds > 0 ? String(format: "%.0f cells/s", Double(c) / seconds) : "")
            }
            predicted = todo.count
        }
        let seconds = Date().timeIntervalSince(start)
        var files: [String] = []
        let assemble = merge || shard.count == 1
        if assemble, let output {
            observer.stageStarted("maps: assembling \(depthCount) cloud-optimised GeoTIFFs")
            files = try assembleMaps(config, predict: predict, plan: plan, store: store, description: description,
                                     stack: stack, modelFolder: modelFolder, metrics: inputs.metricsCSV,
                                     folder: output.mapsFolder, observer: observer)
            if !predict.keepTiles { try? FileManager.default.removeItem(atPath: store.folder) }
        }
        return MapResult(files: files, tilesPredicted: predicted, tilesTotal: plan.tiles.count, cells: cells,
                         seconds: seconds, peakMemory: peakResidentMemory(), assembled: assemble && output != nil, sharedBlocks: shared)
    }

    /// The model must have been trained on the same channels with the same scaling.
    static func checkCompatible(_ d: ModelStore.Description, stack: CovariateStack, modelFolder: String, pipeline: String) throws {
        let names = stack.channels.map(\.name)
        let trained = d.channels.map(\.name)
        guard names == trained else {
            throw PipelineError(stage: "predict", file: modelFolder,
                                message: "the model was trained on other covariates (\(trained.count) channels) than the stack has (\(names.count)); retrain with `socmap run \(pipeline)`")
        }
        for (a, b) in zip(stack.channels, d.channels) where abs(a.min - b.min) > 1e-6 * max(1, abs(a.min)) || abs(a.max - b.max) > 1e-6 * max(1, abs(a.max)) {
            throw PipelineError(stage: "predict", file: modelFolder,
                                message: "covariate '\(a.name)' is scaled differently than when the model was trained (range \(a.min)..\(a.max), trained on \(b.min)..\(b.max)); retrain the model")
        }
    }

    static func assembleMaps(_ config: PipelineConfig, predict: PredictConfig, plan: MapPlan, store: TileStore,
                             description: ModelStore.Description, stack: CovariateStack, modelFolder: String, metrics: String,
                             folder: String, observer: PipelineObserver) throws -> [String] {
        let fm = FileManager.default
        try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let bases = description.depths.map { "\(predict.name)_\($0)" }
        let withSpread = store.layers > bases.count
        let names = bases + (withSpread ? bases.map(MapNames.spread) + bases.map { MapNames.quantile($0, 0.05) }
                                          + bases.map { MapNames.quantile($0, 0.95) } : [])
        let staging = names.map { (folder as NSString).appendingPathComponent(".\($0).assembling.tif") }
        defer { for s in staging { try? fm.removeItem(atPath: s); try? fm.removeItem(atPath: s + ".aux.xml") } }
        var cv = "not evaluated"
        if let text = try? String(contentsOfFile: metrics, encoding: .utf8) {
            cv = cvSummary(csv: text, model: predict.model.rawValue) ?? cv
        }
        let provenance = try Provenance(
            pipelineFile: config.file, modelFolder: modelFolder, covariates: stack.covariates.map(\.name), cvScores: cv,
            softwareVersion: softwareVersion,
            extra: ["SOCMAP_MODEL": predict.model.rawValue, "SOCMAP_PROPERTY": description.property])
        let d0 = description.depths.map { "\(description.property) \($0) (\(description.unit)), \(predict.model.rawValue) model" }
        let descriptions = d0 + (withSpread ? d0.map { $0 + ": SD of the CV models" } + d0.map { $0 + ": 5 % quantile of the CV models" }
                                              + d0.map { $0 + ": 95 % quantile of the CV models" } : [])
        try MapAssembler.write(plan: plan, store: store, paths: staging, descriptions: descriptions, unit: description.unit,
                               metadata: [:]) { done, total in observer.progress("assemble", done: done, total: total) }
        var files: [String] = []
        for (k, name) in names.enumerated() {
            var metadata = provenance.metadata
            metadata["SOCMAP_DEPTH"] = description.depths[k % bases.count]
            try COG.write(from: staging[k], to: (folder as NSString).appendingPathComponent(name + ".tif"), metadata: metadata)
            files.append(name + ".tif")
            observer.progress("cloud-optimised GeoTIFFs", done: k + 1, total: names.count)
        }
        let titles = description.depths.map { $0.replacingOccurrences(of: "cm", with: " cm") }
        func set(_ title: String, _ layerNames: [String], ramp: ColourRamp, sheet: String) -> MapProducts.MapSet {
            MapProducts.MapSet(title: title, maps: zip(layerNames, titles).map { MapProducts.Map(name: $0, title: $1) },
                               unit: description.unit, ramp: ramp, contactSheet: sheet)
        }
        var sets = [set("\(description.property) (\(description.unit)), \(predict.model.rawValue)", bases, ramp: .socDefault,
                        sheet: "\(predict.name)_contact_sheet.png")]
        if withSpread {
            let n = bases.count
            sets.append(set("SD of the CV models", Array(names[n..<2 * n]), ramp: .uncertainty, sheet: "\(predict.name)_sd_contact_sheet.png"))
            sets.append(set("5 % quantile of the CV models", Array(names[2 * n..<3 * n]), ramp: .socDefault,
                            sheet: "\(predict.name)_q05_contact_sheet.png"))
            sets.append(set("95 % quantile of the CV models", Array(names[3 * n..<4 * n]), ramp: .socDefault,
                            sheet: "\(predict.name)_q95_contact_sheet.png"))
        }
        let written = try MapProducts.write(sets: sets, folder: folder, projectName: "\(predict.name)_maps",
                                            title: "\(config.name): \(description.property) maps")
        return files + written.files
    }

    /// "R2 0.50, RMSE 0.51 (all depths, 10-fold CV)" from metrics.csv.
    static func cvSummary(csv: String, model: String) -> String? {
        let lines = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        guard let header = lines.first, let r2 = header.firstIndex(of: "r2"), let rmse = header.firstIndex(of: "rmse"),
              let folds = header.firstIndex(of: "folds"),
              let row = lines.first(where: { $0.count == header.count && $0[0] == model && $0[1] == "all" }) else { return nil }
        let f = { (s: String) in Double(s).map { String(format: "%.3g", $0) } ?? s }
        return "R2=\(f(row[r2])) RMSE=\(f(row[rmse])) (all depths, \(row[folds])-fold CV)"
    }

    /// Peak resident set size (VmHWM) of this process, from /proc.
    static func peakResidentMemory() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return 0 }
        let kb = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
        return kb * 1024
    }
}

/// SOCMap's version, written into the maps' metadata.
public let softwareVersion = "0.1.0"
