import CGDAL
import FileIO
import Foundation

/// Writes a GeoTIFF safely: data goes to a hidden temporary file in the same folder, which
/// `finish()` completes (statistics, overviews) and renames to `path`; nothing exists at `path`
/// before that, and `abort()` (or deinit without finish) removes the temporary file.
public final class GeoTIFFWriter {
    /// The final path.
    public let path: String
    /// The temporary file written until finish(): "<dir>/.<name>.partial-<pid>.tif".
    public let temporaryPath: String
    /// The grid written.
    public let grid: Grid
    /// Number of bands.
    public let bandCount: Int
    /// The pixel type stored.
    public let dataType: RasterDataType
    /// The nodata value of every band, nil for none.
    public let nodata: Double?
    /// The creation profile.
    public let profile: GeoTIFFProfile

    private let handle: DatasetHandle
    private var state: State = .writing
    private var descriptions: [Int: String] = [:]
    private var units: [Int: String] = [:]
    private var metadata: [String: [String: String]] = [:]
    private var categoryNames: [Int: [String]] = [:]
    private var attributeTables: [Int: [Int: String]] = [:]

    private enum State { case writing, finished, aborted }

    /// Creates the temporary file; throws when the folder does not exist or GDAL cannot create it.
    public init(
        path: String, grid: Grid, bandCount: Int, dataType: RasterDataType = .float32, nodata: Double?,
        profile: GeoTIFFProfile = .default
    ) throws {
        precondition(bandCount >= 1, "GeoTIFFWriter needs at least one band, got \(bandCount)")
        self.path = path
        self.grid = grid
        self.bandCount = bandCount
        self.dataType = dataType
        self.nodata = nodata
        self.profile = profile
        temporaryPath = AtomicFile.temporaryPath(for: path, suffix: ".tif")
        try FinishedRaster.requireFolder(of: path, what: "raster")
        let context = RasterError(
            "cannot create raster '\(path)'", path: path,
            hint: "Check that the folder is writable and the disk is not full")
        let driver = try gdal(context) { GDALGetDriverByName("GTiff") }
        let options = CStringList(options: profile.creationOptions(for: dataType))
        let temp = temporaryPath
        let h = try gdal(context) {
            GDALCreate(
                driver, temp, Int32(grid.width), Int32(grid.height), Int32(bandCount), dataType.gdalType,
                options.pointer)
        }
        handle = DatasetHandle(h, path: temp)
        do {
            var coefficients = grid.transform.coefficients
            try gdal(context) { GDALSetGeoTransform(h, &coefficients) }
            let srs = try SpatialReference(grid.crs)
            try gdal(context) { GDALSetSpatialRef(h, try srs.get()) }
            if let nodata {
                for b in 1...bandCount {
                    let band = try handle.band(b)
                    try gdal(RasterError("cannot set nodata \(nodata) on raster '\(path)'", path: path, band: b)) {
                        GDALSetRasterNoDataValue(band, nodata)
                    }
                }
            }
        } catch {
            abort()
            throw error
        }
    }

    deinit { abort() }

    /// Sets a band's description (shown by QGIS and gdalinfo; our covariate name).
    public func setDescription(band: Int, _ text: String) {
        checkBand(band)
        descriptions[band] = text
    }

    /// Sets a band's unit, e.g. "g/kg".
    public func setUnit(band: Int, _ unit: String) {
        checkBand(band)
        units[band] = unit
    }

    /// Adds dataset-level metadata items (written in sorted key order, for byte-identical files).
    public func setMetadata(_ items: [String: String], domain: String? = nil) {
        metadata[domain ?? "", default: [:]].merge(items) { _, new in new }
    }

    /// Sets GDAL category names (index = class value) for a categorical band.
    public func setCategoryNames(band: Int, _ names: [String]) {
        checkBand(band)
        categoryNames[band] = names
    }

    /// Sets a raster attribute table (VALUE, CLASS columns) for a categorical band; GeoTIFF keeps it
    /// in "<path>.aux.xml", which finish() moves along with the file.
    public func setAttributeTable(band: Int, _ table: [Int: String]) {
        checkBand(band)
        attributeTables[band] = table
    }

    /// Writes a window of one band; `values` is row-major with `window.cellCount` elements.
    public func write(band: Int, window: PixelWindow, values: [Float]) throws {
        checkBand(band)
        precondition(
            grid.fullWindow.contains(window),
            "GeoTIFFWriter.write: \(window) is outside the \(grid.width) x \(grid.height) grid")
        precondition(values.count == window.cellCount, "GeoTIFFWriter.write: \(values.count) values for \(window)")
        precondition(state == .writing, "GeoTIFFWriter.write after finish() or abort()")
        guard !window.isEmpty else { return }
        let b = try handle.band(band)
        try values.withUnsafeBytes { buffer in
            // GDALRasterIO takes a mutable pointer for reads and writes alike; GF_Write only reads it.
            let pointer = UnsafeMutableRawPointer(mutating: buffer.baseAddress)
            try gdal(
                RasterError(
                    "cannot write raster '\(path)'", path: path, band: band, window: window,
                    hint: "Check that the disk is not full")
            ) {
                GDALRasterIO(
                    b, GF_Write, Int32(window.col), Int32(window.row), Int32(window.width), Int32(window.height),
                    pointer, Int32(window.width), Int32(window.height), GDT_Float32, 0, 0)
            }
        }
    }

    /// Writes the blocks GDAL holds in its cache for every band to the file and frees them
    /// (`GDALFlushRasterCache`), so a raster written window by window keeps only the blocks still
    /// being filled in memory. Flush only after whole rows of tiles: a partly written tile that is
    /// flushed is read back and written again when the rest of it arrives (the file stays valid,
    /// but grows and no longer matches one written in one call). `GeoTIFFRowWriter` does this.
    public func flushBlocks() throws {
        precondition(state == .writing, "GeoTIFFWriter.flushBlocks after finish() or abort()")
        for band in 1...bandCount {
            let b = try handle.band(band)
            try gdal(
                RasterError(
                    "cannot write raster '\(path)'", path: path, band: band,
                    hint: "Check that the disk is not full")
            ) {
                GDALFlushRasterCache(b)
            }
        }
    }

    /// Completes the file: band properties, exact statistics (stored in the file), internal overviews;
    /// then closes it and renames it to `path`, replacing any file there.
    public func finish() throws {
        precondition(state == .writing, "GeoTIFFWriter.finish called twice or after abort()")
        do {
            try applyProperties()
            let h = try handle.get()
            if profile.statistics { try computeStatistics() }
            if profile.overviews { try buildOverviews(h) }
            try handle.closeChecked()
            try FinishedRaster.moveIntoPlace(temporaryPath, path)
            state = .finished
        } catch {
            abort()
            throw RasterError.onFullDisk(error, writing: path)
        }
    }

    /// Closes and deletes the temporary file; nothing is left at `path`. Idempotent.
    public func abort() {
        guard state == .writing else { return }
        state = .aborted
        handle.close()
        for file in [temporaryPath, temporaryPath + ".aux.xml", temporaryPath + ".ovr"] {
            try? FileManager.default.removeItem(atPath: file)
        }
    }

    // MARK: - Finishing steps

    private func checkBand(_ band: Int) {
        precondition(band >= 1 && band <= bandCount, "GeoTIFFWriter: band \(band) outside 1...\(bandCount)")
    }

    private var isCategorical: Bool { !categoryNames.isEmpty || !attributeTables.isEmpty }

    private func applyProperties() throws {
        let h = try handle.get()
        let context = RasterError("cannot set the properties of raster '\(path)'", path: path)
        for (band, text) in descriptions.sorted(by: { $0.key < $1.key }) {
            let b = try handle.band(band)
            try gdalReporting(context) { GDALSetDescription(b, text) }
        }
        for (band, unit) in units.sorted(by: { $0.key < $1.key }) {
            let b = try handle.band(band)
            try gdal(context) { GDALSetRasterUnitType(b, unit) }
        }
        for (domain, items) in metadata.sorted(by: { $0.key < $1.key }) {
            for (key, value) in items.sorted(by: { $0.key < $1.key }) {
                try gdal(context) { GDALSetMetadataItem(h, key, value, domain.isEmpty ? nil : domain) }
            }
        }
        for (band, names) in categoryNames.sorted(by: { $0.key < $1.key }) {
            let b = try handle.band(band)
            let list = CStringList(names)
            try gdal(context) { GDALSetRasterCategoryNames(b, list.pointer) }
        }
        for (band, table) in attributeTables.sorted(by: { $0.key < $1.key }) {
            let b = try handle.band(band)
            guard let rat = GDALCreateRasterAttributeTable() else { throw context }
            defer { GDALDestroyRasterAttributeTable(rat) }
            try gdal(context) { GDALRATCreateColumn(rat, "VALUE", GFT_Integer, GFU_MinMax) }
            try gdal(context) { GDALRATCreateColumn(rat, "CLASS", GFT_String, GFU_Name) }
            GDALRATSetTableType(rat, GRTT_THEMATIC)
            for (row, entry) in table.sorted(by: { $0.key < $1.key }).enumerated() {
                GDALRATSetValueAsInt(rat, Int32(row), 0, Int32(entry.key))
                GDALRATSetValueAsString(rat, Int32(row), 1, entry.value)
            }
            try gdal(context) { GDALSetDefaultRAT(b, rat) }
        }
    }

    private func computeStatistics() throws {
        for band in 1...bandCount {
            let b = try handle.band(band)
            var minimum = 0.0
            var maximum = 0.0
            var mean = 0.0
            var sd = 0.0
            // A band with no valid cell has no statistics; that is not an error.
            let (status, message) = gdalCapturingMessage {
                GDALComputeRasterStatistics(b, 0, &minimum, &maximum, &mean, &sd, nil, nil)
            }
            if status == CE_Failure, !message.lowercased().contains("no valid pixels") {
                throw RasterError(
                    "cannot compute statistics of raster '\(path)'", path: path, band: band,
                    gdalMessage: message)
            }
        }
    }

    /// Overview factors 2, 4, 8, ... until the raster fits in one tile.
    static func overviewFactors(width: Int, height: Int, tileSize: Int) -> [Int32] {
        var factors: [Int32] = []
        var factor = 2
        while (max(width, height) + factor / 2 - 1) / (factor / 2) > tileSize {
            factors.append(Int32(factor))
            factor *= 2
        }
        return factors
    }

    private func buildOverviews(_ h: GDALDatasetH) throws {
        var factors = Self.overviewFactors(width: grid.width, height: grid.height, tileSize: profile.tileSize)
        guard !factors.isEmpty else { return }
        let resampling = isCategorical ? "NEAREST" : profile.overviewResampling
        try gdal(RasterError("cannot build overviews of raster '\(path)'", path: path)) {
            GDALBuildOverviews(h, resampling, Int32(factors.count), &factors, 0, nil, nil, nil)
        }
    }
}
