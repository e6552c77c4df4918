import FileIO
import Foundation

/// The statistics a covariate stack gathered over its grid, with the inputs they were computed from,
/// so that a later process on unchanged inputs (a map shard, a training part, `socmap predict` after
/// `socmap run`) defines the same channels without reading every raster again.
///
/// The inputs are the grid, the tile size, each covariate (name, file, band, kind, nodata) and every
/// file GDAL reads for them (`GDALGetFileList`: the raster, its sidecars, a VRT's sources) with its
/// size in bytes and modification time in nanoseconds; statistics are reused only when all of these
/// are equal, as `make` and `rsync` judge a file unchanged.
public struct StackStatistics: Codable, Equatable, Sendable {
    /// What the statistics were computed from.
    public let inputs: Inputs
    /// One entry per covariate, in the stack's order.
    let covariates: [CovariateStatistics]

    /// The inputs statistics depend on.
    public struct Inputs: Codable, Equatable, Sendable {
        /// The grid: CRS WKT, geotransform and size.
        let grid: String
        /// The statistics' tile size (it fixes the order of the sums).
        let tileSize: Int
        /// "name | file | band | kind | nodata" per covariate.
        let covariates: [String]
        /// Every file read, once, sorted by path.
        let files: [FileStamp]

        /// The number of distinct files the statistics were read from.
        public var fileCount: Int { files.count }
    }

    /// A file's path, size and modification time.
    struct FileStamp: Codable, Equatable, Sendable {
        let path: String
        let bytes: Int64
        let modifiedNanoseconds: Int64
    }

    /// The statistics as the cache file holds them: JSON (sorted keys; numbers written so they read back
    /// to the same bits) of `{"sha256": ..., "statistics": ...}`, the digest being SHA-256 of the
    /// statistics' own encoding (`plainEncoding`), so that a file edited or damaged anywhere is refused
    /// by `read` (one file, renamed into place whole: the digest and the numbers cannot part).
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(Sealed(sha256: SHA256Hasher.hex(try plainEncoding()), statistics: self))
    }

    /// The statistics alone as compact JSON with sorted keys: the bytes the digest is taken over.
    func plainEncoding() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(self)
    }

    /// The cache file's layout: the digest beside the statistics.
    struct Sealed: Codable {
        let sha256: String
        let statistics: StackStatistics
    }

    /// What reading a cache file found.
    public enum Reading: Sendable {
        /// The statistics, their digest verified.
        case intact(StackStatistics)
        /// Why the file cannot be trusted (not a cache of this version, or its digest differs).
        case damaged(String)
    }

    /// Reads a cache file's bytes (`encoded`), verifying the digest of the statistics they hold.
    public static func read(_ data: Data) -> Reading {
        guard let sealed = try? JSONDecoder().decode(Sealed.self, from: data) else {
            return .damaged("it is not a statistics file of this version, or is cut short")
        }
        guard let plain = try? sealed.statistics.plainEncoding(), SHA256Hasher.hex(plain) == sealed.sha256 else {
            return .damaged("its statistics do not match their checksum")
        }
        return .intact(sealed.statistics)
    }

    /// Statistics read from `data` (`read`); nil when they are not intact.
    public static func decoded(_ data: Data) -> StackStatistics? {
        if case .intact(let statistics) = read(data) { return statistics }
        return nil
    }

    /// A file's stamp (GDAL's view of a /vsi file); throws naming the file when it cannot be examined.
    static func stamp(_ path: String) throws -> FileStamp {
        if path.hasPrefix("/vsi") {
            // A file on GDAL's virtual file systems, stamped as GDAL sees it.
            guard let s = gdalFileStat(path) else {
                throw RasterError(
                    "cannot examine covariate file '\(path)' (GDAL cannot find it)", path: path,
                    hint: "Check the archive's path and the file's path inside it")
            }
            return FileStamp(path: path, bytes: s.bytes, modifiedNanoseconds: s.modifiedNanoseconds)
        }
        var info = stat()
        guard stat(path, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            throw RasterError(
                "cannot examine covariate file '\(path)' (\(reason))", path: path,
                hint: "Check that the file exists and is readable")
        }
        let modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        return FileStamp(path: path, bytes: Int64(info.st_size), modifiedNanoseconds: modified)
    }

    /// The grid's part of the inputs.
    static func gridText(_ grid: Grid) -> String {
        "\(grid.width) x \(grid.height) | \(grid.transform.coefficients) | \(grid.crs.wkt)"
    }
}

extension CovariateStatistics: Codable {
    private enum CodingKeys: String, CodingKey {
        case kind, minimum, maximum, sum, count, classCounts
        case gridSHA256 = "grid_sha256"
    }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard let kind = CovariateKind(rawValue: try c.decode(String.self, forKey: .kind)) else {
            throw DecodingError.dataCorruptedError(forKey: .kind, in: c, debugDescription: "unknown covariate kind")
        }
        self.init(
            kind: kind, minimum: try c.decode(Double.self, forKey: .minimum),
            maximum: try c.decode(Double.self, forKey: .maximum),
            sum: try c.decode(Double.self, forKey: .sum), count: try c.decode(Int.self, forKey: .count),
            classCounts: Dictionary(
                uniqueKeysWithValues: try c.decode([[Int]].self, forKey: .classCounts).map { pair in
                    guard pair.count == 2 else {
                        throw DecodingError.dataCorruptedError(
                            forKey: .classCounts, in: c, debugDescription: "a class count is [value, cells]")
                    }
                    return (pair[0], pair[1])
                }),
            gridSHA256: try c.decode(String.self, forKey: .gridSHA256))
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind.rawValue, forKey: .kind)
        try c.encode(minimum, forKey: .minimum)
        try c.encode(maximum, forKey: .maximum)
        try c.encode(sum, forKey: .sum)
        try c.encode(count, forKey: .count)
        try c.encode(classCounts.keys.sorted().map { [$0, classCounts[$0]!] }, forKey: .classCounts)
        try c.encode(gridSHA256, forKey: .gridSHA256)
    }
}
