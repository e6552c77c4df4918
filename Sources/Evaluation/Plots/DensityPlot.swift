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

        var entries = [Legend.Entry(label: "Observed", key: .box(fill: Palette.observedFill, stroke: Palette.observed))]
        for (i, m) in models.enumerated() {
            entries.append(
                Legend.Entry(label: m, key: .line(colour: Palette.model(i), dash: Palette.dash(i), width: 2)))
        }
        let panels = depths.indices.map { d in
            DepthPanels.Panel(
                title: "\(TextFormatting.depthDisplay(depths[d])) (n = \(counts[d]))", x: ranges[d], y: yScales[d],
                emptyNote: counts[d] == 0 ? "no held-out samples" : nil)
        }
        return DepthPanels.render(
            heading: "\(title): distribution of observed and predicted values", legend: Legend(entries),
            panels: panels, xTitle: PlotText.withUnit("Observed or predicted value", unit), yTitle: "Density"
        ) { d, panel, doc in
            let range = ranges[d]
            let observedPoints = zip(samples[d], curves[d][0]).map { (x: panel.px($0), y: panel.py($1)) }
            doc.polygon(
                [(x: panel.px(range.lower), y: panel.bottom)] + observedPoints + [
                    (x: panel.px(range.upper), y: panel.bottom)
                ],
                fill: Palette.observedFill, opacity: 0.6)
            doc.polyline(observedPoints, stroke: Palette.observed, width: 1.2)
            for (i, _) in models.enumerated() where empty[d][i + 1] == false {
                let points = zip(samples[d], curves[d][i + 1]).map { (x: panel.px($0), y: panel.py($1)) }
                doc.polyline(points, stroke: Palette.model(i), width: 2, dash: Palette.dash(i))
            }
        }
    }

    /// The density of `values` at `points` (zeros when there are no values).
    private static func density(_ values: [Double], _ points: [Double]) -> [Double] {
        KernelDensity.evaluate(values, at: points, bandwidth: KernelDensity.bandwidth(values))
    }
}
