import Foundation

/// A forest plot of a study: one panel per depth (and pooled), one row per variant, the variant's
/// RMSE minus a baseline's with its paired bootstrap interval; left of zero is better.
enum StudyDifferencePlot {
    /// The SVG text for the differences to `baseline`.
    static func render(_ study: StudyComparison, baseline: String, title: String, unit: String) -> String {
        let keys = study.table.depthKeys
        let variants = study.table.models.filter { $0 != baseline }
        let rowHeight = 18.0
        let panelWidth = 150.0
        let gap = 40.0
        let labelRoom = (variants.map { SVGDocument.textWidth($0, size: 11) }.max() ?? 40) + 16
        let plotTop = 58.0
        let plotHeight = max(Double(variants.count) * rowHeight, rowHeight)
        let width = 16 + labelRoom + Double(keys.count) * (panelWidth + gap)
        let height = plotTop + plotHeight + 76
        let heading = """
            \(title): RMSE difference to \(baseline), paired bootstrap \
            \(Int((study.level * 100).rounded())) % intervals
            """
        var doc = SVGDocument(width: width, height: height, title: heading)
        doc.heading(heading, y: 26)
        let rows = AxisScale(lower: 0, upper: Double(max(variants.count, 1)), ticks: [], decimals: 0)
        for (v, name) in variants.enumerated() {
            doc.text(
                name, x: 12 + labelRoom - 8, y: plotTop + (Double(v) + 0.5) * rowHeight + 4, size: 11, anchor: .end)
        }
        for (k, key) in keys.enumerated() {
            let found = variants.compactMap { study.difference($0, baseline, depth: key)?.rmse }
            let values = found.flatMap { [$0.lower, $0.upper, $0.difference] }.filter(\.isFinite)
            let x = AxisScale.nice(min: values.min() ?? -1, max: values.max() ?? 1, targetTicks: 3, includeZero: true)
            let left = 12 + labelRoom + Double(k) * (panelWidth + gap)
            let panel = PlotPanel(left: left, top: plotTop, width: panelWidth, height: plotHeight, x: x, y: rows)
            panel.drawAxes(&doc, yGrid: false, yTicks: false)
            doc.line(panel.px(0), panel.top, panel.px(0), panel.bottom, stroke: "#888888", dash: "4 3")
            doc.text(
                TextFormatting.depthDisplay(key), x: left + panelWidth / 2, y: plotTop - 8, size: 12, anchor: .middle,
                bold: true)
            for (v, name) in variants.enumerated() {
                guard let d = study.difference(name, baseline, depth: key)?.rmse, d.difference.isFinite else {
                    continue
                }
                let y = panel.top + (Double(v) + 0.5) * rowHeight
                let colour = d.upper < 0 ? "#009E73" : (d.lower > 0 ? "#D55E00" : Palette.ink)
                if d.lower.isFinite, d.upper.isFinite {
                    doc.line(panel.px(d.lower), y, panel.px(d.upper), y, stroke: colour, width: 1.5)
                }
                doc.circle(panel.px(d.difference), y, r: 3.2, fill: colour)
            }
        }
        doc.text(
            PlotText.withUnit("RMSE(variant) − RMSE(\(baseline))", unit)
                + ": green = better, orange = worse (interval excludes 0)",
            x: width / 2, y: height - 40, size: 12, anchor: .middle)
        doc.text(
            """
            Intervals: \(study.resamples) resamples of sites (all samples of a site \
            together), same folds for every variant
            """,
            x: width / 2, y: height - 20, size: 11, anchor: .middle)
        return doc.render()
    }
}
