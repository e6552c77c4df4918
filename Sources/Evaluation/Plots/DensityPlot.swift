import Foundation

/// Kernel densities of observed values and of each model's predictions, one panel per depth
/// (the paper's Figure 10): shows whether a model narrows or shifts the distribution.
///
/// Each depth has its own axes; the value axis runs from the smallest value (or 0) to the
/// 99.5th percentile of the depth's observed and predicted values, so one outlier cannot squeeze
/// the curves into a corner.
enum DensityPlot {
    /// The SVG text.
    static func render(table: EvaluationTable, predictions: [HeldOutPrediction], title: String, unit: String) -> String
    {
        let depths = table.depthLabels
        let models = table.models
        let grid = PanelGrid(count: depths.count)

        // Per depth: the value axis, the sample points, and the curves (observed first, then each model).
        var ranges: [AxisScale] = []
        var samples: [[Double]] = []
        var curves: [[[Double]]] = []
        var counts: [Int] = []
        var empty: [[Bool]] = []
        for d in depths.indices {
            let atDepth = predictions.filter { $0.depth == d && $0.observed.isFinite }
            let series =
                [atDepth.map(\.observed)]
                + models.map { m in atDepth.compactMap { p in p.predicted[m].flatMap { $0.isFinite ? $0 : nil } } }
            let pooled = series.flatMap { $0 }.sorted()
            let lo = pooled.first ?? 0
            let hi = Statistics.quantile(sorted: pooled, 0.995)
            let range = AxisScale.nice(min: lo, max: hi, targetTicks: 5, includeZero: lo >= 0 && lo < 0.25 * hi)
            let points = (0...160).map { range.lower + (range.upper - range.lower) * Double($0) / 160 }
            ranges.append(range)
            samples.append(points)
            curves.append(series.map { density($0, points) })
            empty.append(series.map(\.isEmpty))
            counts.append(atDepth.count)
        }
        let yScales = curves.map { c in
            AxisScale.nice(min: 0, max: c.flatMap { $0 }.max() ?? 1, targetTicks: 4, includeZero: true)
        }

        let plotWidth = 250.0
        let plotHeight = 160.0
        let tickRoom = yScales.map(PlotPanel.yLabelRoom).max() ?? 40
        let cellWidth = tickRoom + plotWidth + 22
        let cellHeight = 26 + plotHeight + 28
        let outerLeft = 34.0
        let width = outerLeft + Double(grid.columns) * cellWidth + 8

        var entries = [Legend.Entry(label: "Observed", key: .box(fill: Palette.observedFill, stroke: Palette.observed))]
        for (i, m) in models.enumerated() {
            entries.append(
                Legend.Entry(label: m, key: .line(colour: Palette.model(i), dash: Palette.dash(i), width: 2)))
        }
        let legend = Legend(entries)
        let legendHeight = legend.horizontalHeight(maxWidth: width - 40)
        let top = 44 + legendHeight + 8
        let height = top + Double(grid.rows) * cellHeight + 40
        let heading = "\(title): distribution of observed and predicted values"
        var doc = SVGDocument(width: width, height: height, title: heading)
        doc.heading(heading, y: 28)
        legend.drawHorizontal(&doc, centreX: width / 2, top: 40, maxWidth: width - 40)

        for (d, label) in depths.enumerated() {
            let (column, row) = grid.cell(d)
            let panel = PlotPanel(
                left: outerLeft + Double(column) * cellWidth + tickRoom,
                top: top + Double(row) * cellHeight + 26,
                width: plotWidth, height: plotHeight, x: ranges[d], y: yScales[d])
            let range = ranges[d]
            let samplePoints = samples[d]
            panel.drawTitle(&doc, "\(TextFormatting.depthDisplay(label)) (n = \(counts[d]))")
            if counts[d] == 0 {
                panel.drawAxes(&doc, xGrid: false, yGrid: false, xTicks: false, yTicks: false)
                panel.drawNote(&doc, "no held-out samples")
                continue
            }
            panel.drawAxes(&doc, xGrid: false)
            panel.clip(&doc)
            let observedPoints = zip(samplePoints, curves[d][0]).map { (x: panel.px($0), y: panel.py($1)) }
            doc.polygon(
                [(x: panel.px(range.lower), y: panel.bottom)] + observedPoints + [
                    (x: panel.px(range.upper), y: panel.bottom)
                ],
                fill: Palette.observedFill, opacity: 0.6)
            doc.polyline(observedPoints, stroke: Palette.observed, width: 1.2)
            for (i, _) in models.enumerated() where empty[d][i + 1] == false {
                let points = zip(samplePoints, curves[d][i + 1]).map { (x: panel.px($0), y: panel.py($1)) }
                doc.polyline(points, stroke: Palette.model(i), width: 2, dash: Palette.dash(i))
            }
            doc.endGroup()
        }
        let gridMiddleY = top + Double(grid.rows) * cellHeight / 2
        doc.text("Density", x: 18, y: gridMiddleY, size: 13, anchor: .middle, rotate: -90)
        doc.text(
            PlotText.withUnit("Observed or predicted value", unit), x: outerLeft + Double(grid.columns) * cellWidth / 2,
            y: height - 14, size: 13, anchor: .middle)
        return doc.render()
    }

    /// The density of `values` at `points` (zeros when there are no values).
    private static func density(_ values: [Double], _ points: [Double]) -> [Double] {
        KernelDensity.evaluate(values, at: points, bandwidth: KernelDensity.bandwidth(values))
    }
}
