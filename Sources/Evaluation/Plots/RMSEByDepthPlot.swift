import Foundation

/// RMSE per depth (and over all depths) per model as grouped bars, with ± one fold-to-fold
/// standard deviation as error bars.
enum RMSEByDepthPlot {
    /// The SVG text.
    static func render(table: EvaluationTable, title: String, unit: String) -> String {
        let keys = table.depthKeys
        let models = table.models
        let barWidth = models.count <= 3 ? 18.0 : 14.0
        let groupWidth = max(Double(models.count) * barWidth + 28, 84)
        let plotWidth = max(440, Double(keys.count) * groupWidth)
        var top = -Double.infinity
        for row in table.rows where row.metrics.rmse.isFinite {
            let sd = row.foldSD.rmse.isFinite ? row.foldSD.rmse : 0
            top = max(top, row.metrics.rmse + sd)
        }
        let y = AxisScale.nice(min: 0, max: top.isFinite ? top : 1, targetTicks: 6, includeZero: true)
        let x = AxisScale(lower: 0, upper: Double(keys.count), ticks: [], decimals: 0)
        let outerLeft = 36.0 + PlotPanel.yLabelRoom(y)
        let width = outerLeft + plotWidth + 24

        let legend = Legend(
            models.enumerated().map { i, m in
                Legend.Entry(label: m, key: .box(fill: Palette.model(i), stroke: nil))
            })
        let legendHeight = legend.horizontalHeight(maxWidth: width - 40)
        let plotTop = 44 + legendHeight + 14
        let plotHeight = 280.0
        let height = plotTop + plotHeight + 62
        let heading = "\(title): RMSE by depth"
        var doc = SVGDocument(width: width, height: height, title: heading)
        doc.heading(heading, y: 28)
        legend.drawHorizontal(&doc, centreX: width / 2, top: 40, maxWidth: width - 40)

        let panel = PlotPanel(left: outerLeft, top: plotTop, width: plotWidth, height: plotHeight, x: x, y: y)
        panel.drawAxes(&doc, xGrid: false, xTicks: false)
        for (k, key) in keys.enumerated() {
            let centre = panel.px(Double(k) + 0.5)
            if key == EvaluationTable.allDepths, k > 0 {
                doc.line(
                    panel.px(Double(k)), panel.top, panel.px(Double(k)), panel.bottom, stroke: "#AAAAAA", dash: "4 3")
            }
            let groupLeft = centre - Double(models.count) * barWidth / 2
            for (i, model) in models.enumerated() {
                guard let row = table.row(model: model, depth: key), row.metrics.rmse.isFinite else { continue }
                let barLeft = groupLeft + Double(i) * barWidth
                let value = row.metrics.rmse
                doc.rect(
                    barLeft + 1, panel.py(value), barWidth - 2, panel.bottom - panel.py(value), fill: Palette.model(i))
                let sd = row.foldSD.rmse
                if sd.isFinite, sd > 0 {
                    let mid = barLeft + barWidth / 2
                    let yHigh = panel.py(value + sd)
                    let yLow = panel.py(max(0, value - sd))
                    doc.line(mid, yHigh, mid, yLow, stroke: Palette.ink, width: 1.2)
                    doc.line(mid - 3.5, yHigh, mid + 3.5, yHigh, stroke: Palette.ink, width: 1.2)
                    doc.line(mid - 3.5, yLow, mid + 3.5, yLow, stroke: Palette.ink, width: 1.2)
                }
            }
            doc.text(TextFormatting.depthDisplay(key), x: centre, y: panel.bottom + 18, size: 12, anchor: .middle)
        }
        doc.text(
            PlotText.withUnit("RMSE", unit), x: 18, y: panel.top + plotHeight / 2, size: 13, anchor: .middle,
            rotate: -90)
        doc.text(
            "Depth (error bars: ± 1 SD across \(table.folds) folds)", x: panel.left + plotWidth / 2,
            y: height - 16, size: 13, anchor: .middle)
        return doc.render()
    }
}
