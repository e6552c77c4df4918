import Configuration
import Evaluation
import FileIO
import Foundation
import Mapping
import Models
import Patches
import Workspace

/// What the map stage maps with: from the same run (`socmap run`) or from what an earlier run saved
/// in the output folder (`socmap predict`).
extension MapStage {
    /// The inputs of `run` from the same run: its final model, and the fold models and metrics its
    /// evaluation returned (`socmap run`).
    /// A run without evaluation maps "not evaluated", whatever an earlier run left.
    public static func inputs(
        _ settings: MapSettings, layout: OutputLayout, evaluation: MapEvaluation?, data: PatchDataset
    ) throws -> MapInputs {
        let predict = settings.predict
        var applicability: ApplicabilityFit?
        if predict.aoa {
            guard let folds = evaluation?.foldOfSite, folds.count == data.sites.count else {
                throw MapStageError(.settings, file: settings.file, message: aoaNeedsEvaluation)
            }
            applicability = try ApplicabilityStage.fit(
                predict, data: data, folds: folds, rfFolder: layout.model(.rf), pipeline: settings.file)
        }
        return MapInputs(
            model: layout.model(predict.model),
            cvModels: predict.mapsCVModels ? evaluation?.cvModelFolders ?? [] : [],
            metrics: evaluation?.table,
            metricsSHA256: try evaluation.map { _ in try metricsHash(layout.metricsJSON) },
            applicability: applicability, intervals: evaluation?.intervals, heldOut: evaluation?.predictions ?? [],
            siteLocations: predict.residualKriging != nil ? siteLocations(data) : [:])
    }

    static let aoaNeedsEvaluation =
        "predict.aoa takes its threshold from the cross-validation folds: add an 'evaluate' section"

    /// The dissimilarity index of an earlier run: its patch file's sites, the folds of its evaluation
    /// (`folds`: the evaluation's fold of each site, recomputed from the seed; nil when the pipeline
    /// has no 'evaluate' section) and its random forest's importance.
    static func savedApplicability(
        _ settings: MapSettings, layout: OutputLayout, folds: ((PatchDataset) throws -> [Int])?
    ) throws -> ApplicabilityFit? {
        let predict = settings.predict
        guard predict.aoa else { return nil }
        guard let folds else {
            throw MapStageError(.settings, file: settings.file, message: aoaNeedsEvaluation)
        }
        let data: PatchDataset
        do { data = try PatchFile.read(path: layout.patches) } catch {
            throw MapStageError(
                .applicability, file: layout.patches,
                message:
                    """
                    predict.aoa needs the training sites of the patch file (\(error)); run `socmap run \
                    \(settings.file)` first
                    """
            )
        }
        return try ApplicabilityStage.fit(
            predict, data: data, folds: try folds(data), rfFolder: layout.model(.rf), pipeline: settings.file)
    }

    /// SHA-256 of a metrics.json, an error naming the file when it cannot be read.
    static func metricsHash(_ path: String) throws -> String {
        do { return try SHA256Hasher.hex(fileAt: path) } catch {
            throw MapStageError(.evaluation, file: path, message: "cannot read the evaluation's metrics: \(error)")
        }
    }

    /// The inputs an earlier run saved in `layout` (`socmap predict`): its final model, its fold models
    /// when the maps show their spread, and its metrics.json. `folds` gives the evaluation's fold of
    /// each site of the patch file (nil: the pipeline has no 'evaluate' section), for `predict.aoa`.
    public static func savedInputs(
        _ settings: MapSettings, layout: OutputLayout, folds: ((PatchDataset) throws -> [Int])?
    ) throws -> MapInputs {
        let predict = settings.predict
        try checkSaved(layout.model(predict.model), settings)
        var metrics: EvaluationTable?
        var hash: String?
        let metricsFile = layout.metricsJSON
        if FileManager.default.fileExists(atPath: metricsFile) {
            do { metrics = try EvaluationReport.readTable(metricsJSON: metricsFile) } catch {
                throw MapStageError(
                    .evaluation, file: metricsFile,
                    message: "\(error); run `socmap run` again to rewrite the evaluation")
            }
            hash = try metricsHash(metricsFile)
        }
        let cvModels = predict.mapsCVModels ? layout.cvModelFolders(predict.model) : []
        if predict.mapsCVModels, cvModels.count < 2 {
            throw MapStageError(
                .evaluation, file: layout.cvModels(named: predict.model.rawValue), message: uncertaintyNeedsCVModels)
        }
        // The intervals (and a log1p model's smearing factors): needed with predict.uncertainty, read when there.
        var intervals: IntervalSummary?
        let path = (layout.evaluationFolder as NSString).appendingPathComponent(IntervalSummary.fileName)
        if predict.uncertainty || FileManager.default.fileExists(atPath: path) {
            do { intervals = try IntervalSummary.read(path: path) } catch {
                throw MapStageError(
                    .evaluation, file: path,
                    message:
                        "\(error); the prediction intervals are calibrated by `socmap run` with an 'evaluate' section")
            }
        }
        // The held-out predictions (the expected error and the coverage inside and outside the AOA; the
        // residuals that residual kriging kriges, and the kriged model's).
        var heldOut: [HeldOutPrediction] = []
        let csv = (layout.evaluationFolder as NSString).appendingPathComponent(EvaluationReport.predictionsCSVFile)
        if predict.aoa || predict.residualKriging != nil, let intervals, let sha = intervals.predictionsSHA256 {
            heldOut = try HeldOutTable.read(
                path: csv, sha256: sha,
                models: [predict.model.rawValue]
                    + (predict.residualKriging.map { _ in
                        [ResidualKrigingSettings.scoredName(predict.model.rawValue)]
                    } ?? []), depthLabels: metrics?.depthLabels ?? [], level: intervals.level, pipeline: settings.file)
        } else if predict.residualKriging != nil {
            throw MapStageError(
                .evaluation, file: csv,
                message: """
                    predict.residual_kriging needs the evaluation's held-out residuals, checked against \
                    intervals.json; run `socmap run \(settings.file)` first
                    """)
        }
        var sites: [String: (x: Double, y: Double)] = [:]
        if predict.residualKriging != nil {
            do { sites = siteLocations(try PatchFile.read(path: layout.patches)) } catch {
                throw MapStageError(
                    .evaluation, file: layout.patches,
                    message: """
                        predict.residual_kriging needs the sites of the patch file (\(error)); run `socmap run \
                        \(settings.file)` first
                        """)
            }
        }
        return MapInputs(
            model: layout.model(predict.model), cvModels: cvModels, metrics: metrics, metricsSHA256: hash,
            applicability: try savedApplicability(settings, layout: layout, folds: folds), intervals: intervals,
            heldOut: heldOut, siteLocations: sites)
    }

    /// The model folder must exist: an error saying which run makes it.
    static func checkSaved(_ modelFolder: String, _ settings: MapSettings) throws {
        let kind = settings.predict.model.rawValue
        guard FileManager.default.fileExists(atPath: modelFolder) else {
            throw MapStageError(
                .model, file: modelFolder,
                message:
                    "no saved \(kind) model; run `socmap run \(settings.file)` with '\(kind)' among train.models first"
            )
        }
    }

    /// A saved model (`models/<kind>`, a fold model, the forest of `predict.aoa`), loaded only once its
    /// checksums verify: a damaged one (a file edited, truncated or missing, or no checksum list) is an
    /// error naming the file, saying to train it again with `socmap run` or to restore the folder.
    static func loadModel(
        _ folder: String, pipeline: String
    ) throws -> (model: TrainedModel, description: ModelStore.Description) {
        do { return try ModelStore.load(folder: folder) } catch let e as ModelStore.LoadError {
            guard let damage = e.damage else { throw e }
            throw MapStageError(
                .model, file: folder,
                message: """
                    the saved model is damaged (\(damage)), and no map is made from it; train it again with \
                    `socmap run \(pipeline) --overwrite`, or restore the folder '\(folder)' from a backup
                    """
            )
        }
    }

    /// The pipeline's `predict` section; an error naming `file` (the pipeline) when it has none.
    public static func predictSection(_ predict: PredictConfig?, file: String) throws -> PredictConfig {
        guard let predict else {
            throw MapStageError(
                .settings, file: file,
                message: "the pipeline has no 'predict' section; add one (see pipelines/sample.yaml)")
        }
        return predict
    }

    static let uncertaintyNeedsCVModels =
        """
        the CV spread (predict.cv_spread) needs the cross-validation models; run the pipeline with 'evaluate', \
        predict.uncertainty: true and predict.cv_spread: true
        """
}
