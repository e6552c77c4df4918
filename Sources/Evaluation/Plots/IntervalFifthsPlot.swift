import Foundation

/// Measured coverage (PICP) of the sweep model's intervals in each fifth of the predicted value, one
/// panel per method, one line per depth; the dashed line is the nominal level, and the grey bar of a
/// fifth is where a calibrated band's PICP falls in 95 % of cases with its samples (`CalibratedRange`,
/// for the depth with the fewest: the widest). A band that holds on average but falls below the bar in
/// fifth 5 is too narrow where the values are high.
enum IntervalFifthsPlot {
    /// The SVG text of `summary.conditional` for the sweep model; nil when there are no such rows.
    static func render(_ summary: IntervalSummary, depthLabels: [String], title: String) -> String? {
        let rows = (summary.conditional ?? []).filter { $0.model == summary.sweepModel }
        guard !rows.isEmpty else { return nil }
        let groups = ConditionalCoverage.groups
        let x = AxisScale(
            lower: 0.5, upper: Double(groups) + 0.5, ticks: (1...groups).map(Double.init), decimals: 0)
        let low = rows.map(\.picp).filter(\.isFinite).min() ?? 0.5
        let y = AxisScale.nice(min: min(0.5, low), max: 1, targetTicks: 6)
        let percent = Int((summary.level * 100).rounded())
        return IntervalMethodPanels.render(
            heading: "\(title): \(percent) % interval coverage of \(summary.sweepModel) by fifth of the prediction",
            x: x, y: y, xTitle: "Fifth of the predicted value (1 lowest)",
            legend: Legend.depthSeries(depthLabels, pooled: false)
        ) { method, panel, doc in
            for fifth in 1...groups {
                let n = rows.filter { $0.method == method && $0.fifth == fifth }.map(\.n).min() ?? 0
                guard let range = CalibratedRange.picp(n: n, level: summary.level) else { continue }
                let top = panel.py(min(range.upperBound, y.upper))
                let bottom = panel.py(max(range.lowerBound, y.lower))
                doc.rect(
                    panel.px(Double(fifth) - 0.2), top, panel.px(Double(fifth) + 0.2) - panel.px(Double(fifth) - 0.2),
                    bottom - top, fill: "#dddddd")
            }
            doc.line(
                panel.px(0.5), panel.py(summary.level), panel.px(Double(groups) + 0.5), panel.py(summary.level),
                stroke: "#888888", dash: "5 4")
            for (k, depth) in depthLabels.enumerated() {
                let colour = Palette.ordered(k, of: depthLabels.count)
                let points = rows.filter { $0.method == method && $0.depth == depth && $0.picp.isFinite }
                    .sorted { $0.fifth < $1.fifth }
                    .map { (x: panel.px(Double($0.fifth)), y: panel.py($0.picp)) }
                doc.polyline(points, stroke: colour, width: 1.6)
                for p in points { doc.circle(p.x, p.y, r: 3, fill: colour) }
            }
        }
    }
}
