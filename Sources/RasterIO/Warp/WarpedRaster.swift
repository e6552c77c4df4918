import CGDAL
import Foundation

/// A lazy view of a raster on another grid: GDALWarp to an in-memory warped VRT, so reading a
/// window warps only that window (memory bounded by the window). A source already on the grid
/// (same CRS and cell size, whole-cell offset) is read directly, without resampling.
public final class WarpedRaster {
    /// The source raster's path.
    public let path: String
    /// The grid the raster is viewed on.
    public let grid: Grid
    /// The resampling method.
    public let resampling: Resampling
    /// The source raster's own grid.
    public let sourceGrid: Grid
    /// True when the source lines up with `grid` and is read without warping.
    public let isDirect: Bool

    private let source: RasterDataset
    private let warped: DatasetHandle?
    private let offset: (col: Int, row: Int)
    private let infos: [BandInfo]
    private let sourceInfos: [BandInfo]

    /// Opens `path` and prepares the warped view onto `grid`; throws naming the file when it cannot
    /// be opened, has no CRS, or GDAL cannot relate its CRS to the grid's.
    public init(path: String, onto grid: Grid, resampling: Resampling) throws {
        precondition(grid.transform.isNorthUp, "WarpedRaster: the target grid must be north-up (no rotation)")
        self.path = path
        self.grid = grid
        self.resampling = resampling
        let source = try RasterDataset(path: path)
        self.source = source
        sourceGrid = try source.grid()
        let sourceInfos = try (1...source.bandCount).map { try source.band($0) }
        self.sourceInfos = sourceInfos

        if let offset = grid.offset(of: sourceGrid) {
            // Direct: the view's cell (c, r) is the source's cell (c - offset.col, r - offset.row).
            isDirect = true
            self.offset = offset
            warped = nil
            infos = sourceInfos
            return
        }
        isDirect = false
        offset = (0, 0)
        let nodata = sourceInfos.map { info -> Double in
            guard let value = info.nodata, Double(Float(value)) == value || value.isNaN else { return .nan }
            return value
        }
        let e = grid.extent
        let arguments = [
            "-of", "VRT", "-ot", "Float32",
            "-t_srs", grid.crs.wkt,
            "-te", Self.number(e.minX), Self.number(e.minY), Self.number(e.maxX), Self.number(e.maxY),
            "-ts", String(grid.width), String(grid.height),
            "-r", resampling.gdalName,
            "-dstnodata", nodata.map(Self.number).joined(separator: " "),
        ]
        let context = RasterError(
            "cannot warp raster '\(path)' onto the grid (\(grid.crs.name), \(grid.width) x \(grid.height))",
            path: path, hint: "Check that the raster's CRS is right and overlaps the reference grid")
        let argv = CStringList(arguments)
        let options = try gdal(context) { GDALWarpAppOptionsNew(argv.pointer, nil) }
        defer { GDALWarpAppOptionsFree(options) }
        var sources: [GDALDatasetH?] = [try source.handle.get()]
        var usageError: Int32 = 0
        let vrt = try gdal(context) { GDALWarp("", nil, 1, &sources, options, &usageError) }
        // The warped VRT holds its own reference to the source; it is closed first (see deinit).
        warped = DatasetHandle(vrt, path: path)
        infos = sourceInfos.enumerated().map { i, info in
            var copy = info
            copy.nodata = nodata[i]
            return copy
        }
    }

    deinit { close() }

    /// Number of bands.
    public var bandCount: Int { infos.count }

    /// Band information of the view: the view's nodata (the source's, or NaN when it has none);
    /// description, unit, data type and classes of the source band.
    public func band(_ i: Int) throws -> BandInfo {
        guard i >= 1, i <= infos.count else {
            throw RasterError("raster '\(path)' has \(infos.count) band\(infos.count == 1 ? "" : "s"); band \(i) does not exist",
                              path: path, band: i, hint: "Bands are numbered from 1")
        }
        return infos[i - 1]
    }

    /// Band information of the source band itself (its own nodata and data type).
    public func sourceBand(_ i: Int) throws -> BandInfo {
        _ = try band(i)
        return sourceInfos[i - 1]
    }

    /// Reads a window of the view; cells outside the grid or without source data are invalid.
    public func read(band: Int, window: PixelWindow) throws -> RasterBlock {
        let info = try self.band(band)
        guard let inside = window.intersection(grid.fullWindow) else { return .invalid(window) }
        if let warped {
            return try warped.readBlock(band: band, window: window, nodata: info.nodata)
        }
        // Direct read: shift into the source and cut off whatever lies outside the grid.
        var sourceWindow = window
        sourceWindow.col -= offset.col
        sourceWindow.row -= offset.row
        var block = try source.read(band: band, window: sourceWindow)
        block.window = window
        if inside != window {
            for r in 0..<window.height {
                for c in 0..<window.width where !inside.contains(col: window.col + c, row: window.row + r) {
                    block.valid[r * window.width + c] = false
                    block.values[r * window.width + c] = .nan
                }
            }
        }
        return block
    }

    /// Closes the view and the source; idempotent. Later reads throw.
    public func close() {
        warped?.close()
        source.close()
    }

    private static func number(_ value: Double) -> String {
        value.isNaN ? "nan" : String(format: "%.17g", value)
    }
}
