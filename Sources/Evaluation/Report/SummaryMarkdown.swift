import Foundation
import TextFormat

/// summary.md: the accuracy table like the paper's Table S3 and the freeze sweep, for reading.
enum SummaryMarkdown {
    /// The Markdown text; `plots` lists plot files relative to the report folder. Per-depth scores
    /// lead; the figures pooled over depths follow under their own heading; every table has the
    /// fold design above it.
    static func render(
        table: EvaluationTable, sweep: [FreezeSweepEntry]?, title: String, unit: String, plots: [String]
    ) -> String {
        var out = "# \(title)\n\n"
        out += "Accuracy of \(table.models.joined(separator: ", ")) on held-out sites: \(table.designText). "
        out += """
            Scores per depth come first; the figures pooled over all depths, which the depth \
            trend inflates, come after them.\n\n
            """
        out += ScoreTables.markdown(table, unit: unit)
        if let sweep, !sweep.isEmpty {
            out += sweepSection(
                sweep.sorted { $0.f < $1.f }, depthLabels: table.depthLabels,
                decimals: ScoreTables.errorDecimals(table.rows), design: table.designText)
        }
        if !plots.isEmpty {
            out += "\n## Plots\n\n"
            for p in plots { out += "![\(p)](\(p))\n\n" }
        }
        return out
    }

    /// The freeze-sweep tables: RMSE and R² per depth, then all metrics pooled over depths.
    private static func sweepSection(
        _ sweep: [FreezeSweepEntry], depthLabels: [String], decimals: Int, design: String
    ) -> String {
        var out = "\n## Freeze sweep (transfer model)\n\n"
        out += "F is the number of frozen layers during fine-tuning (0: none; 1: conv1; 2: conv1-conv2; ... "
        out += "6: every layer but the output). Best value per column in bold. Folds: \(design).\n\n"
        let keys = depthLabels + [EvaluationTable.allDepths]
        for (key, label, higher) in [("rmse", "RMSE", false), ("r2", "R²", true)] {
            let d = key == "rmse" ? decimals : 3
            out +=
                "\(label) per depth (the last column pooled over depths):\n\n| F | "
                + keys.map(TextFormatting.depthDisplay).joined(separator: " | ") + " |\n"
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
            out += "\n"
        }
        out += "All metrics pooled over depths (R² and R inflated by the depth trend; compare per depth above):\n\n"
        out += "| F | n | " + Metrics.definitions.map(\.label).joined(separator: " | ") + " |\n"
        out += "|---:|---:|" + String(repeating: "---:|", count: Metrics.definitions.count) + "\n"
        let pooledRows = sweep.map { $0.row(depth: EvaluationTable.allDepths) }
        let best = ScoreTables.bestValues(pooledRows.compactMap { $0 })
        for (entry, row) in zip(sweep, pooledRows) {
            let cells =
                [String(entry.f), row.map { String($0.metrics.n) } ?? "–"]
                + (row.map { ScoreTables.cellTexts($0, best: best, decimals: decimals) }
                    ?? Metrics.definitions.map { _ in "–" })
            out += "| " + cells.joined(separator: " | ") + " |\n"
        }
        return out
    }
}
