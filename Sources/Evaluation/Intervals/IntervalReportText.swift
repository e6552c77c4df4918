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
        out += "width\(unit.isEmpty ? "" : " in \(unit)"), both averaged over folds. \(methodsText) "
        out += "The maps use \(s.method.rawValue).\n\n"
        out +=
            "| Depth | Model | "
            + IntervalMethod.allCases.map { "\($0.rawValue) PICP | \($0.rawValue) width" }
            .joined(separator: " | ") + " |\n"
        out += "|---|---|" + String(repeating: "---:|---:|", count: IntervalMethod.allCases.count) + "\n"
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
        if let conditional = s.conditional { out += conditionalMarkdown(conditional, s, percent: percent) }
        if let zones = s.byZone { out += zoneMarkdown(zones.filter { $0.model == s.sweepModel }, s, percent: percent) }
        out += medianMarkdown(s)
        if let back = s.backTransform { out += backTransformMarkdown(back, s) }
        if let kriging = s.krigingVariance { out += kriging.markdown(unit: unit) }
        return out
    }

    /// The sweep model's coverage of the maps' method per zone (rows) and depth (columns), "PICP (n)".
    static func zoneMarkdown(_ rows: [GroupCoverage], _ s: IntervalSummary, percent: String) -> String {
        guard !rows.isEmpty else { return "" }
        var zones: [String] = []
        var depths: [String] = []
        for r in rows {
            if !zones.contains(r.group) { zones.append(r.group) }
            if !depths.contains(r.depth) { depths.append(r.depth) }
        }
        var out = "\n### Coverage by zone (\(s.sweepModel), \(s.method.rawValue), \(percent) %)\n\n"
        out += "PICP of each held-out sample's interval calibrated on the other folds, by the zone of its site "
        out += "(folds pooled; n held-out samples in brackets).\n\n"
        out += "| Zone | " + depths.map(TextFormatting.depthDisplay).joined(separator: " | ") + " |\n"
        out += "|---|" + String(repeating: "---:|", count: depths.count) + "\n"
        for zone in zones {
            let cells = depths.map { d -> String in
                guard let r = rows.first(where: { $0.group == zone && $0.depth == d }), r.n > 0 else { return "–" }
                return NumberText.fixed(r.picp, 3, nonFinite: "–") + " (\(r.n))"
            }
            out += "| \(zone) | " + cells.joined(separator: " | ") + " |\n"
        }
        return out
    }

    /// The share of held-out observations at or below the maps' median (Q0.5) per depth, for the maps' method
    /// and every model (0.5 when the median is one).
    static func medianMarkdown(_ s: IntervalSummary) -> String {
        let rows = s.coverage.filter { $0.method == s.method }
        let models = orderedModels(rows)
        guard !rows.isEmpty, rows.contains(where: { $0.belowMedian.isFinite }) else { return "" }
        var out = "\n### Median (Q0.5)\n\n"
        out += "The maps' Q0.5 is the prediction moved by the median of the other folds' held-out residuals on the "
        out +=
            "\(s.method.rawValue) scale. Share of held-out observations at or below it (0.5 when it is a median):\n\n"
        out += "| Depth | " + models.joined(separator: " | ") + " |\n"
        out += "|---|" + String(repeating: "---:|", count: models.count) + "\n"
        for depth in orderedDepths(rows) {
            out += "| \(TextFormatting.depthDisplay(depth)) | "
            out +=
                models.map { m in
                    NumberText.fixed(
                        rows.first { $0.model == m && $0.depth == depth }?.belowMedian ?? .nan, 3, nonFinite: "–")
                }.joined(separator: " | ") + " |\n"
        }
        return out
    }

    /// What the scores and maps of log1p models hold, and the smearing factors.
    static func backTransformMarkdown(_ back: BackTransform, _ s: IntervalSummary) -> String {
        var out = "\n### Back-transform of the log1p models\n\n"
        switch back {
        case .median:
            out += "The models were fitted on log1p(value); their scores and maps hold expm1 of the prediction, the "
            out += "median, which lies below the mean of a skewed property (the ME column of the scores shows the "
            out += "bias; predict.back_transform: mean corrects it).\n"
        case .mean:
            out += "The models were fitted on log1p(value); their scores and maps hold the mean, (1 + expm1 of the "
            out +=
                "prediction) × Duan's (1983) smearing factor − 1, the factor being the mean of e^r over the held-out "
            out += "residuals r on the log1p scale (each held-out prediction corrected with the factor of the other "
            out += "folds; the maps with that of all). Factors per depth:\n\n"
            let factors = s.smearing ?? []
            let models = factors.map(\.model).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            let depths = factors.map(\.depth).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            out += "| Depth | " + models.joined(separator: " | ") + " |\n"
            out += "|---|" + String(repeating: "---:|", count: models.count) + "\n"
            for depth in depths {
                out += "| \(TextFormatting.depthDisplay(depth)) | "
                out +=
                    models.map { m in
                        NumberText.fixed(s.smearingFactor(model: m, depth: depth)?.factor ?? .nan, 4, nonFinite: "–")
                    }.joined(separator: " | ") + " |\n"
            }
        }
        return out
    }

    /// What each method's band is, for the tables' captions.
    static let methodsText =
        "conformal: prediction ± q; adaptive: prediction ± q · (SD of the CV models + floor); log_conformal: "
        + "(prediction + c) · e^(± q) − c, c a twentieth of the depth's median observation (the band widens with "
        + "the value); scaled_conformal: prediction ± q · r(prediction), r the mean absolute held-out residual "
        + "against the prediction (ten groups by prediction, fitted on the calibration folds only)."

    /// The sweep model's coverage by fifth of the predicted value, per depth and method.
    static func conditionalMarkdown(_ rows: [ConditionalCoverage], _ s: IntervalSummary, percent: String) -> String {
        let mine = rows.filter { $0.model == s.sweepModel }
        guard !mine.isEmpty else { return "" }
        var out = "\n### Coverage where the values are low and high (\(s.sweepModel), \(percent) %)\n\n"
        out += "The held-out samples of each depth in fifths of their predicted value, from the lowest (1) to "
        out += "the highest (5); PICP and mean width of each method within the fifth (folds pooled). An interval "
        out += "that holds on average but not in the highest fifth is too narrow where the values are high. "
        out += "A fifth's PICP scatters by chance: * marks one outside the range where a calibrated band's PICP "
        out += "falls in 95 % of cases with that many samples (binomial), a miss larger than chance.\n\n"
        out += missCountText(mine, method: s.method)
        out +=
            "| Depth | Fifth | Predicted | n | "
            + IntervalMethod.allCases.map { "\($0.rawValue) PICP | width" }
            .joined(separator: " | ") + " |\n"
        out += "|---|---:|---|---:|" + String(repeating: "---:|---:|", count: IntervalMethod.allCases.count) + "\n"
        var depths: [String] = []
        for r in mine where !depths.contains(r.depth) { depths.append(r.depth) }
        for depth in depths {
            for fifth in 1...ConditionalCoverage.groups {
                let here = mine.filter { $0.depth == depth && $0.fifth == fifth }
                guard let first = here.first else { continue }
                var cells = [
                    fifth == 1 ? TextFormatting.depthDisplay(depth) : "", "\(fifth)",
                    "\(NumberText.compact(first.from))–\(NumberText.compact(first.to))", "\(first.n)"
                ]
                for m in IntervalMethod.allCases {
                    let row = here.first { $0.method == m }
                    cells.append(
                        NumberText.fixed(row?.picp ?? .nan, 3, nonFinite: "–") + (row?.isMiss == true ? "*" : ""))
                    cells.append(NumberText.fixed(row?.meanWidth ?? .nan, 2, nonFinite: "–"))
                }
                out += "| " + cells.joined(separator: " | ") + " |\n"
            }
        }
        return out
    }

    /// "The maps' method (log_conformal): 2 of 30 fifths outside ... (by chance about 1.5)." and a blank line.
    static func missCountText(_ rows: [ConditionalCoverage], method: IntervalMethod) -> String {
        let mine = rows.filter { $0.method == method }
        guard !mine.isEmpty else { return "" }
        let misses = mine.filter(\.isMiss).count
        let chance = Double(mine.count) * (1 - CalibratedRange.confidence)
        return """
            The maps' method (\(method.rawValue)): \(misses) of \(mine.count) fifths outside that range (a \
            calibrated band: at most about \(NumberText.trimmed(chance, maxDecimals: 1, nonFinite: "?")) by chance).\n\n
            """
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
