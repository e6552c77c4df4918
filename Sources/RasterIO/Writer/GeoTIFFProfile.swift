/// Creation settings for GeoTIFF output: defaults (tiled 512, DEFLATE, predictor, overviews,
/// statistics) that a caller overrides field by field.
public struct GeoTIFFProfile: Sendable, Equatable {
    /// Tile width and height in cells (a multiple of 16).
    public var tileSize: Int = 512
    /// GDAL's COMPRESS creation option (e.g. "DEFLATE", "LZW", "ZSTD", "NONE").
    public var compression: String = "DEFLATE"
    /// GDAL's PREDICTOR option; nil picks 3 (floating point) for float types and 2 (horizontal) for integers.
    public var predictor: Int? = nil
    /// DEFLATE level (1..9).
    public var zlevel: Int = 6
    /// Build internal overviews (halving until the raster fits in one tile).
    public var overviews: Bool = true
    /// Overview resampling for continuous rasters; rasters with classes always use NEAREST.
    public var overviewResampling: String = "AVERAGE"
    /// Compute exact per-band statistics and store them in the file.
    public var statistics: Bool = true
    /// GDAL's BIGTIFF option ("IF_SAFER", "YES", "NO", "IF_NEEDED").
    public var bigTIFF: String = "IF_SAFER"

    /// The defaults.
    public init() {}

    /// The defaults: tiled 512, DEFLATE level 6, type-dependent predictor, overviews, statistics.
    public static let `default` = GeoTIFFProfile()

    /// A file that is only read once more, e.g. the source of a COG: DEFLATE level 1 and no
    /// overviews (the COG driver builds its own), statistics kept (the COG copies them).
    public static let intermediate: GeoTIFFProfile = {
        var p = GeoTIFFProfile()
        p.zlevel = 1
        p.overviews = false
        return p
    }()

    /// The predictor used for a data type.
    public func predictor(for type: RasterDataType) -> Int {
        predictor ?? (type.isFloatingPoint ? 3 : 2)
    }

    /// GDAL creation options for a data type.
    func creationOptions(for type: RasterDataType) -> [(String, String)] {
        precondition(
            tileSize > 0 && tileSize % 16 == 0, "GeoTIFFProfile.tileSize \(tileSize) must be a positive multiple of 16")
        var options: [(String, String)] = [
            ("TILED", "YES"),
            ("BLOCKXSIZE", String(tileSize)),
            ("BLOCKYSIZE", String(tileSize)),
            ("COMPRESS", compression),
            ("BIGTIFF", bigTIFF)
        ]
        let compressed = compression.uppercased() != "NONE"
        if compressed && ["DEFLATE", "LZW", "ZSTD", "LERC_DEFLATE", "LERC_ZSTD"].contains(compression.uppercased()) {
            options.append(("PREDICTOR", String(predictor(for: type))))
        }
        if compression.uppercased() == "DEFLATE" { options.append(("ZLEVEL", String(zlevel))) }
        return options
    }
}
