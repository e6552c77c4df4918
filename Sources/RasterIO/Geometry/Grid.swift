import Foundation

/// A raster grid: CRS, geotransform and size. Two rasters on equal grids line up cell for cell.
public struct Grid: Sendable, Equatable, CustomStringConvertible {
    /// The coordinate reference system.
    public let crs: CRS
    /// Pixel-to-map transform.
    public let transform: GeoTransform
    /// Number of columns.
    public let width: Int
    /// Number of rows.
    public let height: Int

    /// Creates a grid from its parts; the size must be positive.
    public init(crs: CRS, transform: GeoTransform, width: Int, height: Int) {
        precondition(width > 0 && height > 0, "Grid size \(width) x \(height) must be positive")
        self.crs = crs
        self.transform = transform
        self.width = width
        self.height = height
    }

    /// A north-up grid of square cells covering `extent`, snapped outward to multiples of
    /// `resolution` (like gdalwarp -tap), so grids made with one resolution line up.
    public init(crs: CRS, extent: Extent, resolution: Double) {
        precondition(resolution > 0 && resolution.isFinite, "Grid resolution \(resolution) must be positive")
        precondition(extent.width > 0 && extent.height > 0, "Grid extent \(extent) is empty")
        // A tolerance of a millionth of a cell keeps aligned edges from gaining a cell to rounding.
        let tol = 1e-6
        let minX = (extent.minX / resolution + tol).rounded(.down) * resolution
        let maxX = (extent.maxX / resolution - tol).rounded(.up) * resolution
        let minY = (extent.minY / resolution + tol).rounded(.down) * resolution
        let maxY = (extent.maxY / resolution - tol).rounded(.up) * resolution
        self.init(
            crs: crs,
            transform: GeoTransform(originX: minX, pixelWidth: resolution, originY: maxY, pixelHeight: -resolution),
            width: max(1, Int(((maxX - minX) / resolution).rounded())),
            height: max(1, Int(((maxY - minY) / resolution).rounded())))
    }

    /// The same cells seen north-up: rows reversed for a south-up grid (positive pixel height), columns
    /// reversed for a mirrored one; the grid itself when north-up, nil when rotated, sheared or degenerate.
    public var northUp: Grid? {
        let t = transform
        guard t.isAxisAligned, t.pixelWidth != 0, t.pixelHeight != 0, t.coefficients.allSatisfy(\.isFinite) else {
            return nil
        }
        if t.isNorthUp { return self }
        let e = extent
        return Grid(
            crs: crs,
            transform: GeoTransform(
                originX: e.minX, pixelWidth: abs(t.pixelWidth),
                originY: e.maxY, pixelHeight: -abs(t.pixelHeight)),
            width: width, height: height)
    }

    /// The bounding box of the grid's cells in map coordinates.
    public var extent: Extent {
        let corners = [(0.0, 0.0), (Double(width), 0.0), (0.0, Double(height)), (Double(width), Double(height))]
            .map { transform.world(col: $0.0, row: $0.1) }
        return Extent(
            minX: corners.map(\.x).min()!, minY: corners.map(\.y).min()!,
            maxX: corners.map(\.x).max()!, maxY: corners.map(\.y).max()!)
    }

    /// Cell size along x and y (both positive).
    public var resolution: (x: Double, y: Double) {
        (hypot(transform.pixelWidth, transform.columnRotation), hypot(transform.rowRotation, transform.pixelHeight))
    }

    /// width * height.
    public var cellCount: Int { width * height }

    /// The window covering the whole grid.
    public var fullWindow: PixelWindow { PixelWindow(col: 0, row: 0, width: width, height: height) }

    /// Map coordinates of a cell's centre.
    public func cellCenter(col: Int, row: Int) -> (x: Double, y: Double) {
        transform.world(col: Double(col) + 0.5, row: Double(row) + 0.5)
    }

    /// The cell holding a map coordinate, nil outside the grid (or for non-finite input).
    public func cell(x: Double, y: Double) -> (col: Int, row: Int)? {
        guard x.isFinite, y.isFinite else { return nil }
        let p = transform.pixel(x: x, y: y)
        let col = p.col.rounded(.down)
        let row = p.row.rounded(.down)
        guard col >= 0, row >= 0, col < Double(width), row < Double(height) else { return nil }
        return (Int(col), Int(row))
    }

    /// Windows of at most size x size cells tiling the grid row by row, clamped at the edges.
    public func tiles(size: Int) -> [PixelWindow] {
        precondition(size > 0, "tile size \(size) must be positive")
        var result: [PixelWindow] = []
        for row in stride(from: 0, to: height, by: size) {
            for col in stride(from: 0, to: width, by: size) {
                result.append(
                    PixelWindow(col: col, row: row, width: min(size, width - col), height: min(size, height - row)))
            }
        }
        return result
    }

    /// True when `other` has the same CRS and size and its transform matches to `tolerance` of a cell.
    public func isAligned(with other: Grid, tolerance: Double = 1e-6) -> Bool {
        guard width == other.width, height == other.height else { return false }
        return offset(of: other, tolerance: tolerance).map { $0 == (0, 0) } ?? false
    }

    /// Whole-cell offset of `other`'s top-left cell in this grid when both share CRS, cell size
    /// and alignment (to `tolerance` of a cell); nil otherwise.
    public func offset(of other: Grid, tolerance: Double = 1e-6) -> (col: Int, row: Int)? {
        let a = transform
        let b = other.transform
        guard a.isNorthUp, b.isNorthUp else { return nil }
        let rx = abs(a.pixelWidth)
        let ry = abs(a.pixelHeight)
        guard abs(a.pixelWidth - b.pixelWidth) <= tolerance * rx / Double(max(width, other.width, 1)),
            abs(a.pixelHeight - b.pixelHeight) <= tolerance * ry / Double(max(height, other.height, 1))
        else { return nil }
        let p = transform.pixel(x: b.originX, y: b.originY)
        let col = p.col.rounded()
        let row = p.row.rounded()
        guard abs(p.col - col) <= tolerance, abs(p.row - row) <= tolerance else { return nil }
        guard crs == other.crs else { return nil }
        return (Int(col), Int(row))
    }

    /// "476 x 321 cells of 100 x 100 in GDA94 / MGA zone 55, extent ...".
    public var description: String {
        let r = resolution
        return "\(width) x \(height) cells of \(r.x) x \(r.y) in \(crs.name), extent \(extent)"
    }
}
