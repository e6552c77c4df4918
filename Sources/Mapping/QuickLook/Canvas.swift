/// An RGB picture in memory (row-major, 3 bytes per pixel) with the few drawing operations the
/// quick-looks need: rectangles, scaled map pixels and bitmap-font text.
struct Canvas {
    let width: Int
    let height: Int
    private(set) var pixels: [UInt8]

    /// A canvas filled with `background`.
    init(width: Int, height: Int, background: RGB) {
        precondition(width > 0 && height > 0, "Canvas size \(width) x \(height) must be positive")
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 3)
        fill(x: 0, y: 0, width: width, height: height, background)
    }

    /// The colour at a pixel (for tests).
    func colour(x: Int, y: Int) -> RGB {
        let i = (y * width + x) * 3
        return RGB(pixels[i], pixels[i + 1], pixels[i + 2])
    }

    /// Fills a rectangle (clipped to the canvas).
    mutating func fill(x: Int, y: Int, width w: Int, height h: Int, _ c: RGB) {
        let x0 = max(0, x)
        let y0 = max(0, y)
        let x1 = min(width, x + w)
        let y1 = min(height, y + h)
        guard x0 < x1, y0 < y1 else { return }
        let cw = width
        pixels.withUnsafeMutableBufferPointer { p in
            for row in y0..<y1 {
                for col in x0..<x1 {
                    let i = (row * cw + col) * 3
                    p[i] = c.red
                    p[i + 1] = c.green
                    p[i + 2] = c.blue
                }
            }
        }
    }

    /// A one-pixel rectangle outline.
    mutating func frame(x: Int, y: Int, width w: Int, height h: Int, _ c: RGB) {
        fill(x: x, y: y, width: w, height: 1, c)
        fill(x: x, y: y + h - 1, width: w, height: 1, c)
        fill(x: x, y: y, width: 1, height: h, c)
        fill(x: x + w - 1, y: y, width: 1, height: h, c)
    }

    /// Draws `colours` (row-major, `w` x `h`, nil = leave the background) with each cell as a
    /// `scale` x `scale` block, top-left at (x, y).
    mutating func blit(_ colours: [RGB?], width w: Int, height h: Int, scale: Int, x: Int, y: Int) {
        precondition(colours.count == w * h, "Canvas.blit: \(colours.count) colours for \(w) x \(h)")
        for row in 0..<h {
            for col in 0..<w {
                guard let c = colours[row * w + col] else { continue }
                fill(x: x + col * scale, y: y + row * scale, width: scale, height: scale, c)
            }
        }
    }

    /// Pixel width of `text` at `scale`.
    static func textWidth(_ text: String, scale: Int) -> Int { BitmapFont.width(text) * scale }

    /// Pixel height of a text line at `scale` (cap height plus descenders).
    static func lineHeight(scale: Int) -> Int { (BitmapFont.ascent + BitmapFont.descent) * scale }

    /// Draws `text` with its top-left (cap top) at (x, y), each font cell `scale` pixels square.
    mutating func text(_ text: String, x: Int, y: Int, scale: Int, _ c: RGB) {
        var cursor = x
        for character in text {
            let glyph = BitmapFont.glyph(character)
            for (r, row) in glyph.rows.enumerated() {
                for col in 0..<glyph.width where row[glyph.firstColumn + col] {
                    fill(x: cursor + col * scale, y: y + r * scale, width: scale, height: scale, c)
                }
            }
            cursor += (glyph.width + BitmapFont.spacing) * scale
        }
    }

    /// Draws `text` centred on `centreX`.
    mutating func text(_ text: String, centreX: Int, y: Int, scale: Int, _ c: RGB) {
        self.text(text, x: centreX - Self.textWidth(text, scale: scale) / 2, y: y, scale: scale, c)
    }
}
