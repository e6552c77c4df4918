import CGDAL
import Foundation

/// A raster file opened read-only through GDAL.
public final class RasterDataset {
    /// The path as given.
    public let path: String
    /// Number of columns.
    public let width: Int
    /// Number of rows.
    public let height: Int
    /// Number of bands.
    public let bandCount: Int
    /// The CRS, nil when the file has none.
    public let crs: CRS?
    /// The geotransform (GDAL's default identity transform when the file has none).
    public let transform: GeoTransform
    /// False when the file carries no geotransform.
    public let hasGeoTransform: Bool
    let handle: DatasetHandle

    /// Opens a raster read-only; throws when the file is missing, not a raster or corrupt.
    public init(path: String) throws {
        self.path = path
        _ = GDALRuntime.ready
        if !path.hasPrefix("/vsi") {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw RasterError(
                    "raster file '\(path)' does not exist", path: path,
                    hint: "Check the path (relative paths are relative to the pipeline file)")
            }
            guard !isDirectory.boolValue else {
                throw RasterError(
                    "'\(path)' is a folder, not a raster file", path: path,
                    hint: "Name a raster file such as a GeoTIFF")
            }
        }
        let h = try gdal(
            RasterError(
                "cannot open raster '\(path)'", path: path,
                hint: "Check that the file is a raster GDAL can read (e.g. a GeoTIFF) and is not damaged")
        ) {
            GDALOpenEx(path, UInt32(GDAL_OF_RASTER | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR), nil, nil, nil)
        }
        handle = DatasetHandle(h, path: path)
        width = Int(GDALGetRasterXSize(h))
        height = Int(GDALGetRasterYSize(h))
        bandCount = Int(GDALGetRasterCount(h))
        guard bandCount > 0 else {
            throw RasterError("raster '\(path)' has no bands", path: path)
        }
        do {
            crs = try handle.crs()
        } catch var error as RasterError {
            error.message = "raster '\(path)' has a CRS that cannot be read"
            error.path = path
            throw error
        }
        let t = try handle.geoTransform()
        transform = t ?? GeoTransform(coefficients: [0, 1, 0, 0, 0, 1])
        hasGeoTransform = t != nil
    }

    /// The raster's grid; throws when it has no CRS or no geotransform.
    public func grid() throws -> Grid {
        guard let crs else {
            throw RasterError(
                "raster '\(path)' has no coordinate reference system", path: path,
                hint: "Assign one with gdal_edit.py -a_srs EPSG:xxxx")
        }
        guard hasGeoTransform else {
            throw RasterError(
                "raster '\(path)' has no geotransform (it is not georeferenced)", path: path,
                hint: "Georeference it, e.g. with gdal_edit.py -a_ullr or gdal_translate -a_ullr")
        }
        return Grid(crs: crs, transform: transform, width: width, height: height)
    }

    /// The raster's grid seen north-up (a south-up raster's rows reversed, see `Grid.northUp`); throws
    /// naming the file when it has no CRS, no geotransform, or a rotated or sheared one.
    public func northUpGrid() throws -> Grid {
        let own = try grid()
        guard let upright = own.northUp else {
            let what =
                !transform.coefficients.allSatisfy(\.isFinite)
                ? "a geotransform with non-finite terms"
                : transform.isAxisAligned ? "a zero cell size in its geotransform" : "a rotated or sheared geotransform"
            throw RasterError(
                """
                raster '\(path)' has \(what) \
                (\(transform.coefficients.map { String(format: "%.10g", $0) }.joined(separator: ", "))); \
                SOCMap reads north-up and south-up rasters only
                """, path: path,
                hint: """
                    Warp it to a north-up grid first, e.g. gdalwarp -r bilinear '\(path)' north_up.tif (-r near \
                    for class codes), and use that file
                    """
            )
        }
        return upright
    }

    /// Nodata, description, unit, type and classes of a 1-based band.
    public func band(_ index: Int) throws -> BandInfo { try handle.bandInfo(index) }

    /// Reads a window of a 1-based band; cells outside the raster come back invalid.
    public func read(band: Int, window: PixelWindow) throws -> RasterBlock {
        let nodata: Double?
        if let cached = nodataByBand[band] {
            nodata = cached
        } else {
            nodata = try handle.bandInfo(band).nodata
            nodataByBand[band] = .some(nodata)
        }
        return try handle.readBlock(band: band, window: window, nodata: nodata)
    }

    private var nodataByBand: [Int: Double?] = [:]

    /// Reads the last row of every band, where a truncated or cut-off file fails first (its data ends
    /// before its header says); throws naming the file and the band.
    public func checkLastRows() throws {
        guard height > 0, width > 0, bandCount > 0 else { return }
        let lastRow = PixelWindow(col: 0, row: height - 1, width: width, height: 1)
        for band in 1...bandCount {
            do { _ = try read(band: band, window: lastRow) } catch {
                throw RasterError(
                    """
                    cannot read the last row of band \(band) of '\(path)' (\(error)): the file is truncated or \
                    damaged
                    """,
                    path: path, hint: "Copy or download the file again, then check it with `gdalinfo -checksum`")
            }
        }
    }

    /// Closes the file; idempotent. Later reads throw.
    public func close() { handle.close() }

    /// Every file GDAL reads for this dataset (the raster, its sidecars, a VRT's sources); throws after close().
    public func files() throws -> [String] {
        let list = GDALGetFileList(try handle.get())
        defer { CSLDestroy(list) }
        return CStringList.strings(list)
    }
}
