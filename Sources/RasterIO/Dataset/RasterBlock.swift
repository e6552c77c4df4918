/// Values of one band over a window: row-major, `window.width * window.height` cells.
public struct RasterBlock: Sendable {
    /// The window read (may extend outside the raster).
    public var window: PixelWindow
    /// Cell values row by row; invalid cells hold NaN.
    public var values: [Float]
    /// True where the cell is inside the raster, not nodata and not NaN.
    public var valid: [Bool]

    /// Creates a block; both arrays must have `window.cellCount` elements.
    public init(window: PixelWindow, values: [Float], valid: [Bool]) {
        precondition(
            values.count == window.cellCount && valid.count == window.cellCount,
            "RasterBlock: \(values.count) values and \(valid.count) flags for \(window)")
        self.window = window
        self.values = values
        self.valid = valid
    }

    /// A block with every cell invalid (NaN).
    public static func invalid(_ window: PixelWindow) -> RasterBlock {
        RasterBlock(
            window: window, values: Array(repeating: .nan, count: window.cellCount),
            valid: Array(repeating: false, count: window.cellCount))
    }

    /// The value at a cell of the window (col/row relative to the window), nil when invalid.
    public func value(col: Int, row: Int) -> Float? {
        precondition(
            col >= 0 && col < window.width && row >= 0 && row < window.height,
            "RasterBlock.value: (\(col), \(row)) outside \(window)")
        let i = row * window.width + col
        return valid[i] ? values[i] : nil
    }

    /// Number of valid cells.
    public var validCount: Int { valid.reduce(0) { $0 + ($1 ? 1 : 0) } }
}
