import Foundation

/// A legend: coloured keys with labels, laid out in rows that wrap, or in one column.
struct Legend {
    /// How an entry's key is drawn.
    enum Key {
        case line(colour: String, dash: String?, width: Double)
        case box(fill: String, stroke: String?)
        case point(colour: String)
        case lineWithPoint(colour: String, dash: String?, width: Double)
    }

    /// One entry.
    struct Entry {
        let label: String
        let key: Key
    }

    /// The entries in order.
    let entries: [Entry]
    /// Label size in pixels.
    var fontSize = 12.0
    private let keyWidth = 26.0
    private let gap = 18.0

    /// Makes a legend.
    init(_ entries: [Entry]) { self.entries = entries }

    private func entryWidth(_ e: Entry) -> Double {
        keyWidth + 6 + SVGDocument.textWidth(e.label, size: fontSize)
    }

    /// The rows of entries that fit `maxWidth` side by side.
    private func rows(maxWidth: Double) -> [[Entry]] {
        var rows: [[Entry]] = [[]]
        var used = 0.0
        for e in entries {
            let w = entryWidth(e)
            if !rows[rows.count - 1].isEmpty, used + gap + w > maxWidth {
                rows.append([])
                used = 0
            }
            used += (rows[rows.count - 1].isEmpty ? 0 : gap) + w
            rows[rows.count - 1].append(e)
        }
        return rows
    }

    /// The height a horizontal legend needs within `maxWidth`.
    func horizontalHeight(maxWidth: Double) -> Double {
        Double(rows(maxWidth: maxWidth).count) * (fontSize + 8)
    }

    /// Draws the entries in centred rows starting at `top`, wrapping within `maxWidth` around `centreX`.
    func drawHorizontal(_ doc: inout SVGDocument, centreX: Double, top: Double, maxWidth: Double) {
        var rowTop = top
        for row in rows(maxWidth: maxWidth) {
            let total = row.map(entryWidth).reduce(0, +) + gap * Double(max(0, row.count - 1))
            var x = centreX - total / 2
            for e in row {
                draw(e, &doc, x: x, middleY: rowTop + fontSize / 2 + 2)
                x += entryWidth(e) + gap
            }
            rowTop += fontSize + 8
        }
    }

    /// The width a vertical legend needs.
    var verticalWidth: Double { entries.map(entryWidth).max() ?? 0 }

    /// Draws the entries one per line from (`left`, `top`).
    func drawVertical(_ doc: inout SVGDocument, left: Double, top: Double) {
        for (i, e) in entries.enumerated() {
            draw(e, &doc, x: left, middleY: top + Double(i) * (fontSize + 8) + fontSize / 2)
        }
    }

    private func draw(_ e: Entry, _ doc: inout SVGDocument, x: Double, middleY y: Double) {
        switch e.key {
        case .line(let colour, let dash, let width):
            doc.line(x, y, x + keyWidth, y, stroke: colour, width: width, dash: dash)
        case .box(let fill, let stroke):
            doc.rect(x + 4, y - 6, keyWidth - 8, 12, fill: fill, stroke: stroke)
        case .point(let colour):
            doc.circle(x + keyWidth / 2, y, r: 4, fill: colour)
        case .lineWithPoint(let colour, let dash, let width):
            doc.line(x, y, x + keyWidth, y, stroke: colour, width: width, dash: dash)
            doc.circle(x + keyWidth / 2, y, r: 3.5, fill: colour)
        }
        doc.text(e.label, x: x + keyWidth + 6, y: y + fontSize * 0.35, size: fontSize)
    }
}

extension Legend {
    /// One line-with-point entry per depth in the ordered palette, then (with `pooled`) a thick black
    /// "Pooled over depths" entry: the legend of the plots that draw a series per depth.
    static func depthSeries(_ depthLabels: [String], pooled: Bool = true) -> Legend {
        var entries: [Entry] = depthLabels.enumerated().map { i, label in
            Entry(
                label: TextFormatting.depthDisplay(label),
                key: .lineWithPoint(colour: Palette.ordered(i, of: depthLabels.count), dash: nil, width: 1.6))
        }
        if pooled {
            entries.append(
                Entry(label: "Pooled over depths", key: .lineWithPoint(colour: "#000000", dash: nil, width: 3)))
        }
        return Legend(entries)
    }
}
