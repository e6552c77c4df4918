import Foundation
import TextFormat

/// The scores of an `EvaluationTable` as reader's tables: per depth first, then pooled over depths
/// (labelled as such), each table beside the fold design. summary.md, the run's report.md and the
/// terminal all use these, so every place shows the same figures with the same caveats.
///
/// The columns are `Metrics.definitions` in order; a new definition shows up everywhere.
public enum ScoreTables {
    /// Why pooled figures come last: the sentence under the pooled table's heading.
    public static let pooledCaveat = """
        Every held-out sample of every depth together: the differences between depths (deeper soil holds less) count \
        as explained variance, so R² and R come out higher than at any single depth. Compare models per depth.
        """

    /// The Markdown sections "Accuracy per depth" and "Pooled over depths", with `heading` ("##")
    /// as their heading level, the fold design above each table and the units explained.
    public static func markdown(_ table: EvaluationTable, unit: String, heading: String = "##") -> String {
        let decimals = errorDecimals(table.rows)
        let folds = "Folds: \(table.designText).\n\n"
        var out = "\(heading) Accuracy per depth\n\n" + folds + legend(unit: unit) + "\n\n"
        out += "| Depth | Model | n | " + Metrics.definitions.map(\.label).joined(separator: " | ") + " |\n"
        out += "|---|---|---:|" + String(repeating: "---:|", count: Metrics.definitions.count) + "\n"
        for depth in table.depthLabels {
            let rows = table.rows(depth: depth)
            let best = bestValues(rows)
            for (i, row) in rows.enumerated() {
                let cells =
                    [i == 0 ? TextFormatting.depthDisplay(depth) : "", escape(row.model), String(row.metrics.n)]
                    + cellTexts(row, best: best, decimals: decimals)
                out += "| " + cells.joined(separator: " | ") + " |\n"
            }
        }
        let pooled = table.rows(depth: EvaluationTable.allDepths)
        if !pooled.isEmpty {
            out += "\n\(heading) Pooled over depths\n\n" + folds + pooledCaveat + "\n\n"
            out += "| Model | n | " + Metrics.definitions.map(\.label).joined(separator: " | ") + " |\n"
            out += "|---|---:|" + String(repeating: "---:|", count: Metrics.definitions.count) + "\n"
            let best = bestValues(pooled)
            for row in pooled {
                let cells = [escape(row.model), String(row.metrics.n)] + cellTexts(row, best: best, decimals: decimals)
                out += "| " + cells.joined(separator: " | ") + " |\n"
            }
        }
        return out
    }

    /// What the columns mean, for the text above a per-depth table.
    static func legend(unit: String) -> String {
        let inUnit = unit.isEmpty ? "" : " in \(unit)"
        return "Each value is computed over every held-out sample of the depth; ± is the standard deviation of the "
            + "metric across folds. RMSE, MAE and ME\(inUnit); rRMSE is RMSE in percent of the mean observed value; "
            + "ME is the mean error (bias), mean of predicted - observed. Best value per depth in bold "
            + "(highest R, R² and KGE, lowest RMSE, rRMSE and MAE, ME closest to 0)."
    }

    /// Plain-text lines for the end of a run in the terminal: the fold design, one line per depth and
    /// model, then the pooled figures under "pooled over depths".
    public static func terminal(_ table: EvaluationTable, unit: String) -> [String] {
        let decimals = errorDecimals(table.rows)
        let inUnit = unit.isEmpty ? "" : "; RMSE, MAE and ME in \(unit)"
        var lines = ["Cross-validated accuracy per depth (\(table.designText)\(inUnit)):"]
        let depthWidth = max(8, (table.depthLabels + ["pooled"]).map(\.count).max() ?? 0)
        let modelWidth = max(5, table.models.map(\.count).max() ?? 0)
        func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s : s + String(repeating: " ", count: w - s.count) }
        func padLeft(_ s: String, _ w: Int) -> String {
            s.count >= w ? s : String(repeating: " ", count: w - s.count) + s
        }
        let widths = Metrics.definitions.map { max($0.label.count, 8) }
        func line(_ first: String, _ model: String, _ n: String, _ cells: [String]) -> String {
            ("  " + pad(first, depthWidth) + "  " + pad(model, modelWidth) + "  " + padLeft(n, 6) + "  "
                + zip(cells, widths).map { padLeft($0, $1) }.joined(separator: "  "))
                .replacingOccurrences(of: #"\s+$"#, with: "", options: .regularExpression)
        }
        lines.append(line("depth", "model", "n", Metrics.definitions.map(\.label)))
        for depth in table.depthLabels {
            for (i, row) in table.rows(depth: depth).enumerated() {
                lines.append(
                    line(i == 0 ? depth : "", row.model, String(row.metrics.n), plainCells(row, decimals: decimals)))
            }
        }
        let pooled = table.rows(depth: EvaluationTable.allDepths)
        if !pooled.isEmpty {
            lines.append("Pooled over depths (R² inflated by the depth trend; compare per depth):")
            for (i, row) in pooled.enumerated() {
                lines.append(
                    line(i == 0 ? "pooled" : "", row.model, String(row.metrics.n), plainCells(row, decimals: decimals)))
            }
        }
        return lines
    }

    /// One row's metrics as short text for map metadata, e.g. "R2=0.41 RMSE=11.2 rRMSE=25% ME=-0.3
    /// MAE=8.1 KGE=0.52 n=480": three significant digits, "NA" when not finite.
    public static func compact(_ m: Metrics) -> String {
        let f = { (x: Double) in x.isFinite ? String(format: "%.3g", x) : "NA" }
        return """
            R2=\(f(m.r2)) RMSE=\(f(m.rmse)) rRMSE=\(f(m.rrmse))% ME=\(f(m.me)) \
            MAE=\(f(m.mae)) KGE=\(f(m.kge)) n=\(m.n)
            """
    }

    /// The decimals of a metric in tables: three for unitless ones, one for percentages, and for
    /// values in the property's unit about three significant digits of the typical RMSE.
    static func decimals(_ d: MetricDefinition, errorDecimals: Int) -> Int {
        switch d.scale {
        case .unitless: return 3
        case .percent: return 1
        case .valueUnit: return errorDecimals
        }
    }

    /// A row's cells for Markdown: value (bold when best), ± fold SD when known.
    static func cellTexts(_ row: EvaluationTable.Row, best: [String: Double], decimals errorDecimals: Int) -> [String] {
        Metrics.definitions.map { d in
            let places = decimals(d, errorDecimals: errorDecimals)
            let value = row.metrics[keyPath: d.value]
            var text = NumberText.fixed(value, places, nonFinite: "–")
            if d.isBest(value, best[d.key]) { text = "**\(text)**" }
            let sd = row.foldSD.sd[keyPath: d.value]
            if sd.isFinite { text += " ± \(NumberText.fixed(sd, places, nonFinite: "–"))" }
            return text
        }
    }

    /// A row's cells for the terminal: values only ("-" when not finite).
    static func plainCells(_ row: EvaluationTable.Row, decimals errorDecimals: Int) -> [String] {
        Metrics.definitions.map {
            NumberText.fixed(row.metrics[keyPath: $0.value], decimals($0, errorDecimals: errorDecimals), nonFinite: "-")
        }
    }

    /// The best value of each metric among rows (as the metric's definition prefers).
    static func bestValues(_ rows: [EvaluationTable.Row]) -> [String: Double] {
        var best: [String: Double] = [:]
        for d in Metrics.definitions {
            if let b = d.bestValue(rows.map { $0.metrics[keyPath: d.value] }) { best[d.key] = b }
        }
        return best
    }

    /// Decimals for values in the property's unit: three significant digits of the typical RMSE.
    static func errorDecimals(_ rows: [EvaluationTable.Row]) -> Int {
        let values = rows.map(\.metrics.rmse).filter { $0.isFinite && $0 > 0 }.sorted()
        return TextFormatting.decimals(forMagnitude: Statistics.quantile(sorted: values, 0.5))
    }

    /// Escapes the table separator in free text.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|")
    }
}
