import Foundation

/// A rectangular plotting area with an x and a y scale: maps data to pixels and draws its axes.
struct PlotPanel {
    /// Left edge of the plotting area, in pixels.
    let left: Double
    /// Top edge of the plotting area, in pixels.
    let top: Double
    /// Width of the plotting area, in pixels.
    let width: Double
    /// Height of the plotting area, in pixels.
    let height: Double
    /// The horizontal scale.
    let x: AxisScale
    /// The vertical scale.
    let y: AxisScale

    /// Tick label size in pixels.
    static let tickFont = 11.0
    /// The room tick labels need left of the area for `scale` (label width plus gap).
    static func yLabelRoom(_ scale: AxisScale) -> Double {
        let widest = scale.ticks.map { SVGDocument.textWidth(scale.label($0), size: tickFont) }.max() ?? 0
        return widest + 10
    }

    /// The pixel column of data value `v`.
    func px(_ v: Double) -> Double { left + x.fraction(v) * width }
    /// The pixel row of data value `v`.
    func py(_ v: Double) -> Double { top + height - y.fraction(v) * height }
    /// The bottom edge of the plotting area.
    var bottom: Double { top + height }
    /// The right edge of the plotting area.
    var right: Double { left + width }

    /// Draws grid lines, the frame, tick marks and tick labels (x below, y to the left); each part can be left out.
    func drawAxes(
        _ doc: inout SVGDocument, xGrid: Bool = true, yGrid: Bool = true, xTicks: Bool = true, yTicks: Bool = true
    ) {
        if xGrid {
            for t in x.ticks { doc.line(px(t), top, px(t), bottom, stroke: Palette.grid) }
        }
        if yGrid {
            for t in y.ticks { doc.line(left, py(t), right, py(t), stroke: Palette.grid) }
        }
        doc.rect(left, top, width, height, fill: "none", stroke: "#888888", strokeWidth: 1)
        if xTicks {
            for t in x.ticks {
                doc.line(px(t), bottom, px(t), bottom + 4, stroke: "#888888")
                doc.text(x.label(t), x: px(t), y: bottom + 16, size: Self.tickFont, anchor: .middle)
            }
        }
        for t in y.ticks where yTicks {
            doc.line(left - 4, py(t), left, py(t), stroke: "#888888")
            doc.text(y.label(t), x: left - 6, y: py(t) + Self.tickFont * 0.35, size: Self.tickFont, anchor: .end)
        }
    }

    /// Draws a bold title centred above the area.
    func drawTitle(_ doc: inout SVGDocument, _ title: String) {
        doc.text(title, x: left + width / 2, y: top - 8, size: 13, anchor: .middle, bold: true)
    }

    /// Writes a grey note in the middle of the area (e.g. "no held-out samples").
    func drawNote(_ doc: inout SVGDocument, _ note: String) {
        doc.text(note, x: left + width / 2, y: top + height / 2 + 4, size: 12, anchor: .middle, fill: "#777777")
    }

    /// Starts clipping to the plotting area (close with `doc.endGroup()`).
    func clip(_ doc: inout SVGDocument) {
        doc.beginClip(left, top, width, height)
    }
}
