/// GDAL's affine geotransform: world = origin + col * (pixelWidth, columnRotation) + row * (rowRotation, pixelHeight).
///
/// Coefficients in GDAL order: originX, pixelWidth, rowRotation, originY, columnRotation, pixelHeight.
public struct GeoTransform: Sendable, Equatable, CustomStringConvertible {
    /// X of the top-left corner of the top-left cell.
    public var originX: Double
    /// X step per column (cell width).
    public var pixelWidth: Double
    /// X step per row (0 for north-up).
    public var rowRotation: Double
    /// Y of the top-left corner of the top-left cell.
    public var originY: Double
    /// Y step per column (0 for north-up).
    public var columnRotation: Double
    /// Y step per row (negative for north-up).
    public var pixelHeight: Double

    /// A north-up transform; `pixelHeight` is normally negative.
    public init(originX: Double, pixelWidth: Double, originY: Double, pixelHeight: Double) {
        self.init(coefficients: [originX, pixelWidth, 0, originY, 0, pixelHeight])
    }

    /// From GDAL's six coefficients.
    public init(coefficients c: [Double]) {
        precondition(c.count == 6, "GeoTransform needs 6 coefficients, got \(c.count)")
        originX = c[0]
        pixelWidth = c[1]
        rowRotation = c[2]
        originY = c[3]
        columnRotation = c[4]
        pixelHeight = c[5]
    }

    /// GDAL's six coefficients.
    public var coefficients: [Double] {
        [originX, pixelWidth, rowRotation, originY, columnRotation, pixelHeight]
    }

    /// True when there is no rotation or shear term (north-up, south-up or mirrored).
    public var isAxisAligned: Bool { rowRotation == 0 && columnRotation == 0 }

    /// True when north-up: axis-aligned, x growing with the column and y falling with the row.
    public var isNorthUp: Bool { isAxisAligned && pixelWidth > 0 && pixelHeight < 0 }

    /// Map coordinates of a fractional pixel position (col 0.5, row 0.5 is the first cell's centre).
    public func world(col: Double, row: Double) -> (x: Double, y: Double) {
        (originX + col * pixelWidth + row * rowRotation, originY + col * columnRotation + row * pixelHeight)
    }

    /// Fractional pixel position of a map coordinate (inverse of `world`).
    public func pixel(x: Double, y: Double) -> (col: Double, row: Double) {
        let det = pixelWidth * pixelHeight - rowRotation * columnRotation
        precondition(det != 0, "GeoTransform \(coefficients) is not invertible")
        let dx = x - originX
        let dy = y - originY
        return ((dx * pixelHeight - dy * rowRotation) / det, (dy * pixelWidth - dx * columnRotation) / det)
    }

    /// The six coefficients.
    public var description: String { "GeoTransform\(coefficients)" }
}
