import Foundation

/// The residual variograms, one panel per depth: each model's empirical semivariances (dots) and its
/// fitted model (line), distance from 0 to the cutoff.
enum VariogramPlot {
    /// The SVG text of `variograms` (distances in km when they are metres above 5 km).
    static func render(
        _ variograms: ResidualVariograms, models: [String], depthLabels: [String], title: String, unit: String
    ) -> String {
        let depths = depthLabels.filter { d in variograms.rows.contains { $0.depth == d } }
        let cutoff = variograms.rows.map(\.empirical.cutoff).max() ?? 1
        let (scale, distanceUnit) = variograms.unit == "m" && cutoff > 5000 ? (1000.0, "km") : (1.0, variograms.unit)
        let x = AxisScale.nice(min: 0, max: cutoff / scale, targetTicks: 5, includeZero: true)
        let yScales = depths.map { d -> AxisScale in
            let rows = variograms.rows.filter { $0.depth == d }
            let top = rows.flatMap { r in r.empirical.bins.map(\.gamma) + [r.fit?.sill ?? 0] }.max() ?? 1
            return AxisScale.nice(min: 0, max: top > 0 ? top : 1, targetTicks: 4, includeZero: true)
        }
        let legend = Legend(
            models.enumerated().map { i, m in
                Legend.Entry(label: m, key: .line(colour: Palette.model(i), dash: Palette.dash(i), width: 2))
            })
        let panels = depths.indices.map {
            DepthPanels.Panel(title: TextFormatting.depthDisplay(depths[$0]), x: x, y: yScales[$0])
        }
        return DepthPanels.render(
            heading: "\(title): variograms of the held-out residuals", legend: legend, panels: panels,
            xTitle: PlotText.withUnit("Distance between sites", distanceUnit),
            yTitle: PlotText.withUnit("Semivariance", unit.isEmpty ? "" : "(\(unit))²")
        ) { k, panel, doc in
            for (i, model) in models.enumerated() {
                guard let r = variograms.rows.first(where: { $0.model == model && $0.depth == depths[k] }) else {
                    continue
                }
                for bin in r.empirical.bins {
                    doc.circle(panel.px(bin.distance / scale), panel.py(bin.gamma), r: 2.5, fill: Palette.model(i))
                }
                if let fit = r.fit {
                    let points = (0...120).map { j -> (x: Double, y: Double) in
                        let h = r.empirical.cutoff * Double(j) / 120
                        return (panel.px(h / scale), panel.py(j == 0 ? fit.nugget : fit.gamma(h)))
                    }
                    doc.polyline(points, stroke: Palette.model(i), width: 1.6, dash: Palette.dash(i))
                }
            }
        }
    }
}
