import Foundation

/// The residual variograms, one panel per depth: each model's empirical semivariances (dots) and its
/// fitted model (line), distance from 0 to the cutoff.
enum VariogramPlot {
    /// The SVG text of `variograms` (distances in km when they are metres above 5 km).
    static func render(
        _ variograms: ResidualVariograms, models: [String], depthLabels: [String], title: String, unit: String
    ) -> String {
        let depths = depthLabels.filter { d in variograms.rows.contains { $0.depth == d } }
        let grid = PanelGrid(count: max(1, depths.count))
        let cutoff = variograms.rows.map(\.empirical.cutoff).max() ?? 1
        let (scale, distanceUnit) = variograms.unit == "m" && cutoff > 5000 ? (1000.0, "km") : (1.0, variograms.unit)
        let x = AxisScale.nice(min: 0, max: cutoff / scale, targetTicks: 5, includeZero: true)
        let yScales = depths.map { d -> AxisScale in
            let rows = variograms.rows.filter { $0.depth == d }
            let top = rows.flatMap { r in r.empirical.bins.map(\.gamma) + [r.fit?.sill ?? 0] }.max() ?? 1
            return AxisScale.nice(min: 0, max: top > 0 ? top : 1, targetTicks: 4, includeZero: true)
        }
        let plotWidth = 250.0
        let plotHeight = 160.0
        let tickRoom = yScales.map(PlotPanel.yLabelRoom).max() ?? 40
        let cellWidth = tickRoom + plotWidth + 22
        let cellHeight = 26 + plotHeight + 28
        let outerLeft = 34.0
        let width = outerLeft + Double(grid.columns) * cellWidth + 8
        let legend = Legend(
            models.enumerated().map { i, m in
                Legend.Entry(label: m, key: .line(colour: Palette.model(i), dash: Palette.dash(i), width: 2))
            })
        let legendHeight = legend.horizontalHeight(maxWidth: width - 40)
        let top = 44 + legendHeight + 8
        let height = top + Double(grid.rows) * cellHeight + 40
        let heading = "\(title): variograms of the held-out residuals"
        var doc = SVGDocument(width: width, height: height, title: heading)
        doc.heading(heading, y: 28)
        legend.drawHorizontal(&doc, centreX: width / 2, top: 40, maxWidth: width - 40)
        for (k, depth) in depths.enumerated() {
            let (column, row) = grid.cell(k)
            let panel = PlotPanel(
                left: outerLeft + Double(column) * cellWidth + tickRoom, top: top + Double(row) * cellHeight + 26,
                width: plotWidth, height: plotHeight, x: x, y: yScales[k])
            panel.drawTitle(&doc, TextFormatting.depthDisplay(depth))
            panel.drawAxes(&doc, xGrid: false)
            panel.clip(&doc)
            for (i, model) in models.enumerated() {
                guard let r = variograms.rows.first(where: { $0.model == model && $0.depth == depth }) else { continue }
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
            doc.endGroup()
        }
        let gridMiddleY = top + Double(grid.rows) * cellHeight / 2
        doc.text(
            PlotText.withUnit("Semivariance", unit.isEmpty ? "" : "(\(unit))²"), x: 18, y: gridMiddleY, size: 13,
            anchor: .middle, rotate: -90)
        doc.text(
            PlotText.withUnit("Distance between sites", distanceUnit),
            x: outerLeft + Double(grid.columns) * cellWidth / 2,
            y: height - 14, size: 13, anchor: .middle)
        return doc.render()
    }
}
