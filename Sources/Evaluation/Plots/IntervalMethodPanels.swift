import Foundation

/// The frame both interval plots share: a heading, one PICP panel per interval method side by side
/// (axes, method title, "PICP" and the x-axis title), and the depth legend on the right; `draw` fills
/// each panel.
enum IntervalMethodPanels {
    /// The SVG text: `x` and `y` scale every panel, `draw` draws one method's series into its panel.
    static func render(
        heading: String, x: AxisScale, y: AxisScale, xTitle: String, legend: Legend,
        draw: (_ method: IntervalMethod, _ panel: PlotPanel, _ doc: inout SVGDocument) -> Void
    ) -> String {
        let plotWidth = 290.0
        let plotHeight = 250.0
        let tickRoom = PlotPanel.yLabelRoom(y)
        let cellWidth = 26 + tickRoom + plotWidth + 16
        let methods = IntervalMethod.allCases
        let legendLeft = 10 + cellWidth * Double(methods.count) + 10
        let width = legendLeft + legend.verticalWidth + 16
        let top = 64.0
        let height = top + plotHeight + 52
        var doc = SVGDocument(width: width, height: height, title: heading)
        doc.heading(heading, y: 28)
        for (m, method) in methods.enumerated() {
            let panelLeft = 10 + Double(m) * cellWidth + 26 + tickRoom
            let panel = PlotPanel(left: panelLeft, top: top, width: plotWidth, height: plotHeight, x: x, y: y)
            panel.drawAxes(&doc)
            panel.drawTitle(&doc, method.rawValue)
            draw(method, panel, &doc)
            doc.text(
                "PICP", x: panelLeft - tickRoom - 12, y: top + plotHeight / 2, size: 13, anchor: .middle, rotate: -90)
            doc.text(xTitle, x: panel.left + plotWidth / 2, y: panel.bottom + 36, size: 13, anchor: .middle)
        }
        legend.drawVertical(&doc, left: legendLeft, top: top + 4)
        return doc.render()
    }
}
