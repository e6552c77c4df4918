import Foundation
import TextFormat

/// summary.md: the accuracy table like the paper's Table S3 and the freeze sweep, for reading.
enum SummaryMarkdown {
    /// The Markdown text; `plots` lists plot files relative to the report folder.
    static func render(table: EvaluationTable, sweep: [FreezeSweepEntry]?, title: String, unit: String, plots: [String]) -> String {
        var out = "# \(title)\n\n"
        let unitText = unit.isEmpty ? "" : " (RMSE and MAE in \(unit))"
        out += "Accuracy of \(table.models.joined(separator: ", ")) on held-out sites in \(table.folds)-fold "
        out += "cross-validation\(unitText). Each value is computed over every held-out sample of the depth; "
        out += "± is the standard deviation of the metric across folds. Best value per depth in bold "
        out += "(highest R, R² and KGE, lowest RMSE and MAE).\n\n"

        let decimals = errorDecimals(table.rows)
        out += "| Depth | Model | n | R | R² | RMSE | MAE | KGE |\n"
        out += "|---|---|---:|---:|---:|---:|---:|---:|\n"
        for depth in table.depthKeys {
            let rows = table.models.compactMap { table.row(model: $0, depth: depth) }
            let best = bestValues(rows)
            for (i, row) in rows.enumerated() {
                var cells = [i == 0 ? TextFormatting.depthDisplay(depth) : "", escape(row.model), String(row.metrics.n)]
                for (key, _, _) in Metrics.names {
                    let d = (key == "rmse" || key == "mae") ? decimals : 3
                    let value = row.metrics.value(key)
                    var text = NumberText.fixed(value, d, nonFinite: "–")
                    if value.isFinite, let b = best[key], value == b { text = "**\(text)**" }
                    let sd = row.foldSD.value(key)
                    if sd.isFinite { text += " ± \(NumberText.fixed(sd, d, nonFinite: "–"))" }
                    cells.append(text)
                }
                out += "| " + cells.joined(separator: " | ") + " |\n"
            }
        }

        if let sweep, !sweep.isEmpty {
            out += sweepSection(sweep.sorted { $0.f < $1.f }, depthLabels: table.depthLabels, decimals: decimals)
        }
        if !plots.isEmpty {
            out += "\n## Plots\n\n"
            for p in plots { out += "![\(p)](\(p))\n\n" }
        }
        return out
    }

    /// The freeze-sweep tables: all metrics over all depths, then RMSE and R² per depth.
    private static func sweepSection(_ sweep: [FreezeSweepEntry], depthLabels: [String], decimals: Int) -> String {
        var out = "\n## Freeze sweep (transfer model)\n\n"
        out += "F is the number of frozen layers during fine-tuning (0: none; 1: conv1; 2: conv1-conv2; ... "
        out += "6: every layer but the output). Best value per column in bold.\n\n"
        out += "Over all depths:\n\n| F | n | R | R² | RMSE | MAE | KGE |\n|---:|---:|---:|---:|---:|---:|---:|\n"
        let allRows = sweep.map { $0.row(depth: EvaluationTable.allDepths) }
        let best = bestValues(allRows.compactMap { $0 })
        for (entry, row) in zip(sweep, allRows) {
            var cells = [String(entry.f), row.map { String($0.metrics.n) } ?? "–"]
            for (key, _, _) in Metrics.names {
                let d = (key == "rmse" || key == "mae") ? decimals : 3
                let value = row?.metrics.value(key) ?? .nan
                var text = NumberText.fixed(value, d, nonFinite: "–")
                if value.isFinite, let b = best[key], value == b { text = "**\(text)**" }
                if let sd = row?.foldSD.value(key), sd.isFinite { text += " ± \(NumberText.fixed(sd, d, nonFinite: "–"))" }
                cells.append(text)
            }
            out += "| " + cells.joined(separator: " | ") + " |\n"
        }
        let keys = depthLabels + [EvaluationTable.allDepths]
        for (key, label, higher) in [("rmse", "RMSE", false), ("r2", "R²", true)] {
            let d = key == "rmse" ? decimals : 3
            out += "\n\(label) by depth:\n\n| F | " + keys.map(TextFormatting.depthDisplay).joined(separator: " | ") + " |\n"
            out += "|---:|" + String(repeating: "---:|", count: keys.count) + "\n"
            let columnBest = keys.map { depth -> Double? in
                let values = sweep.compactMap { $0.row(depth: depth)?.metrics.value(key) }.filter { $0.isFinite }
                return higher ? values.max() : values.min()
            }
            for entry in sweep {
                var cells = [String(entry.f)]
                for (c, depth) in keys.enumerated() {
                    let value = entry.row(depth: depth)?.metrics.value(key) ?? .nan
                    var text = NumberText.fixed(value, d, nonFinite: "–")
                    if value.isFinite, value == columnBest[c] { text = "**\(text)**" }
                    cells.append(text)
                }
                out += "| " + cells.joined(separator: " | ") + " |\n"
            }
        }
        return out
    }

    /// The best value of each metric among rows (highest or lowest as the metric prefers).
    private static func bestValues(_ rows: [EvaluationTable.Row]) -> [String: Double] {
        var best: [String: Double] = [:]
        for (key, _, higher) in Metrics.names {
            let values = rows.map { $0.metrics.value(key) }.filter { $0.isFinite }
            if let b = higher ? values.max() : values.min() { best[key] = b }
        }
        return best
    }

    /// Decimals for RMSE and MAE: three significant digits of the typical RMSE.
    private static func errorDecimals(_ rows: [EvaluationTable.Row]) -> Int {
        let values = rows.map(\.metrics.rmse).filter { $0.isFinite && $0 > 0 }.sorted()
        return TextFormatting.decimals(forMagnitude: Statistics.quantile(sorted: values, 0.5))
    }

    /// Escapes the table separator in free text.
    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|")
    }
}
