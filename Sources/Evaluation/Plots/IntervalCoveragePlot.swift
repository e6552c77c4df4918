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

        return IntervalMethodPanels.render(
            heading: "\(title): interval coverage of \(summary.sweepModel) by nominal level", x: x, y: y,
            xTitle: "Nominal level", legend: Legend.depthSeries(depthLabels)
        ) { method, panel, doc in
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
        }
    }
}
