import Evaluation
import Reports

/// What the evaluation puts into a run's record (report.json's "evaluation" and "prediction_intervals")
/// and on the terminal.
extension EvaluationResult {
    /// report.json's "evaluation": the fold design, the rows per depth, then the rows pooled over depths.
    public var crossValidation: RunRecord.CrossValidation {
        var cv = RunRecord.CrossValidation()
        (cv.folds, cv.foldDesignText, cv.foldDesign) = (table.folds, table.designText, table.design)
        (cv.models, cv.depthLabels) = (table.models, table.depthLabels)
        cv.perDepth = table.depthLabels.flatMap { table.rows(depth: $0).map(RunRecord.ScoreRow.init) }
        cv.pooledOverDepths = table.rows(depth: EvaluationTable.allDepths).map(RunRecord.ScoreRow.init)
        cv.unpredicted = unpredicted
        cv.zones = zones.map(RunRecord.Zones.init)
        cv.geodist = geodist
        cv.residualVariograms = variograms
        cv.combination = combination
        cv.importance = importance
        return cv
    }

    /// report.json's "prediction_intervals" (nil without a calibration).
    public var predictionIntervals: RunRecord.PredictionIntervals? {
        guard let s = intervals else { return nil }
        var o = RunRecord.PredictionIntervals()
        (o.level, o.method, o.sweepModel) = (s.level, s.method.rawValue, s.sweepModel)
        o.coverageAllDepths = s.coverage.filter { $0.depth == EvaluationTable.allDepths }.map {
            .init(model: $0.model, method: $0.method.rawValue, picp: $0.picp, meanWidth: $0.meanWidth)
        }
        o.sweepModelCoverage = s.coverage.filter { $0.model == s.sweepModel }.map {
            .init(depth: $0.depth, method: $0.method.rawValue, picp: $0.picp, meanWidth: $0.meanWidth)
        }
        o.sweepModelByFifth = (s.conditional ?? []).filter { $0.model == s.sweepModel }.map {
            var row = RunRecord.PredictionIntervals.Coverage(
                depth: $0.depth, fifth: $0.fifth, method: $0.method.rawValue, picp: $0.picp, meanWidth: $0.meanWidth)
            row.n = $0.n
            return row
        }
        o.sweepModelByZone = (s.byZone ?? []).filter { $0.model == s.sweepModel }.map {
            RunRecord.PredictionIntervals.Coverage(group: $0, method: s.method.rawValue)
        }
        return o
    }

    /// The scores for the terminal: the fold design, per depth and model, then pooled over depths.
    public func terminalScores(unit: String) -> [String] { ScoreTables.terminal(table, unit: unit) }
}
