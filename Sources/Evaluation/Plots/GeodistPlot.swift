import Foundation

/// The geodist plot (CAST's `plot(geodist(...))`): the ECDF of each of the three nearest-neighbour
/// distance distributions, one step line each, with W in the heading's note.
enum GeodistPlot {
    /// The SVG text of `geodist` (distances in km when they are metres above 5 km).
    static func render(_ geodist: Geodist, title: String) -> String {
        let series: [(GeodistTable.Distribution, [Double])] = [
            (.sampleToSample, geodist.sampleToSample), (.crossValidation, geodist.crossValidation),
            (.predictionToSample, geodist.predictionToSample)
        ]
        let all = series.flatMap(\.1).filter(\.isFinite)
        let top = all.max() ?? 1
        let (scale, unit) = geodist.unit == "m" && top > 5000 ? (1000.0, "km") : (1.0, geodist.unit)
        let x = AxisScale.nice(min: 0, max: top / scale, targetTicks: 6, includeZero: true)
        let y = AxisScale(lower: 0, upper: 1, ticks: [0, 0.25, 0.5, 0.75, 1], decimals: 2)
        let legend = Legend(
            series.enumerated().map { i, s in
                Legend.Entry(label: s.0.label, key: .line(colour: Palette.model(i), dash: Palette.dash(i), width: 2))
            })
        let width = 640.0
        let legendHeight = legend.horizontalHeight(maxWidth: width - 40)
        let plotTop = 44 + legendHeight + 14
        let plotHeight = 300.0
        let left = 36.0 + PlotPanel.yLabelRoom(y)
        let height = plotTop + plotHeight + 66
        let heading = "\(title): nearest-neighbour distances"
        var doc = SVGDocument(width: width, height: height, title: heading)
        doc.heading(heading, y: 28)
        legend.drawHorizontal(&doc, centreX: width / 2, top: 40, maxWidth: width - 40)
        let panel = PlotPanel(left: left, top: plotTop, width: width - left - 24, height: plotHeight, x: x, y: y)
        panel.drawAxes(&doc)
        panel.clip(&doc)
        for (i, (_, distances)) in series.enumerated() {
            let sorted = distances.filter(\.isFinite).sorted()
            guard !sorted.isEmpty else { continue }
            var points: [(x: Double, y: Double)] = [(panel.px(0), panel.py(0))]
            var j = 0
            while j < sorted.count {
                let v = sorted[j]
                let before = Double(j) / Double(sorted.count)
                while j < sorted.count, sorted[j] == v { j += 1 }
                let after = Double(j) / Double(sorted.count)
                points.append((panel.px(v / scale), panel.py(before)))
                points.append((panel.px(v / scale), panel.py(after)))
            }
            points.append((panel.px(x.upper), panel.py(1)))
            doc.polyline(points, stroke: Palette.model(i), width: 2, dash: Palette.dash(i))
        }
        doc.endGroup()
        doc.text("ECDF", x: 18, y: panel.top + plotHeight / 2, size: 13, anchor: .middle, rotate: -90)
        doc.text(
            PlotText.withUnit("Distance to the nearest site", unit), x: panel.left + panel.width / 2,
            y: panel.bottom + 36, size: 13, anchor: .middle)
        let table = geodist.table
        let w = [
            table.wCrossValidation.map { "W(CV) = " + GeodistTable.distanceText($0 / scale) },
            table.wSampleToSample.map { "W(sample-to-sample) = " + GeodistTable.distanceText($0 / scale) }
        ].compactMap { $0 }
        if !w.isEmpty {
            doc.text(
                w.joined(separator: ", ") + " \(unit) to prediction-to-sample", x: width / 2, y: height - 14,
                size: 12, anchor: .middle, fill: "#555555")
        }
        return doc.render()
    }
}
