import Foundation

/// The transfer model's RMSE and R² against the number of frozen layers F (the paper's Figure S1):
/// one line per depth, a thick black line over all depths.
enum FreezeSweepPlot {
    /// The SVG text; `depthLabels` names the depths in order.
    static func render(sweep: [FreezeSweepEntry], depthLabels: [String], title: String, unit: String) -> String {
        let entries = sweep.sorted { $0.f < $1.f }
        let keys = depthLabels + [EvaluationTable.allDepths]
        let x = AxisScale.integers(entries.map(\.f))
        let metrics: [(key: String, label: String)] = [("rmse", PlotText.withUnit("RMSE", unit)), ("r2", "R²")]

        func series(_ metric: String, _ depth: String) -> [(f: Int, value: Double)] {
            entries.compactMap { e in
                guard let v = e.row(depth: depth)?.metrics.value(metric), v.isFinite else { return nil }
                return (e.f, v)
            }
        }
        let scales = metrics.map { m -> AxisScale in
            let values = keys.flatMap { series(m.key, $0).map(\.value) }
            return AxisScale.nice(min: values.min() ?? 0, max: values.max() ?? 1, targetTicks: 5)
        }

        let legend = Legend.depthSeries(depthLabels)

        let plotWidth = 290.0
        let plotHeight = 230.0
        let tickRoom = scales.map(PlotPanel.yLabelRoom).max() ?? 40
        let cellWidth = 26 + tickRoom + plotWidth + 16
        let outerLeft = 10.0
        let legendLeft = outerLeft + cellWidth * Double(metrics.count) + 10
        let width = legendLeft + legend.verticalWidth + 16
        let top = 64.0
        let height = top + plotHeight + 52
        let heading = "\(title): transfer model by number of frozen layers"
        var doc = SVGDocument(width: width, height: height, title: heading)
        doc.heading(heading, y: 28)

        for (m, metric) in metrics.enumerated() {
            let panelLeft = outerLeft + Double(m) * cellWidth + 26 + tickRoom
            let panel = PlotPanel(left: panelLeft, top: top, width: plotWidth, height: plotHeight, x: x, y: scales[m])
            panel.drawAxes(&doc, xGrid: false)
            panel.drawTitle(&doc, metric.key == "rmse" ? "RMSE" : "R²")
            for (k, key) in keys.enumerated() {
                let isAll = key == EvaluationTable.allDepths
                let colour = isAll ? "#000000" : Palette.ordered(k, of: depthLabels.count)
                let points = series(metric.key, key).map { (x: panel.px(Double($0.f)), y: panel.py($0.value)) }
                doc.polyline(points, stroke: colour, width: isAll ? 3 : 1.6)
                for p in points { doc.circle(p.x, p.y, r: isAll ? 3.5 : 3, fill: colour) }
            }
            doc.text(
                metric.label, x: panelLeft - tickRoom - 12, y: top + plotHeight / 2, size: 13, anchor: .middle,
                rotate: -90)
            doc.text("Frozen layers F", x: panel.left + plotWidth / 2, y: panel.bottom + 36, size: 13, anchor: .middle)
        }
        legend.drawVertical(&doc, left: legendLeft, top: top + 4)
        return doc.render()
    }
}
