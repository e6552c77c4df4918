import Foundation

/// RMSE per zone as grouped bars, models side by side, one panel per depth (the paper's Fig. 8).
/// Bars of zones with too few held-out samples are drawn pale and their labels marked with "*".
enum ZonePlot {
    /// The SVG text.
    static func render(_ b: ZoneBreakdown, title: String, unit: String) -> String {
        let models = b.models
        let zones = b.zones
        let barWidth = models.count <= 2 ? 12.0 : 8.0
        let groupWidth = max(Double(models.count) * barWidth + 10, 30)
        let plotWidth = max(300, Double(zones.count) * groupWidth)
        var top = 0.0
        for row in b.rows where row.metrics.rmse.isFinite { top = max(top, row.metrics.rmse) }
        let y = AxisScale.nice(min: 0, max: top > 0 ? top : 1, targetTicks: 5, includeZero: true)
        let x = AxisScale(lower: 0, upper: Double(max(1, zones.count)), ticks: [], decimals: 0)
        let yRoom = 30.0 + PlotPanel.yLabelRoom(y)
        let labelRoom = min(
            150, (zones.map { SVGDocument.textWidth(label($0, b: b, depth: nil), size: 10) }.max() ?? 20) * 0.72 + 16)
        let plotHeight = 180.0
        // Room left of the panel for the y labels, or for the first zone's slanted label if that is longer.
        let inset = max(yRoom, labelRoom - groupWidth / 2 + 4)
        let cellWidth = inset + plotWidth + 16
        let cellHeight = 26 + plotHeight + labelRoom
        let grid = PanelGrid(count: max(1, b.depthLabels.count), maxColumns: 2)
        let width = Double(grid.columns) * cellWidth + 20
        let legend = Legend(
            models.enumerated().map { i, m in Legend.Entry(label: m, key: .box(fill: Palette.model(i), stroke: nil)) }
                + [
                    Legend.Entry(
                        label: "pale, *: fewer than \(b.minimumCount) held-out samples",
                        key: .box(fill: "#DDDDDD", stroke: nil))
                ])
        let legendHeight = legend.horizontalHeight(maxWidth: width - 40)
        let gridTop = 44 + legendHeight + 14
        let height = gridTop + Double(grid.rows) * cellHeight + 30
        let heading = "\(title): RMSE by \(b.source)"
        var doc = SVGDocument(width: width, height: height, title: heading)
        doc.heading(heading, y: 28)
        legend.drawHorizontal(&doc, centreX: width / 2, top: 40, maxWidth: width - 40)
        for (d, depth) in b.depthLabels.enumerated() {
            let (column, row) = grid.cell(d)
            let left = 10 + Double(column) * cellWidth + inset
            let panelTop = gridTop + Double(row) * cellHeight + 20
            let panel = PlotPanel(left: left, top: panelTop, width: plotWidth, height: plotHeight, x: x, y: y)
            panel.drawAxes(&doc, xGrid: false, xTicks: false)
            panel.drawTitle(&doc, TextFormatting.depthDisplay(depth))
            for (z, zone) in zones.enumerated() {
                let centre = panel.px(Double(z) + 0.5)
                let groupLeft = centre - Double(models.count) * barWidth / 2
                let few = b.samples[d][z] < b.minimumCount
                for (i, model) in models.enumerated() {
                    guard let r = b.row(model: model, depth: depth, zone: zone.code), r.metrics.rmse.isFinite else {
                        continue
                    }
                    let barLeft = groupLeft + Double(i) * barWidth
                    doc.rect(
                        barLeft + 1, panel.py(r.metrics.rmse), barWidth - 2, panel.bottom - panel.py(r.metrics.rmse),
                        fill: Palette.model(i), opacity: few ? 0.3 : nil)
                }
                doc.text(
                    label(zone, b: b, depth: d), x: centre + 3, y: panel.bottom + 10, size: 10, anchor: .end,
                    rotate: -45)
            }
            doc.text(
                PlotText.withUnit("RMSE", unit), x: left - yRoom + 12, y: panel.top + plotHeight / 2, size: 11,
                anchor: .middle, rotate: -90)
        }
        return doc.render()
    }

    /// "Temperate (n=41)" or "Arid desert* (n=3)"; without a depth, the longest form for sizing.
    private static func label(_ zone: ZoneBreakdown.Zone, b: ZoneBreakdown, depth: Int?) -> String {
        guard let depth, let z = b.zones.firstIndex(of: zone) else { return "\(zone.label)* (n=00000)" }
        let n = b.samples[depth][z]
        return "\(zone.label)\(n < b.minimumCount ? "*" : "") (n=\(n))"
    }
}
