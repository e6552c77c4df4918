import CGDAL

/// Owns one GDAL dataset handle: deinit closes it, close() is idempotent, use after close throws.
final class DatasetHandle {
    private var handle: GDALDatasetH?
    /// The path the dataset was opened or created from (for error messages).
    let path: String

    /// Takes ownership of an open handle.
    init(_ handle: GDALDatasetH, path: String) {
        self.handle = handle
        self.path = path
    }

    deinit { close() }

    /// True until close().
    var isOpen: Bool { handle != nil }

    /// Closes the dataset (flushing pending writes); idempotent.
    func close() {
        guard let handle else { return }
        self.handle = nil
        gdalQuietly { GDALClose(handle) }
    }

    /// Closes the dataset and throws when GDAL reports an error while flushing (for writers).
    func closeChecked() throws {
        guard let handle else { return }
        self.handle = nil
        try gdalReporting(RasterError("cannot finish writing raster '\(path)'", path: path)) { GDALClose(handle) }
    }

    /// The handle; throws after close().
    func get() throws -> GDALDatasetH {
        guard let handle else { throw RasterError("raster '\(path)' was used after it was closed", path: path) }
        return handle
    }

    /// The handle of 1-based band `index`; throws naming the band count when it does not exist.
    func band(_ index: Int) throws -> GDALRasterBandH {
        let h = try get()
        let count = Int(GDALGetRasterCount(h))
        guard index >= 1, index <= count else {
            throw RasterError(
                "raster '\(path)' has \(count) band\(count == 1 ? "" : "s"); band \(index) does not exist",
                path: path, band: index, hint: "Bands are numbered from 1")
        }
        return try gdal(RasterError("cannot access band \(index) of raster '\(path)'", path: path, band: index)) {
            GDALGetRasterBand(h, Int32(index))
        }
    }
}
