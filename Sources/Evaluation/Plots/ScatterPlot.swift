import Foundation
import TextFormat

/// Predicted against observed values for one model, one panel per depth (the paper's Figure 4).
///
/// Each panel is square with the same range on both axes, so the dashed 1:1 line is its
/// diagonal; a depth's range is shared by every model's plot, so the files compare panel by
/// panel. R², RMSE and n of the depth are printed in the panel's corner.
enum ScatterPlot {
    /// The SVG text for `model` (the `modelIndex`-th, which picks its colour); `ranges` holds one
    /// axis per depth (see `depthRanges`).
    static func render(
        model: String, modelIndex: Int, table: EvaluationTable, predictions: [HeldOutPrediction],
        ranges: [AxisScale], title: String, unit: String
    ) -> String {
        precondition(ranges.count == table.depthLabels.count, "ScatterPlot: one range per depth is needed")
        let depths = table.depthLabels
        let grid = PanelGrid(count: depths.count)
        let side = 220.0
        let tickRoom = ranges.map(PlotPanel.yLabelRoom).max() ?? 40
        let cellWidth = tickRoom + side + 30
        let cellHeight = 26 + side + 28
        let outerLeft = 34.0
        let top = 52.0
        let bottom = 40.0
        let width = outerLeft + Double(grid.columns) * cellWidth + 8
        let height = top + Double(grid.rows) * cellHeight + bottom
        let heading = "\(title): \(model), predicted vs observed"
        var doc = SVGDocument(width: width, height: height, title: heading)
        doc.heading(heading, y: 28)

        let colour = Palette.model(modelIndex)
        for (d, label) in depths.enumerated() {
            let range = ranges[d]
            let (column, row) = grid.cell(d)
            let panel = PlotPanel(
                left: outerLeft + Double(column) * cellWidth + tickRoom,
                top: top + Double(row) * cellHeight + 26,
                width: side, height: side, x: range, y: range)
            panel.drawTitle(&doc, TextFormatting.depthDisplay(label))

            var observed: [Double] = []
            var predicted: [Double] = []
            for p in predictions where p.depth == d {
                if p.observed.isFinite, let v = p.predicted[model], v.isFinite {
                    observed.append(p.observed)
                    predicted.append(v)
                }
            }
            if observed.isEmpty {
                panel.drawAxes(&doc, xGrid: false, yGrid: false, xTicks: false, yTicks: false)
                panel.drawNote(&doc, "no held-out predictions")
                continue
            }
            panel.drawAxes(&doc)
            let opacity = min(0.75, max(0.18, 0.75 - 0.2 * (log10(Double(max(observed.count, 1))) - 2)))
            panel.clip(&doc)
            for (o, p) in zip(observed, predicted) {
                doc.circle(panel.px(o), panel.py(p), r: 2.4, fill: colour, opacity: opacity)
            }
            doc.line(
                panel.px(range.lower), panel.py(range.lower), panel.px(range.upper), panel.py(range.upper),
                stroke: "#333333", width: 1.2, dash: "5 4")
            doc.endGroup()

            let metrics =
                table.row(model: model, depth: label)?.metrics
                ?? Metrics.compute(observed: observed, predicted: predicted)
            let lines = [
                "R² = \(NumberText.fixed(metrics.r2, 2, nonFinite: "–"))",
                "RMSE = \(PlotText.short(metrics.rmse))",
                "n = \(metrics.n)"
            ]
            let boxWidth = (lines.map { SVGDocument.textWidth($0, size: 11) }.max() ?? 0) + 10
            doc.rect(panel.left + 4, panel.top + 4, boxWidth, 46, fill: "#FFFFFF", stroke: "#CCCCCC", opacity: 0.88)
            for (i, line) in lines.enumerated() {
                doc.text(line, x: panel.left + 9, y: panel.top + 18 + Double(i) * 14, size: 11)
            }
        }
        let gridMiddleY = top + Double(grid.rows) * cellHeight / 2
        doc.text(PlotText.withUnit("Predicted", unit), x: 18, y: gridMiddleY, size: 13, anchor: .middle, rotate: -90)
        doc.text(
            PlotText.withUnit("Observed", unit), x: outerLeft + Double(grid.columns) * cellWidth / 2,
            y: height - 14, size: 13, anchor: .middle)
        return doc.render()
    }

    /// The square range of each depth's panels: every observed and predicted value of the depth
    /// (of any model), from 0 when the values are non-negative and start near it.
    static func depthRanges(predictions: [HeldOutPrediction], models: [String], depthCount: Int) -> [AxisScale] {
        var lo = [Double](repeating: .infinity, count: depthCount)
        var hi = [Double](repeating: -.infinity, count: depthCount)
        for p in predictions where p.observed.isFinite && (0..<depthCount).contains(p.depth) {
            let d = p.depth
            lo[d] = min(lo[d], p.observed)
            hi[d] = max(hi[d], p.observed)
            for m in models {
                if let v = p.predicted[m], v.isFinite {
                    lo[d] = min(lo[d], v)
                    hi[d] = max(hi[d], v)
                }
            }
        }
        return (0..<depthCount).map { d in
            AxisScale.nice(min: lo[d], max: hi[d], targetTicks: 5, includeZero: lo[d] >= 0 && lo[d] < 0.25 * hi[d])
        }
    }
}
