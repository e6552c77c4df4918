import Foundation

/// Measured coverage (PICP) of one model's prediction intervals against the nominal level, one
/// panel per method, one line per depth and a thick black line over all depths; the dashed
/// diagonal is perfect calibration.
enum IntervalCoveragePlot {
    /// The SVG text of `summary.levelSweep`.
    static func render(_ summary: IntervalSummary, depthLabels: [String], title: String) -> String {
        let keys = depthLabels + [EvaluationTable.allDepths]
        let levels = IntervalSummary.sweepLevels
        let x = AxisScale(lower: 0.5, upper: 1, ticks: [0.5, 0.6, 0.7, 0.8, 0.9, 1], decimals: 1)
        let low = summary.levelSweep.map(\.picp).filter(\.isFinite).min() ?? 0.5
        let y = AxisScale.nice(min: min(0.5, low), max: 1, targetTicks: 6)

        let legend = Legend.depthSeries(depthLabels)

        let plotWidth = 290.0
        let plotHeight = 250.0
        let tickRoom = PlotPanel.yLabelRoom(y)
        let cellWidth = 26 + tickRoom + plotWidth + 16
        let methods = IntervalMethod.allCases
        let legendLeft = 10 + cellWidth * Double(methods.count) + 10
        let width = legendLeft + legend.verticalWidth + 16
        let top = 64.0
        let height = top + plotHeight + 52
        let heading = "\(title): interval coverage of \(summary.sweepModel) by nominal level"
        var doc = SVGDocument(width: width, height: height, title: heading)
        doc.heading(heading, y: 28)
        for (m, method) in methods.enumerated() {
            let panelLeft = 10 + Double(m) * cellWidth + 26 + tickRoom
            let panel = PlotPanel(left: panelLeft, top: top, width: plotWidth, height: plotHeight, x: x, y: y)
            panel.drawAxes(&doc)
            panel.drawTitle(&doc, method.rawValue)
            doc.line(panel.px(0.5), panel.py(0.5), panel.px(1), panel.py(1), stroke: "#888888", dash: "5 4")
            for (k, key) in keys.enumerated() {
                let isAll = key == EvaluationTable.allDepths
                let colour = isAll ? "#000000" : Palette.ordered(k, of: depthLabels.count)
                let points = levels.compactMap { level -> (x: Double, y: Double)? in
                    guard
                        let row = summary.levelSweep.first(where: {
                            $0.method == method && $0.depth == key && abs($0.level - level) < 1e-9
                        }), row.picp.isFinite
                    else { return nil }
                    return (x: panel.px(level), y: panel.py(row.picp))
                }
                doc.polyline(points, stroke: colour, width: isAll ? 3 : 1.6)
                for p in points { doc.circle(p.x, p.y, r: isAll ? 3.5 : 3, fill: colour) }
            }
            doc.text(
                "PICP", x: panelLeft - tickRoom - 12, y: top + plotHeight / 2, size: 13, anchor: .middle, rotate: -90)
            doc.text("Nominal level", x: panel.left + plotWidth / 2, y: panel.bottom + 36, size: 13, anchor: .middle)
        }
        legend.drawVertical(&doc, left: legendLeft, top: top + 4)
        return doc.render()
    }
}
