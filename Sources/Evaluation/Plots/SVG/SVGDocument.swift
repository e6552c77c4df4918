import Foundation
import TextFormat

/// A small SVG builder: shapes and text appended in drawing order, rendered to deterministic text.
///
/// Coordinates are pixels from the top-left corner; numbers are written with at most two
/// decimals, so the same drawing always gives the same bytes.
struct SVGDocument {
    /// The font stack used for every text element.
    static let fontFamily = "DejaVu Sans, Helvetica, Arial, sans-serif"

    /// Horizontal text alignment.
    enum Anchor: String { case start, middle, end }

    /// The canvas width in pixels.
    let width: Double
    /// The canvas height in pixels.
    let height: Double
    /// The document title (shown by viewers, read by screen readers).
    let title: String
    private var defs: [String] = []
    private var body: [String] = []
    private var clipCount = 0

    /// A blank white canvas.
    init(width: Double, height: Double, title: String) {
        self.width = width
        self.height = height
        self.title = title
    }

    /// A line segment.
    mutating func line(
        _ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double,
        stroke: String, width: Double = 1, dash: String? = nil, opacity: Double? = nil
    ) {
        var a = """
            x1="\(n(x1))" y1="\(n(y1))" x2="\(n(x2))" y2="\(n(y2))" stroke="\(stroke)" stroke-width="\(n(width))"
            """
        if let dash { a += " stroke-dasharray=\"\(dash)\"" }
        if let opacity { a += " stroke-opacity=\"\(n(opacity))\"" }
        body.append("<line \(a)/>")
    }

    /// A rectangle, filled and/or outlined.
    mutating func rect(
        _ x: Double, _ y: Double, _ w: Double, _ h: Double,
        fill: String, stroke: String? = nil, strokeWidth: Double = 1, opacity: Double? = nil
    ) {
        var a = "x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(max(0, w)))\" height=\"\(n(max(0, h)))\" fill=\"\(fill)\""
        if let opacity { a += " fill-opacity=\"\(n(opacity))\"" }
        if let stroke { a += " stroke=\"\(stroke)\" stroke-width=\"\(n(strokeWidth))\"" }
        body.append("<rect \(a)/>")
    }

    /// A filled circle.
    mutating func circle(
        _ cx: Double, _ cy: Double, r: Double, fill: String, opacity: Double? = nil, stroke: String? = nil
    ) {
        var a = "cx=\"\(n(cx))\" cy=\"\(n(cy))\" r=\"\(n(r))\" fill=\"\(fill)\""
        if let opacity { a += " fill-opacity=\"\(n(opacity))\"" }
        if let stroke { a += " stroke=\"\(stroke)\" stroke-width=\"1\"" }
        body.append("<circle \(a)/>")
    }

    /// An open line through points.
    mutating func polyline(
        _ points: [(x: Double, y: Double)], stroke: String, width: Double = 1.5,
        dash: String? = nil, opacity: Double? = nil
    ) {
        guard points.count >= 2 else { return }
        var a = """
            points="\(pointList(points))" fill="none" stroke="\(stroke)" \
            stroke-width="\(n(width))" stroke-linejoin="round"
            """
        if let dash { a += " stroke-dasharray=\"\(dash)\"" }
        if let opacity { a += " stroke-opacity=\"\(n(opacity))\"" }
        body.append("<polyline \(a)/>")
    }

    /// A filled closed shape.
    mutating func polygon(_ points: [(x: Double, y: Double)], fill: String, opacity: Double? = nil) {
        guard points.count >= 3 else { return }
        var a = "points=\"\(pointList(points))\" fill=\"\(fill)\" stroke=\"none\""
        if let opacity { a += " fill-opacity=\"\(n(opacity))\"" }
        body.append("<polygon \(a)/>")
    }

    /// A line of text; `y` is the baseline, `rotate` turns it about (x, y) in degrees.
    mutating func text(
        _ content: String, x: Double, y: Double, size: Double = 12, anchor: Anchor = .start,
        bold: Bool = false, fill: String = "#222222", rotate: Double? = nil
    ) {
        var a = "x=\"\(n(x))\" y=\"\(n(y))\" font-size=\"\(n(size))\" fill=\"\(fill)\""
        if anchor != .start { a += " text-anchor=\"\(anchor.rawValue)\"" }
        if bold { a += " font-weight=\"bold\"" }
        if let rotate { a += " transform=\"rotate(\(n(rotate)) \(n(x)) \(n(y)))\"" }
        body.append("<text \(a)>\(XMLText.escape(content))</text>")
    }

    /// Starts a group whose drawing is clipped to a rectangle; close it with `endGroup`.
    mutating func beginClip(_ x: Double, _ y: Double, _ w: Double, _ h: Double) {
        clipCount += 1
        let id = "clip\(clipCount)"
        defs.append(
            "<clipPath id=\"\(id)\"><rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(w))\" height=\"\(n(h))\"/></clipPath>"
        )
        body.append("<g clip-path=\"url(#\(id))\">")
    }

    /// Ends the innermost group.
    mutating func endGroup() {
        body.append("</g>")
    }

    /// The finished SVG text.
    func render() -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(n(width))\" height=\"\(n(height))\" "
        out += "viewBox=\"0 0 \(n(width)) \(n(height))\" font-family=\"\(Self.fontFamily)\">\n"
        out += "<title>\(XMLText.escape(title))</title>\n"
        if !defs.isEmpty { out += "<defs>\n" + defs.joined(separator: "\n") + "\n</defs>\n" }
        out += "<rect x=\"0\" y=\"0\" width=\"\(n(width))\" height=\"\(n(height))\" fill=\"#FFFFFF\"/>\n"
        out += body.joined(separator: "\n")
        out += "\n</svg>\n"
        return out
    }

    /// An estimate of a text's width in pixels, from DejaVu Sans's advance widths rounded up by
    /// character class (generous, so labels laid out with it do not collide).
    static func textWidth(_ text: String, size: Double) -> Double {
        var em = 0.0
        for ch in text {
            switch ch {
            case "i", "j", "l", ".", ",", ":", ";", "'", "!", "|", " ": em += 0.33
            case "f", "t", "r", "(", ")", "[", "]", "-", "/": em += 0.42
            case "m", "w", "M", "W", "%", "@": em += 0.92
            case "A"..."Z": em += 0.72
            case "0"..."9": em += 0.64
            default: em += ch.isASCII ? 0.62 : 0.7
            }
        }
        return em * size
    }

    /// A bold heading centred at `y`, shrunk (down to 11 px) and if need be shortened with "…"
    /// so that it fits the canvas width with a margin.
    mutating func heading(_ content: String, y: Double, size: Double = 16) {
        let room = width - 24
        var fitted = content
        var fontSize = size
        let natural = Self.textWidth(content, size: size) * 1.12  // bold is wider
        if natural > room { fontSize = max(11, size * room / natural) }
        while Self.textWidth(fitted, size: fontSize) * 1.12 > room, fitted.count > 4 {
            fitted = String(fitted.dropLast(2)) + "…"
        }
        text(fitted, x: width / 2, y: y, size: fontSize, anchor: .middle, bold: true)
    }

    /// A coordinate with at most two decimals, trailing zeros dropped, never "-0".
    private func n(_ x: Double) -> String { NumberText.trimmed(x, maxDecimals: 2, nonFinite: "0") }

    private func pointList(_ points: [(x: Double, y: Double)]) -> String {
        points.map { "\(n($0.x)),\(n($0.y))" }.joined(separator: " ")
    }
}
