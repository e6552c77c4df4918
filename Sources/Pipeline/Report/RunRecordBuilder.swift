import Assessment
import Configuration
import Reports
import Selection

/// Fills the parts of a run's `Reports.RunRecord` (report.json, rendered to report.md and report.html)
/// that the pipeline knows: what the run is, the scores, the covariate selection, the models and what an
/// earlier run left. The stages fill their own sections (`RunInputs.record`, `MapResult.record`,
/// `RunTraining.record`).
enum RunRecordBuilder {
    /// Fills `r`'s run sections. `recovered`: what this run cleared or finished for an interrupted
    /// earlier run; `mapsLeftToPredict`: the pipeline has a 'predict' section but the run left the maps
    /// to `socmap predict` (`--no-maps`).
    static func fill(
        _ r: inout RunRecord, config: PipelineConfig, evaluation: EvaluationResult?, selection: SelectionResult?,
        modelFiles: [String], recovered: [String], mapsLeftToPredict: Bool
    ) {
        r.name = config.name
        r.pipeline = config.file
        r.seed = config.seed
        r.property = config.profiles.property
        r.unit = config.profiles.unit
        if let e = evaluation {
            r.evaluation = .evaluated(e.crossValidation)
            if let s = e.predictionIntervals { r.predictionIntervals = s }
        }
        r.covariateSelection = selection.map(SelectionReport.record)
        r.modelFiles = modelFiles.isEmpty ? nil : modelFiles
        r.recovered = recovered.isEmpty ? nil : recovered
        r.mapsLeftToPredict = mapsLeftToPredict
    }
}
