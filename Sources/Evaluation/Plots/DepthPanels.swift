import Foundation

/// The frame of the plots with a panel per depth, each with its own axes (the densities, the residual
/// variograms, the permutation importance; the partial dependence has a panel per depth and covariate): a
/// heading, the legend above, the panels in a grid of up to three columns, and the axis titles; `draw`
/// fills each panel, clipped to it.
enum DepthPanels {
    /// One panel: its title and scales, and a note drawn instead of data (nil: `draw` fills it).
    struct Panel {
        /// The title above the panel, e.g. "0–5 cm (n = 322)".
        var title: String
        /// The panel's x scale.
        var x: AxisScale
        /// The panel's y scale.
        var y: AxisScale
        /// A note such as "no held-out samples" shown in an empty panel (nil: the panel has data).
        var emptyNote: String? = nil
        /// Category labels left of the panel instead of y ticks (nil: ticks): label i stands at y = count − i − 0.5
        /// of a y scale from 0 to count, so the first is at the top.
        var yLabels: [String]? = nil
    }

    /// Room left of a panel for its y tick labels or category labels.
    private static func yRoom(_ p: Panel) -> Double {
        guard let labels = p.yLabels else { return PlotPanel.yLabelRoom(p.y) }
        return (labels.map { SVGDocument.textWidth($0, size: PlotPanel.tickFont) }.max() ?? 0) + 10
    }

    /// The SVG text.
    static func render(
        heading: String, legend: Legend, panels: [Panel], xTitle: String, yTitle: String, plotHeight: Double = 160,
        draw: (_ index: Int, _ panel: PlotPanel, _ doc: inout SVGDocument) -> Void
    ) -> String {
        let grid = PanelGrid(count: max(1, panels.count))
        let plotWidth = 250.0
        let tickRoom = panels.map(yRoom).max() ?? 40
        let cellWidth = tickRoom + plotWidth + 22
        let cellHeight = 26 + plotHeight + 28
        let outerLeft = 34.0
        let width = outerLeft + Double(grid.columns) * cellWidth + 8
        let legendHeight = legend.horizontalHeight(maxWidth: width - 40)
        let top = 44 + legendHeight + 8
        let height = top + Double(grid.rows) * cellHeight + 40
        var doc = SVGDocument(width: width, height: height, title: heading)
        doc.heading(heading, y: 28)
        legend.drawHorizontal(&doc, centreX: width / 2, top: 40, maxWidth: width - 40)
        for (k, p) in panels.enumerated() {
            let (column, row) = grid.cell(k)
            let panel = PlotPanel(
                left: outerLeft + Double(column) * cellWidth + tickRoom, top: top + Double(row) * cellHeight + 26,
                width: plotWidth, height: plotHeight, x: p.x, y: p.y)
            panel.drawTitle(&doc, p.title)
            if let note = p.emptyNote {
                panel.drawAxes(&doc, xGrid: false, yGrid: false, xTicks: false, yTicks: false)
                panel.drawNote(&doc, note)
                continue
            }
            if let labels = p.yLabels {
                panel.drawAxes(&doc, yGrid: false, yTicks: false)
                for (i, label) in labels.enumerated() {
                    doc.text(
                        label, x: panel.left - 6,
                        y: panel.py(Double(labels.count - i) - 0.5) + PlotPanel.tickFont * 0.35,
                        size: PlotPanel.tickFont, anchor: .end)
                }
            } else {
                panel.drawAxes(&doc, xGrid: false)
            }
            panel.clip(&doc)
            draw(k, panel, &doc)
            doc.endGroup()
        }
        doc.text(yTitle, x: 18, y: top + Double(grid.rows) * cellHeight / 2, size: 13, anchor: .middle, rotate: -90)
        doc.text(
            xTitle, x: outerLeft + Double(grid.columns) * cellWidth / 2, y: height - 14, size: 13, anchor: .middle)
        return doc.render()
    }
}
