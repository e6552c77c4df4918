import Foundation

/// The permutation importance, one panel per depth: the depth's top covariates (by the mean over models)
/// from the top, a bar per model of its mean RMSE increase with a whisker of ± 1 SD over the repeats.
enum ImportancePlot {
    /// The SVG text (nil when no depth has a row).
    static func render(_ importance: CovariateImportance, title: String, unit: String) -> String? {
        let models = importance.models
        let depths = importance.depthLabels.filter { !importance.ranked(depth: $0).isEmpty }
        guard !depths.isEmpty else { return nil }
        let shown = depths.map { Array(importance.ranked(depth: $0).prefix(CovariateImportance.shownPerDepth)) }
        let count = shown.map(\.count).max() ?? 1
        let panels = depths.indices.map { k -> DepthPanels.Panel in
            var low = 0.0
            var high = 0.0
            for c in shown[k] {
                for m in models {
                    guard let r = importance.row(model: m, depth: depths[k], covariate: c), r.rmseIncrease.isFinite
                    else { continue }
                    let sd = r.rmseIncreaseSD.isFinite ? r.rmseIncreaseSD : 0
                    low = min(low, r.rmseIncrease - sd)
                    high = max(high, r.rmseIncrease + sd)
                }
            }
            return DepthPanels.Panel(
                title: TextFormatting.depthDisplay(depths[k]),
                x: AxisScale.nice(min: low, max: high > low ? high : low + 1, targetTicks: 4, includeZero: true),
                y: AxisScale(lower: 0, upper: Double(count), ticks: [], decimals: 0),
                yLabels: shown[k].map { $0.count > 24 ? String($0.prefix(23)) + "…" : $0 })
        }
        let legend = Legend(
            models.enumerated().map { i, m in Legend.Entry(label: m, key: .box(fill: Palette.model(i), stroke: nil)) }
                + [
                    Legend.Entry(
                        label: "± 1 SD over \(importance.repeats) permutations",
                        key: .line(colour: Palette.ink, dash: nil, width: 1))
                ])
        return DepthPanels.render(
            heading: "\(title): permutation importance on the held-out folds", legend: legend, panels: panels,
            xTitle: PlotText.withUnit("Increase in held-out RMSE when the covariate is shuffled", unit),
            yTitle: "Covariate", plotHeight: max(160, Double(count * models.count) * 7 + Double(count) * 6)
        ) { k, panel, doc in
            let slot = panel.height / Double(count)
            let barHeight = slot * 0.8 / Double(max(1, models.count))
            for (i, covariate) in shown[k].enumerated() {
                let top = panel.top + Double(i) * slot + slot * 0.1
                for (j, model) in models.enumerated() {
                    guard let r = importance.row(model: model, depth: depths[k], covariate: covariate),
                        r.rmseIncrease.isFinite
                    else { continue }
                    let y = top + Double(j) * barHeight
                    let zero = panel.px(0)
                    let end = panel.px(r.rmseIncrease)
                    doc.rect(min(zero, end), y + 0.5, abs(end - zero), barHeight - 1, fill: Palette.model(j))
                    if r.rmseIncreaseSD.isFinite, r.rmseIncreaseSD > 0 {
                        let middle = y + barHeight / 2
                        doc.line(
                            panel.px(r.rmseIncrease - r.rmseIncreaseSD), middle,
                            panel.px(r.rmseIncrease + r.rmseIncreaseSD), middle, stroke: Palette.ink)
                    }
                }
            }
            doc.line(panel.px(0), panel.top, panel.px(0), panel.bottom, stroke: "#888888")
        }
    }
}
