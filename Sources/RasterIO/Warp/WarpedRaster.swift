import CGDAL
import Foundation

/// A lazy view of a raster on another grid: GDALWarp to an in-memory warped VRT, so reading a
/// window warps only that window (memory bounded by the window). A source already on the grid
/// (same CRS and cell size, whole-cell offset) is read directly, without resampling; a south-up
/// source on the grid is read directly with its rows reversed. Rotated or sheared sources are refused.
public final class WarpedRaster {
    /// The source raster's path.
    public let path: String
    /// The grid the raster is viewed on.
    public let grid: Grid
    /// The resampling method.
    public let resampling: Resampling
    /// The source raster's own grid (as stored: a south-up raster keeps its positive pixel height).
    public let sourceGrid: Grid
    /// True when the source lines up with `grid` and is read without warping.
    public let isDirect: Bool
    /// The nodata value that replaces the source's own for every band (nil: the source's).
    public let nodataOverride: Double?

    private let source: RasterDataset
    private let warped: DatasetHandle?
    /// Direct reads: the view's cell (c, r) is the north-up source's cell (c - offset.col, r - offset.row).
    private let offset: (col: Int, row: Int)
    /// Direct reads: the source's rows (columns) run south to north (east to west).
    private let flipRows: Bool, flipCols: Bool
    private let infos: [BandInfo]
    private let sourceInfos: [BandInfo]

    /// Opens `path` and prepares the warped view onto the north-up `grid`; `nodata` replaces the
    /// source's nodata value. Throws naming the file when it cannot be opened, has no CRS, has a
    /// rotated geotransform, or has a CRS that cannot be transformed to the grid's.
    public init(path: String, onto grid: Grid, resampling: Resampling, nodata nodataOverride: Double? = nil) throws {
        guard grid.transform.isNorthUp else {
            throw RasterError(
                "cannot view raster '\(path)' on a grid that is not north-up (\(grid.transform))", path: path,
                hint: "Give a north-up target grid (ReferenceGrid.resolve returns one)")
        }
        self.path = path
        self.grid = grid
        self.resampling = resampling
        self.nodataOverride = nodataOverride
        let source = try RasterDataset(path: path)
        self.source = source
        sourceGrid = try source.grid()
        let upright = try source.northUpGrid()
        var sourceInfos = try (1...source.bandCount).map { try source.band($0) }
        self.sourceInfos = sourceInfos
        if let nodataOverride {
            for i in sourceInfos.indices { sourceInfos[i].nodata = nodataOverride }
        }

        if let offset = grid.offset(of: upright) {
            isDirect = true
            self.offset = offset
            flipRows = sourceGrid.transform.pixelHeight > 0
            flipCols = sourceGrid.transform.pixelWidth < 0
            warped = nil
            infos = sourceInfos
            return
        }
        isDirect = false
        offset = (0, 0)
        flipRows = false
        flipCols = false
        if sourceGrid.crs != grid.crs {
            do {
                _ = try CoordinateTransformer(from: sourceGrid.crs, to: grid.crs)
            } catch let error as RasterError {
                throw RasterError(
                    """
                    cannot warp raster '\(path)' onto the grid: its CRS \(sourceGrid.crs) cannot be \
                    transformed to the grid's CRS \(grid.crs)
                    """,
                    path: path, gdalMessage: error.gdalMessage,
                    hint: """
                        Assign the raster its right CRS (gdal_edit.py -a_srs EPSG:xxxx) or \
                        reproject it with gdalwarp -t_srs
                        """
                )
            }
        }
        let nodata = sourceInfos.map { info -> Double in
            guard let value = info.nodata, Double(Float(value)) == value || value.isNaN else { return .nan }
            return value
        }
        let e = grid.extent
        var arguments = [
            "-of", "VRT", "-ot", "Float32",
            "-t_srs", grid.crs.wkt,
            "-te", Self.number(e.minX), Self.number(e.minY), Self.number(e.maxX), Self.number(e.maxY),
            "-ts", String(grid.width), String(grid.height),
            "-r", resampling.gdalName,
            "-dstnodata", nodata.map(Self.number).joined(separator: " ")
        ]
        if let nodataOverride { arguments += ["-srcnodata", Self.number(nodataOverride)] }
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

    /// Band information of the view: the view's nodata (the override, else the source's; NaN when a
    /// warped view has none); description, unit, data type and classes of the source band.
    public func band(_ i: Int) throws -> BandInfo {
        guard i >= 1, i <= infos.count else {
            throw RasterError(
                "raster '\(path)' has \(infos.count) band\(infos.count == 1 ? "" : "s"); band \(i) does not exist",
                path: path, band: i, hint: "Bands are numbered from 1")
        }
        return infos[i - 1]
    }

    /// Band information of the source band itself, as the file stores it (its own nodata and data type).
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
        // Direct read: shift into the north-up source, mirror into a south-up (or east-to-west) one,
        // read, mirror the block back and cut off whatever lies outside the grid.
        var sourceWindow = window
        sourceWindow.col -= offset.col
        sourceWindow.row -= offset.row
        if flipRows { sourceWindow.row = sourceGrid.height - sourceWindow.row - window.height }
        if flipCols { sourceWindow.col = sourceGrid.width - sourceWindow.col - window.width }
        var block = try source.handle.readBlock(band: band, window: sourceWindow, nodata: info.nodata)
        block.window = window
        if flipRows || flipCols { block = Self.mirrored(block, rows: flipRows, cols: flipCols) }
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

    /// Every file GDAL reads for the source raster (the raster, its sidecars, a VRT's sources).
    public func sourceFiles() throws -> [String] { try source.files() }

    /// Closes the view and the source; idempotent. Later reads throw.
    public func close() {
        warped?.close()
        source.close()
    }

    /// The block with its rows and/or columns in reverse order.
    private static func mirrored(_ block: RasterBlock, rows: Bool, cols: Bool) -> RasterBlock {
        let w = block.window.width
        let h = block.window.height
        var values = block.values
        var valid = block.valid
        for r in 0..<h {
            let from = rows ? h - 1 - r : r
            for c in 0..<w {
                let i = from * w + (cols ? w - 1 - c : c)
                values[r * w + c] = block.values[i]
                valid[r * w + c] = block.valid[i]
            }
        }
        return RasterBlock(window: block.window, values: values, valid: valid)
    }

    private static func number(_ value: Double) -> String {
        value.isNaN ? "nan" : String(format: "%.17g", value)
    }
}
