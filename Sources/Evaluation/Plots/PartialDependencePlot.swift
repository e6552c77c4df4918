import Foundation

/// The partial dependence curves, a panel per depth and covariate (a row per depth, by rank): the mean
/// prediction against the covariate's value, a line through the grid for a continuous covariate and a
/// dot per class for a categorical one (at its class code).
enum PartialDependencePlot {
    /// The SVG text (nil without a curve).
    static func render(_ pd: PartialDependence, title: String, unit: String) -> String? {
        let curves = pd.curves.filter { c in c.values.count == c.predictions.count && !c.values.isEmpty }
        guard !curves.isEmpty else { return nil }
        let panels = curves.map { c -> DepthPanels.Panel in
            let finite = c.predictions.filter(\.isFinite)
            let low = c.values.min()!
            let high = c.values.max()!
            let x =
                c.categorical
                ? AxisScale(
                    lower: low - 0.5, upper: high + 0.5,
                    ticks: AxisScale.nice(min: low, max: high, targetTicks: 5).ticks.filter {
                        $0 >= low && $0 <= high && $0 == $0.rounded()
                    },
                    decimals: 0)
                : AxisScale.nice(min: low, max: high, targetTicks: 4)
            return DepthPanels.Panel(
                title: "\(TextFormatting.depthDisplay(c.depth)): \(c.rank). \(c.covariate)",
                x: x, y: AxisScale.nice(min: finite.min() ?? 0, max: finite.max() ?? 1, targetTicks: 4),
                emptyNote: finite.isEmpty ? "no prediction" : nil)
        }
        let legend = Legend([
            Legend.Entry(
                label: "\(pd.model), continuous covariate (grid of quantiles)",
                key: .lineWithPoint(colour: Palette.model(0), dash: nil, width: 1.6)),
            Legend.Entry(label: "categorical covariate (a class each)", key: .point(colour: Palette.model(1)))
        ])
        return DepthPanels.render(
            heading: "\(title): partial dependence of \(pd.model) (\(pd.fit))", legend: legend, panels: panels,
            xTitle: "Covariate value (its own units; class code for a categorical covariate)",
            yTitle: PlotText.withUnit("Mean prediction", unit)
        ) { k, panel, doc in
            let c = curves[k]
            let points = zip(c.values, c.predictions).filter { $0.1.isFinite }.map {
                (x: panel.px($0.0), y: panel.py($0.1))
            }
            if !c.categorical { doc.polyline(points, stroke: Palette.model(0), width: 1.6) }
            for p in points { doc.circle(p.x, p.y, r: 2.5, fill: Palette.model(c.categorical ? 1 : 0)) }
        }
    }
}
