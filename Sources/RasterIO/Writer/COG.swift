import CGDAL
import FileIO
import Foundation

/// Cloud-Optimised GeoTIFF output: converts a GeoTIFF (e.g. one GeoTIFFWriter finished) with
/// GDAL's COG driver, keeping nodata, band descriptions, units and statistics and adding
/// dataset metadata; the result is written beside `path` under a hidden name and renamed.
public enum COG {
    /// What to do about overviews.
    public enum Overviews: String, Sendable {
        /// Compute them afresh from full resolution with the given resampling (the default).
        case rebuild = "IGNORE_EXISTING"
        /// Use the source's overviews when it has them, else compute them.
        case reuse = "AUTO"
        /// Write no overviews.
        case none = "NONE"
    }

    /// Writes `source` as a COG at `path` (replacing any file there) with `metadata` added to the
    /// dataset's default metadata domain (in sorted key order). Same input, same bytes: nothing
    /// time-dependent is written. Missing band statistics are computed exactly. Afterwards the file
    /// is re-opened and checked for nodata, descriptions, units, statistics and metadata.
    public static func write(
        from source: String, to path: String, metadata: [String: String] = [:],
        overviewResampling: String = "AVERAGE", compression: String = "DEFLATE", predictor: Int? = nil,
        blockSize: Int = 512, level: Int = 6, overviews: Overviews = .rebuild
    ) throws {
        precondition(
            blockSize >= 128 && blockSize % 16 == 0,
            "COG.write: blockSize \(blockSize) must be a multiple of 16, at least 128")
        precondition(
            predictor.map { [1, 2, 3].contains($0) } ?? true, "COG.write: predictor \(predictor!) must be 1, 2 or 3")
        for key in metadata.keys {
            precondition(
                !key.isEmpty && !key.contains("=") && !key.contains(where: \.isWhitespace),
                "COG.write: metadata key '\(key)' must be non-empty without '=' or spaces")
        }
        let input = try RasterDataset(path: source)
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw RasterError(
                "cannot write COG '\(path)': the folder '\(folder)' does not exist", path: path,
                hint: "Create the output folder first")
        }
        let expected = try (1...input.bandCount).map { try input.band($0) }

        // An in-memory VRT over the source carries the additions without touching the source file.
        let context = RasterError("cannot prepare '\(source)' for COG conversion", path: source)
        let vrtDriver = try gdal(context) { GDALGetDriverByName("VRT") }
        let sourceHandle = try input.handle.get()
        let vrt = DatasetHandle(
            try gdal(context) { GDALCreateCopy(vrtDriver, "", sourceHandle, 0, nil, nil, nil) },
            path: source)
        defer { vrt.close() }
        let withStatistics = try ensureStatistics(vrt, input: input)
        let h = try vrt.get()
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            try gdal(context) { GDALSetMetadataItem(h, key, value, nil) }
        }

        let temporary = AtomicFile.temporaryPath(for: path, suffix: ".tif")
        removeQuietly([temporary, temporary + ".aux.xml", temporary + ".ovr.tmp"])
        let options = CStringList(
            options: creationOptions(
                overviewResampling: overviewResampling, compression: compression, predictor: predictor,
                blockSize: blockSize, level: level, overviews: overviews))
        let cogDriver = try gdal(RasterError("GDAL has no COG driver", hint: "Install GDAL 3.1 or later")) {
            GDALGetDriverByName("COG")
        }
        do {
            let out = try gdal(
                RasterError(
                    "cannot write COG '\(path)' from '\(source)'", path: path,
                    hint: "Check that the folder is writable and the disk is not full")
            ) {
                GDALCreateCopy(cogDriver, temporary, h, 0, options.pointer, nil, nil)
            }
            try DatasetHandle(out, path: temporary).closeChecked()
            try verify(temporary, finalPath: path, expected: expected, statistics: withStatistics, metadata: metadata)
            try FinishedRaster.moveIntoPlace(temporary, path)
        } catch {
            removeQuietly([temporary, temporary + ".aux.xml", temporary + ".ovr.tmp"])
            throw RasterError.onFullDisk(error, writing: path)
        }
    }

    /// The COG driver's creation options for the given settings (sorted, so the call is reproducible).
    static func creationOptions(
        overviewResampling: String, compression: String, predictor: Int?, blockSize: Int, level: Int,
        overviews: Overviews
    ) -> [(String, String)] {
        var options: [(String, String)] = [
            ("BIGTIFF", "IF_SAFER"),
            ("BLOCKSIZE", String(blockSize)),
            ("COMPRESS", compression.uppercased()),
            ("NUM_THREADS", "1"),
            ("OVERVIEWS", overviews.rawValue)
        ]
        if ["DEFLATE", "LZW", "ZSTD"].contains(compression.uppercased()) {
            options.append(("PREDICTOR", predictor.map(String.init) ?? "YES"))
        }
        if ["DEFLATE", "ZSTD", "LZMA"].contains(compression.uppercased()) {
            options.append(("LEVEL", String(level)))
        }
        if overviews != .none {
            options.append(("OVERVIEW_RESAMPLING", overviewResampling.uppercased()))
        }
        return options
    }

    /// Sets exact statistics on the VRT's bands that carry none, computed from the source in strips
    /// (not with GDALComputeRasterStatistics on the VRT, which would hand the work to the source band
    /// and leave a .aux.xml beside the source); returns the bands that have statistics (a band without
    /// a valid cell keeps none).
    private static func ensureStatistics(_ vrt: DatasetHandle, input: RasterDataset) throws -> Set<Int> {
        var result = Set<Int>()
        for index in 1...input.bandCount {
            let band = try vrt.band(index)
            if gdalQuietly({ RasterDataset.storedStatistics(band) }) != nil {
                result.insert(index)
                continue
            }
            guard let stats = try exactStatistics(input, band: index) else { continue }
            let context = RasterError(
                "cannot set the statistics of raster '\(input.path)'", path: input.path, band: index)
            try gdal(context) {
                GDALSetRasterStatistics(band, stats.minimum, stats.maximum, stats.mean, stats.standardDeviation)
            }
            try gdal(context) {
                GDALSetMetadataItem(
                    band, "STATISTICS_VALID_PERCENT", String(format: "%.4g", stats.validPercent ?? 100), nil)
            }
            result.insert(index)
        }
        return result
    }

    /// Min, max, mean, population standard deviation and valid percentage of a band's valid cells,
    /// read in strips of 256 rows; nil when no cell is valid.
    static func exactStatistics(_ input: RasterDataset, band: Int) throws -> BandStatistics? {
        var count = 0
        var mean = 0.0
        var m2 = 0.0
        var minimum = Double.infinity
        var maximum = -Double.infinity
        for row in stride(from: 0, to: input.height, by: 256) {
            let window = PixelWindow(col: 0, row: row, width: input.width, height: Swift.min(256, input.height - row))
            let block = try input.read(band: band, window: window)
            block.values.withUnsafeBufferPointer { values in
                for v in values where v.isFinite {
                    let x = Double(v)
                    count += 1
                    let delta = x - mean
                    mean += delta / Double(count)
                    m2 += delta * (x - mean)
                    if x < minimum { minimum = x }
                    if x > maximum { maximum = x }
                }
            }
        }
        guard count > 0 else { return nil }
        return BandStatistics(
            minimum: minimum, maximum: maximum, mean: mean, standardDeviation: (m2 / Double(count)).squareRoot(),
            validPercent: 100 * Double(count) / Double(input.width * input.height))
    }

    /// Re-opens the written file and checks that what the maps need survived the conversion.
    private static func verify(
        _ file: String, finalPath: String, expected: [BandInfo], statistics: Set<Int>, metadata: [String: String]
    ) throws {
        let written = try RasterDataset(path: file)
        defer { written.close() }
        func lost(_ what: String, band: Int? = nil) -> RasterError {
            RasterError(
                "the COG driver dropped \(what) while writing '\(finalPath)'", path: finalPath, band: band,
                hint: "This GDAL version's COG driver does not keep it; report the GDAL version")
        }
        guard written.bandCount == expected.count else { throw lost("bands") }
        for info in expected {
            let got = try written.band(info.index)
            if info.description != got.description {
                throw lost("the band description '\(info.description)'", band: info.index)
            }
            if info.unit != got.unit { throw lost("the unit '\(info.unit)'", band: info.index) }
            let sameNodata = info.nodata == got.nodata || (info.nodata?.isNaN == true && got.nodata?.isNaN == true)
            if !sameNodata { throw lost("the nodata value", band: info.index) }
            if statistics.contains(info.index), try written.statistics(band: info.index) == nil {
                throw lost("the band statistics", band: info.index)
            }
        }
        let items = try written.metadata()
        for (key, value) in metadata where items[key] != value {
            throw lost("the metadata item \(key)")
        }
    }

    private static func removeQuietly(_ files: [String]) {
        for file in files { try? FileManager.default.removeItem(atPath: file) }
    }
}
