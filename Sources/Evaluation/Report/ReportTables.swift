import Foundation
import TextFormat

/// The report's data files as text: metrics.csv, predictions.csv, freeze_sweep.csv and metrics.json.
enum ReportTables {
    /// The columns after the leading key column of metrics.csv and freeze_sweep.csv: depth, n, each
    /// metric of `Metrics.definitions`, folds, and each metric's fold-to-fold SD (`<key>_sd`).
    static var metricColumns: [String] {
        ["depth", "n"] + Metrics.definitions.map(\.key) + ["folds"] + Metrics.definitions.map { $0.key + "_sd" }
    }

    /// One CSV line of a row's metrics and fold spread, after the key field.
    private static func metricFields(_ row: EvaluationTable.Row) -> [String] {
        let m = row.metrics
        let s = row.foldSD
        return [CSVText.field(row.depth), String(m.n)]
            + Metrics.definitions.map { TextFormatting.csvNumber(m[keyPath: $0.value]) }
            + [String(s.folds)]
            + Metrics.definitions.map { TextFormatting.csvNumber(s.sd[keyPath: $0.value]) }
    }

    /// metrics.csv: one line per model and depth (all depths as "all").
    static func metricsCSV(_ table: EvaluationTable) -> String {
        var lines = [(["model"] + metricColumns).joined(separator: ",")]
        for row in table.rows {
            lines.append(([CSVText.field(row.model)] + metricFields(row)).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// freeze_sweep.csv: one line per F and depth.
    static func freezeSweepCSV(_ sweep: [FreezeSweepEntry]) -> String {
        var lines = [(["f"] + metricColumns).joined(separator: ",")]
        for entry in sweep.sorted(by: { $0.f < $1.f }) {
            for row in entry.rows { lines.append(([String(entry.f)] + metricFields(row)).joined(separator: ",")) }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// predictions.csv: site, depth label, fold, observed, then one column per model (NA when
    /// missing), then with `level` the held-out interval bounds of every model that has them,
    /// `<model>_q05` and `<model>_q95` for 0.9 (NA where missing), then with `locations` the site's x, y
    /// (grid CRS) and lon, lat (WGS84; NA when unknown); sorted by site and depth so the bytes do not
    /// depend on the order folds finished.
    static func predictionsCSV(
        _ predictions: [HeldOutPrediction], table: EvaluationTable,
        locations: [String: SiteLocation]? = nil, level: Double? = nil
    ) -> String {
        let bounded = level == nil ? [] : table.models.filter { m in predictions.contains { $0.bounds[m] != nil } }
        let boundNames =
            level.map { l in
                bounded.flatMap {
                    [$0 + "_" + QuantileText.name((1 - l) / 2), $0 + "_" + QuantileText.name((1 + l) / 2)]
                }
            } ?? []
        var lines = [
            (["site", "depth", "fold", "observed"] + table.models.map(CSVText.field) + boundNames.map(CSVText.field)
                + (locations == nil ? [] : ["x", "y", "lon", "lat"])).joined(separator: ",")
        ]
        lines.reserveCapacity(predictions.count + 1)
        for p in canonicalOrder(predictions) {
            let depth = table.depthLabels.indices.contains(p.depth) ? table.depthLabels[p.depth] : String(p.depth)
            var fields = [
                CSVText.field(p.siteID), CSVText.field(depth), String(p.fold),
                TextFormatting.csvNumber(p.observed)
            ]
            for m in table.models { fields.append(TextFormatting.csvNumber(p.predicted[m] ?? .nan)) }
            for m in bounded {
                fields.append(TextFormatting.csvNumber(p.bounds[m]?.lower ?? .nan))
                fields.append(TextFormatting.csvNumber(p.bounds[m]?.upper ?? .nan))
            }
            if let locations {
                let l = locations[p.siteID]
                fields += [l?.x, l?.y, l?.lon, l?.lat].map { TextFormatting.csvNumber($0 ?? .nan) }
            }
            lines.append(fields.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Predictions sorted by site, then depth (stable), so output never depends on the order folds finished.
    static func canonicalOrder(_ predictions: [HeldOutPrediction]) -> [HeldOutPrediction] {
        predictions.enumerated().sorted { a, b in
            if a.element.siteID != b.element.siteID { return a.element.siteID < b.element.siteID }
            if a.element.depth != b.element.depth { return a.element.depth < b.element.depth }
            return a.offset < b.offset
        }.map(\.element)
    }

    /// The content of metrics.json.
    struct ReportJSON: Codable, Equatable {
        var title: String
        var unit: String
        var folds: Int
        var design: FoldDesign?
        var models: [String]
        var depthLabels: [String]
        var rows: [EvaluationTable.Row]
        var freezeSweep: [FreezeSweepEntry]?
        var intervals: IntervalSummary?
        var zones: ZoneBreakdown?
        var geodist: GeodistTable?
        var residualVariograms: ResidualVariograms?
        var combination: CombinationWeights?

        enum CodingKeys: String, CodingKey {
            case title, unit, folds, design, models, rows, intervals, zones, geodist, combination
            case depthLabels = "depth_labels"
            case freezeSweep = "freeze_sweep"
            case residualVariograms = "residual_variograms"
        }
    }

    /// metrics.json: the table (pooled metrics, fold SDs and per-fold metrics), the freeze sweep, the intervals,
    /// zones, geodist, residual variograms and the combined model's weights; keys sorted, NaN as null.
    static func metricsJSON(
        _ table: EvaluationTable, sweep: [FreezeSweepEntry]?, title: String, unit: String,
        intervals: IntervalSummary? = nil, zones: ZoneBreakdown? = nil, geodist: GeodistTable? = nil,
        variograms: ResidualVariograms? = nil, combination: CombinationWeights? = nil
    ) throws -> String {
        let content = ReportJSON(
            title: title, unit: unit, folds: table.folds, design: table.design, models: table.models,
            depthLabels: table.depthLabels, rows: table.rows,
            freezeSweep: sweep?.sorted { $0.f < $1.f }, intervals: intervals, zones: zones, geodist: geodist,
            residualVariograms: variograms, combination: combination)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(content)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
