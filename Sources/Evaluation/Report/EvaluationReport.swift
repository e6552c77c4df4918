import FileIO
import Foundation

/// Writes a cross-validation report folder: metrics (CSV, JSON), held-out predictions (CSV), a
/// Markdown summary and SVG plots.
///
/// Files: `metrics.csv`, `metrics.json`, `predictions.csv`, `summary.md`,
/// `plots/scatter_<model>.svg` (one per model), `plots/density.svg`, `plots/rmse_by_depth.svg`,
/// with a freeze sweep `freeze_sweep.csv` and `plots/freeze_sweep.svg`, and with prediction intervals
/// `intervals.json`, `plots/interval_coverage.svg` and `plots/interval_coverage_by_fifth.svg` (their coverage also in metrics.json and summary.md), and with
/// zones `zones.csv` and `plots/rmse_by_zone.svg` (also in metrics.json and summary.md), and with the geodist
/// distances `plots/geodist.svg` (also in metrics.json and summary.md), and with the residual variograms
/// `plots/residual_variogram.svg` (also in metrics.json and summary.md), and with the covariate importance
/// `importance.csv`, `plots/permutation_importance.svg` and with partial dependence `partial_dependence.csv` and
/// `plots/partial_dependence.svg` (also in summary.md). Each file is written
/// to a temporary name and renamed into place; nothing depends on the clock, so the same inputs
/// give the same bytes. Files of earlier reports that this one does not write are left alone.
public enum EvaluationReport {
    /// File name of the metrics table in a report folder (read back with `readTable(metricsJSON:)`).
    public static let metricsJSONFile = "metrics.json"
    /// Every held-out prediction, one row per sample (`ReportTables.predictionsCSV`).
    public static let predictionsCSVFile = "predictions.csv"

    /// Writes the report into `folder` (created if missing) and returns the paths written, in order.
    ///
    /// - Parameters:
    ///   - table: the metrics, from `EvaluationTable.build`.
    ///   - predictions: the held-out predictions the table was built from.
    ///   - freezeSweep: the transfer model's metrics per number of frozen layers, if a sweep was run.
    ///   - title: the report's title (e.g. "Edgeroi SOC"), used in the summary and plot headings.
    ///   - unit: the unit of the values (e.g. "g/kg"), printed with RMSE, MAE and axis titles.
    ///   - intervals: the prediction intervals' calibration and measured coverage, if any; the
    ///     predictions' `bounds` then go into predictions.csv as `<model>_q05`, `<model>_q95` (for 0.9).
    ///   - locations: each site's coordinates by site id (grid CRS and WGS84), appended to predictions.csv
    ///     as `x`, `y`, `lon`, `lat` when given.
    ///   - zones: the metrics per zone (`zones.csv`, `plots/rmse_by_zone.svg`, a section of summary.md and
    ///     `zones` in metrics.json), if any.
    ///   - geodist: the nearest-neighbour distances of sites, folds and prediction cells (`plots/geodist.svg`,
    ///     a section of summary.md and `geodist` in metrics.json), if any.
    ///   - variograms: the variograms of the held-out residuals (`plots/residual_variogram.svg`, a section of
    ///     summary.md and `residual_variograms` in metrics.json), if any.
    ///   - combination: the combined model's weights (a section of summary.md, `combination` in metrics.json).
    ///   - importance: the permutation importance, the forests' impurity importance and the partial
    ///     dependence (`importance.csv`, `partial_dependence.csv`, their plots and a section of summary.md), if any.
    @discardableResult
    public static func write(
        table: EvaluationTable, predictions: [HeldOutPrediction],
        freezeSweep: [FreezeSweepEntry]? = nil, intervals: IntervalSummary? = nil,
        locations: [String: SiteLocation]? = nil, zones: ZoneBreakdown? = nil, geodist: Geodist? = nil,
        variograms: ResidualVariograms? = nil, combination: CombinationWeights? = nil,
        importance: CovariateImportance? = nil, to folder: String,
        title: String, unit: String
    ) throws -> [String] {
        var files = try ReportFiles(folder: folder)
        func put(_ text: String, _ relative: String) throws { try files.put(text, relative) }

        let sweep = (freezeSweep?.isEmpty ?? true) ? nil : freezeSweep
        let predictions = ReportTables.canonicalOrder(predictions)
        let predictionsCSV = ReportTables.predictionsCSV(
            predictions, table: table, locations: locations, level: intervals?.level)
        var intervals = intervals
        intervals?.predictionsSHA256 = SHA256Hasher.hex(predictionsCSV)
        try put(ReportTables.metricsCSV(table), "metrics.csv")
        do {
            try put(
                try ReportTables.metricsJSON(
                    table, sweep: sweep, title: title, unit: unit, intervals: intervals, zones: zones,
                    geodist: geodist?.table, variograms: variograms, combination: combination), metricsJSONFile)
            if let intervals { try put(try intervals.json(), IntervalSummary.fileName) }
        } catch let error as EvaluationError {
            throw error
        } catch {
            throw EvaluationError(.writeFailed, path: folder, message: "cannot encode metrics.json: \(error)")
        }
        try put(predictionsCSV, predictionsCSVFile)
        if let zones { try put(ZoneTables.csv(zones), ZoneTables.csvFile) }
        if let sweep { try put(ReportTables.freezeSweepCSV(sweep), "freeze_sweep.csv") }
        if let importance {
            try put(importance.csv(), CovariateImportance.csvFile)
            if let pd = importance.partialDependence { try put(pd.csv(), PartialDependence.csvFile) }
        }

        var plots: [String] = []
        let ranges = ScatterPlot.depthRanges(
            predictions: predictions, models: table.models, depthCount: table.depthLabels.count)
        for (i, (model, name)) in zip(table.models, scatterFileNames(table.models)).enumerated() {
            let relative = "plots/\(name)"
            try put(
                ScatterPlot.render(
                    model: model, modelIndex: i, table: table, predictions: predictions,
                    ranges: ranges, title: title, unit: unit), relative)
            plots.append(relative)
        }
        try put(
            DensityPlot.render(table: table, predictions: predictions, title: title, unit: unit), "plots/density.svg")
        plots.append("plots/density.svg")
        try put(RMSEByDepthPlot.render(table: table, title: title, unit: unit), "plots/rmse_by_depth.svg")
        plots.append("plots/rmse_by_depth.svg")
        if let sweep {
            try put(
                FreezeSweepPlot.render(sweep: sweep, depthLabels: table.depthLabels, title: title, unit: unit),
                "plots/freeze_sweep.svg")
            plots.append("plots/freeze_sweep.svg")
        }
        if let intervals {
            try put(
                IntervalCoveragePlot.render(intervals, depthLabels: table.depthLabels, title: title),
                "plots/interval_coverage.svg")
            plots.append("plots/interval_coverage.svg")
            if let svg = IntervalFifthsPlot.render(intervals, depthLabels: table.depthLabels, title: title) {
                try put(svg, "plots/interval_coverage_by_fifth.svg")
                plots.append("plots/interval_coverage_by_fifth.svg")
            }
        }
        if let zones {
            let relative = "plots/\(ZoneTables.plotFile)"
            try put(ZonePlot.render(zones, title: title, unit: unit), relative)
            plots.append(relative)
        }
        if let geodist {
            try put(GeodistPlot.render(geodist, title: title), Geodist.plotFile)
            plots.append(Geodist.plotFile)
        }
        if let variograms, !variograms.rows.isEmpty {
            try put(
                VariogramPlot.render(
                    variograms, models: table.models, depthLabels: table.depthLabels, title: title, unit: unit),
                ResidualVariograms.plotFile)
            plots.append(ResidualVariograms.plotFile)
        }
        if let importance, let svg = ImportancePlot.render(importance, title: title, unit: unit) {
            try put(svg, CovariateImportance.plotFile)
            plots.append(CovariateImportance.plotFile)
        }
        if let pd = importance?.partialDependence, let svg = PartialDependencePlot.render(pd, title: title, unit: unit)
        {
            try put(svg, PartialDependence.plotFile)
            plots.append(PartialDependence.plotFile)
        }
        try put(
            SummaryMarkdown.render(table: table, sweep: sweep, title: title, unit: unit, plots: plots)
                + (combination.map { $0.markdown() } ?? "")
                + (intervals.map { IntervalReportText.markdown($0, unit: unit) } ?? "")
                + (zones.map { "\n" + ZoneTables.markdown($0, unit: unit) } ?? "")
                + (geodist.map { "\n" + $0.table.markdown() } ?? "")
                + (variograms.map { "\n" + $0.markdown(unit: unit) } ?? "")
                + (importance.map { "\n" + $0.markdown(unit: unit) } ?? ""), "summary.md")
        return files.written
    }

    /// Reads a table back from a report's metrics.json.
    public static func readTable(metricsJSON path: String) throws -> EvaluationTable {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EvaluationError(.invalidInput, path: path, message: "cannot read \(path); check the report folder")
        }
        do {
            let content = try JSONDecoder().decode(ReportTables.ReportJSON.self, from: data)
            return EvaluationTable(
                models: content.models, depthLabels: content.depthLabels,
                folds: content.folds, rows: content.rows,
                design: content.design?.folds == content.folds ? content.design : nil)
        } catch {
            throw EvaluationError(
                .invalidInput, path: path,
                message:
                    "\(path) is not a SOCMap metrics.json: \(error); rewrite the report")
        }
    }

    /// scatter_<model>.svg per model, with file-name-safe names made unique by a numeric suffix.
    static func scatterFileNames(_ models: [String]) -> [String] {
        var used = Set<String>()
        return models.map { model in
            let base = "scatter_" + TextFormatting.fileSafe(model)
            var name = base
            var k = 2
            while used.contains(name.lowercased()) {
                name = "\(base)_\(k)"
                k += 1
            }
            used.insert(name.lowercased())
            return name + ".svg"
        }
    }
}
