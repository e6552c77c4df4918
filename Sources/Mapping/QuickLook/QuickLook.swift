import Foundation
import RasterIO

/// Quick-look PNGs of maps: one map with its title and a legend bar, or a contact sheet of
/// several maps sharing one legend. Pictures are RGB, nodata white, text in a built-in bitmap font.
public enum QuickLook {
    /// One map of a contact sheet.
    public struct Panel: Sendable {
        /// The heading above the map, e.g. "0-5 cm".
        public var title: String
        /// Row-major values, NaN = nodata.
        public var values: [Float]
        /// Columns.
        public var width: Int
        /// Rows.
        public var height: Int

        /// Creates a panel; `values` must hold width * height elements.
        public init(title: String, values: [Float], width: Int, height: Int) {
            precondition(
                width > 0 && height > 0 && values.count == width * height,
                "QuickLook.Panel '\(title)': \(values.count) values for \(width) x \(height)")
            self.title = title
            self.values = values
            self.width = width
            self.height = height
        }
    }

    /// Largest map area of a single quick-look, in pixels.
    public static let maxMapSize = (width: 800, height: 700)
    /// Largest map area of one contact-sheet panel, in pixels.
    public static let maxPanelSize = (width: 320, height: 320)

    static let margin = 16
    static let ink = RGB(40, 40, 40)
    static let frameColour = RGB(170, 170, 170)
    static let background = RGB(255, 255, 255)

    /// Writes a quick-look PNG of one map: `title` on top, the map (fitted to at most 800 x 700
    /// pixels) and a legend bar from `min` to `max` with round tick values and `unit`.
    public static func png(
        values: [Float], width: Int, height: Int, min: Double, max: Double, ramp: ColourRamp = .socDefault,
        title: String, unit: String, to path: String
    ) throws {
        let canvas = render(
            values: values, width: width, height: height, range: ValueRange(min: min, max: max),
            ramp: ramp, title: title, unit: unit)
        try PNGFile.write(pixels: canvas.pixels, width: canvas.width, height: canvas.height, channels: 3, to: path)
    }

    /// Writes a contact sheet: the panels in rows of `columns`, each fitted to 320 x 320 pixels under
    /// its title, one shared legend from `min` to `max` below, `title` on top.
    public static func contactSheet(
        panels: [Panel], min: Double, max: Double, ramp: ColourRamp = .socDefault, unit: String, title: String,
        columns: Int = 3, to path: String
    ) throws {
        let canvas = renderSheet(
            panels: panels, range: ValueRange(min: min, max: max), ramp: ramp, unit: unit,
            title: title, columns: columns)
        try PNGFile.write(pixels: canvas.pixels, width: canvas.width, height: canvas.height, channels: 3, to: path)
    }

    /// Reads band `band` of a map file at most `maxWidth` cells wide (from its overviews) as a panel.
    public static func panel(fromMap path: String, title: String, band: Int = 1, maxWidth: Int = 800) throws -> Panel {
        let dataset = try RasterDataset(path: path)
        defer { dataset.close() }
        let reduced = try dataset.readDecimated(band: band, maxWidth: maxWidth, maxHeight: maxWidth)
        return Panel(title: title, values: reduced.values, width: reduced.width, height: reduced.height)
    }

    // MARK: - Rendering

    static func render(
        values: [Float], width: Int, height: Int, range: ValueRange, ramp: ColourRamp, title: String, unit: String
    ) -> Canvas {
        let map = MapPicture.fit(
            values, width: width, height: height,
            maxWidth: maxMapSize.width, maxHeight: maxMapSize.height)
        let titleScale = 3
        let titleHeight = Canvas.lineHeight(scale: titleScale)
        let legend = LegendBar(
            range: range, ramp: ramp, unit: unit, barWidth: Swift.min(480, Swift.max(240, map.width)))
        let contentWidth = Swift.max(map.width, legend.width, Canvas.textWidth(title, scale: titleScale))
        let canvasWidth = contentWidth + 2 * margin
        let mapY = margin + titleHeight + 8
        let legendY = mapY + map.height + 18
        var canvas = Canvas(width: canvasWidth, height: legendY + legend.height + margin, background: background)
        canvas.text(title, x: margin, y: margin, scale: titleScale, ink)
        let mapX = margin + (contentWidth - map.width) / 2
        canvas.blit(
            MapPicture.colours(map.values, range: range, ramp: ramp), width: map.width, height: map.height,
            scale: 1, x: mapX, y: mapY)
        canvas.frame(x: mapX - 1, y: mapY - 1, width: map.width + 2, height: map.height + 2, frameColour)
        legend.draw(on: &canvas, x: margin + (contentWidth - legend.width) / 2, y: legendY)
        return canvas
    }

    static func renderSheet(
        panels: [Panel], range: ValueRange, ramp: ColourRamp, unit: String, title: String, columns: Int
    ) -> Canvas {
        precondition(!panels.isEmpty, "QuickLook.contactSheet needs at least one panel")
        precondition(columns >= 1, "QuickLook.contactSheet: columns \(columns) must be at least 1")
        let fitted = panels.map {
            MapPicture.fit(
                $0.values, width: $0.width, height: $0.height,
                maxWidth: maxPanelSize.width, maxHeight: maxPanelSize.height)
        }
        let headScale = 2
        let headHeight = Canvas.lineHeight(scale: headScale)
        let cellWidth = Swift.max(
            fitted.map(\.width).max()!, panels.map { Canvas.textWidth($0.title, scale: headScale) }.max()!)
        let cellHeight = headHeight + 6 + fitted.map(\.height).max()!
        let cols = Swift.min(columns, panels.count)
        let rows = (panels.count + cols - 1) / cols
        let gap = 20
        let gridWidth = cols * cellWidth + (cols - 1) * gap
        let titleScale = 3
        let titleHeight = Canvas.lineHeight(scale: titleScale)
        let legend = LegendBar(
            range: range, ramp: ramp, unit: unit, barWidth: Swift.min(480, Swift.max(240, gridWidth / 2)))
        let contentWidth = Swift.max(gridWidth, legend.width, Canvas.textWidth(title, scale: titleScale))
        let gridY = margin + titleHeight + 12
        let legendY = gridY + rows * cellHeight + (rows - 1) * gap + 20
        var canvas = Canvas(
            width: contentWidth + 2 * margin, height: legendY + legend.height + margin, background: background)
        canvas.text(title, x: margin, y: margin, scale: titleScale, ink)
        let gridX = margin + (contentWidth - gridWidth) / 2
        for (i, (panel, map)) in zip(panels, fitted).enumerated() {
            let x = gridX + (i % cols) * (cellWidth + gap)
            let y = gridY + (i / cols) * (cellHeight + gap)
            canvas.text(panel.title, centreX: x + cellWidth / 2, y: y, scale: headScale, ink)
            let mapX = x + (cellWidth - map.width) / 2
            let mapY = y + headHeight + 6
            canvas.blit(
                MapPicture.colours(map.values, range: range, ramp: ramp), width: map.width, height: map.height,
                scale: 1, x: mapX, y: mapY)
            canvas.frame(x: mapX - 1, y: mapY - 1, width: map.width + 2, height: map.height + 2, frameColour)
        }
        legend.draw(on: &canvas, x: margin + (contentWidth - legend.width) / 2, y: legendY)
        return canvas
    }
}
