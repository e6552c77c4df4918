import Foundation
import RasterIO

extension QuickLook {
    /// One panel of a site-bias sheet: held-out sites as dots coloured by relative bias.
    public struct SitePanel: Sendable {
        /// The heading above the panel, e.g. "transfer".
        public var title: String
        /// Sites as (column, row) on the background's grid (fractional: cell centres at c + 0.5)
        /// and their relative bias (NaN: not drawn).
        public var sites: [(col: Double, row: Double, value: Double)]

        /// Makes a panel.
        public init(title: String, sites: [(col: Double, row: Double, value: Double)]) {
            self.title = title
            self.sites = sites
        }
    }

    /// Writes a PNG of held-out sites as dots coloured by the `RelativeBiasStyle` classes over a grey
    /// background map (like the paper's Fig. 11), one panel per model, with the classes as legend.
    /// `background` is row-major `width` x `height` (NaN = nodata, drawn white; values in greys).
    public static func siteBiasSheet(
        background: [Float], width: Int, height: Int, panels: [SitePanel], title: String,
        columns: Int = 2, to path: String
    ) throws {
        let canvas = renderSiteBias(
            background: background, width: width, height: height, panels: panels, title: title,
            columns: columns)
        try PNGFile.write(pixels: canvas.pixels, width: canvas.width, height: canvas.height, channels: 3, to: path)
    }

    static func renderSiteBias(
        background: [Float], width: Int, height: Int, panels: [SitePanel], title: String,
        columns: Int
    ) -> Canvas {
        precondition(!panels.isEmpty, "QuickLook.siteBiasSheet needs at least one panel")
        let map = MapPicture.fit(background, width: width, height: height, maxWidth: 420, maxHeight: 420)
        let finite = map.values.filter(\.isFinite).sorted()
        let lo = finite.first.map(Double.init) ?? 0
        let hi = finite.last.map(Double.init) ?? 1
        let greys: [RGB?] = map.values.map { v in
            guard v.isFinite else { return nil }
            let t = hi > lo ? (Double(v) - lo) / (hi - lo) : 0.5
            let g = UInt8(235 - (t * 60).rounded())
            return RGB(g, g, g)
        }
        let scaleX = Double(map.width) / Double(width)
        let scaleY = Double(map.height) / Double(height)
        let headScale = 2
        let headHeight = Canvas.lineHeight(scale: headScale)
        let cols = Swift.min(columns, panels.count)
        let rows = (panels.count + cols - 1) / cols
        let gap = 20
        let cellWidth = Swift.max(map.width, panels.map { Canvas.textWidth($0.title, scale: headScale) }.max()!)
        let cellHeight = headHeight + 6 + map.height
        let gridWidth = cols * cellWidth + (cols - 1) * gap
        let titleScale = 3
        let titleHeight = Canvas.lineHeight(scale: titleScale)
        let classes = RelativeBiasStyle.classes
        let box = 14
        let legendScale = 2
        let entryWidths = classes.map { box + 6 + Canvas.textWidth($0.label, scale: legendScale) + 18 }
        let contentWidth = Swift.max(gridWidth, entryWidths.max()! * 2, Canvas.textWidth(title, scale: titleScale))
        // Legend entries wrap into rows no wider than the content.
        var legendRows: [[Int]] = [[]]
        var rowWidth = 0
        for (k, w) in entryWidths.enumerated() {
            if rowWidth + w > contentWidth, !legendRows[legendRows.count - 1].isEmpty {
                legendRows.append([])
                rowWidth = 0
            }
            legendRows[legendRows.count - 1].append(k)
            rowWidth += w
        }
        let legendLine = Swift.max(box, Canvas.lineHeight(scale: legendScale)) + 8
        let gridY = margin + titleHeight + 12
        let legendY = gridY + rows * cellHeight + (rows - 1) * gap + 16
        var canvas = Canvas(
            width: contentWidth + 2 * margin, height: legendY + legendRows.count * legendLine + margin,
            background: Self.background)
        canvas.text(title, x: margin, y: margin, scale: titleScale, ink)
        let gridX = margin + (contentWidth - gridWidth) / 2
        let radius = panels.map(\.sites.count).max()! > 500 ? 1 : 2
        for (i, panel) in panels.enumerated() {
            let x = gridX + (i % cols) * (cellWidth + gap)
            let y = gridY + (i / cols) * (cellHeight + gap)
            canvas.text(panel.title, centreX: x + cellWidth / 2, y: y, scale: headScale, ink)
            let mapX = x + (cellWidth - map.width) / 2
            let mapY = y + headHeight + 6
            canvas.blit(greys, width: map.width, height: map.height, scale: 1, x: mapX, y: mapY)
            canvas.frame(x: mapX - 1, y: mapY - 1, width: map.width + 2, height: map.height + 2, frameColour)
            for site in panel.sites {
                guard let k = RelativeBiasStyle.classIndex(site.value) else { continue }
                let px = mapX + Int((site.col * scaleX).rounded(.down))
                let py = mapY + Int((site.row * scaleY).rounded(.down))
                canvas.fill(
                    x: px - radius - 1, y: py - radius - 1, width: 2 * radius + 3, height: 2 * radius + 3,
                    RGB(60, 60, 60))
                canvas.fill(
                    x: px - radius, y: py - radius, width: 2 * radius + 1, height: 2 * radius + 1, classes[k].colour)
            }
        }
        for (r, members) in legendRows.enumerated() {
            let total = members.map { entryWidths[$0] }.reduce(0, +)
            var lx = margin + (contentWidth - total) / 2
            let ly = legendY + r * legendLine
            for k in members {
                canvas.fill(x: lx, y: ly, width: box, height: box, RGB(60, 60, 60))
                canvas.fill(x: lx + 1, y: ly + 1, width: box - 2, height: box - 2, classes[k].colour)
                canvas.text(classes[k].label, x: lx + box + 6, y: ly, scale: legendScale, ink)
                lx += entryWidths[k]
            }
        }
        return canvas
    }
}
