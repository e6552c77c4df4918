import Foundation
import TextFormat

/// The intervals' section of summary.md and their coverage plot.
enum IntervalReportText {
    /// A Markdown table of PICP and mean width per depth, model and method at the summary's level.
    static func markdown(_ s: IntervalSummary, unit: String) -> String {
        let percent = NumberText.trimmed(s.level * 100, maxDecimals: 1, nonFinite: "?")
        var out = "\n## Prediction intervals (\(percent) %)\n\n"
        out += "Coverage of the \(percent) % interval measured by cross-validation: for each fold the interval is "
        out += "calibrated on the held-out residuals of the other folds and tried on the fold's held-out observations. "
        out += "PICP is the share inside (nominal \(NumberText.fixed(s.level, 2, nonFinite: "?"))), width the mean "
        out += "width\(unit.isEmpty ? "" : " in \(unit)"), both averaged over folds. conformal: prediction ± q; "
        out += "adaptive: prediction ± q · (SD of the CV models + floor). The maps use \(s.method.rawValue).\n\n"
        out += "| Depth | Model | conformal PICP | conformal width | adaptive PICP | adaptive width |\n"
        out += "|---|---|---:|---:|---:|---:|\n"
        let depths = orderedDepths(s.coverage)
        let models = orderedModels(s.coverage)
        for depth in depths {
            for (i, model) in models.enumerated() {
                var cells = [i == 0 ? TextFormatting.depthDisplay(depth) : "", model]
                for m in IntervalMethod.allCases {
                    let row = s.coverage.first { $0.model == model && $0.method == m && $0.depth == depth }
                    cells.append(NumberText.fixed(row?.picp ?? .nan, 3, nonFinite: "–"))
                    cells.append(NumberText.fixed(row?.meanWidth ?? .nan, 2, nonFinite: "–"))
                }
                out += "| " + cells.joined(separator: " | ") + " |\n"
            }
        }
        return out
    }

    static func orderedDepths(_ rows: [IntervalCoverage]) -> [String] {
        var seen: [String] = []
        for r in rows where !seen.contains(r.depth) { seen.append(r.depth) }
        return seen
    }

    static func orderedModels(_ rows: [IntervalCoverage]) -> [String] {
        var seen: [String] = []
        for r in rows where !seen.contains(r.model) { seen.append(r.model) }
        return seen
    }
}
