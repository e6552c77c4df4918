import CGDAL

/// A band's statistics as stored in the file (GDAL's STATISTICS_* band metadata).
public struct BandStatistics: Sendable, Equatable {
    /// Smallest valid value.
    public var minimum: Double
    /// Largest valid value.
    public var maximum: Double
    /// Mean of the valid values.
    public var mean: Double
    /// Standard deviation of the valid values.
    public var standardDeviation: Double
    /// Percentage of valid cells (STATISTICS_VALID_PERCENT), nil when the file does not say.
    public var validPercent: Double?

    /// Creates statistics.
    public init(minimum: Double, maximum: Double, mean: Double, standardDeviation: Double, validPercent: Double? = nil)
    {
        self.minimum = minimum
        self.maximum = maximum
        self.mean = mean
        self.standardDeviation = standardDeviation
        self.validPercent = validPercent
    }
}

extension RasterDataset {
    /// The statistics stored with a 1-based band, nil when the file holds none (nothing is computed).
    public func statistics(band index: Int) throws -> BandStatistics? {
        let band = try handle.band(index)
        return gdalQuietly { Self.storedStatistics(band) }
    }

    /// Dataset-level metadata items of a domain (nil = the default domain), e.g. provenance keys.
    public func metadata(domain: String? = nil) throws -> [String: String] {
        let h = try handle.get()
        return gdalQuietly { Self.keyValues(GDALGetMetadata(h, domain)) }
    }

    /// Metadata items of a 1-based band in a domain (nil = the default domain).
    public func metadata(band index: Int, domain: String? = nil) throws -> [String: String] {
        let band = try handle.band(index)
        return gdalQuietly { Self.keyValues(GDALGetMetadata(band, domain)) }
    }

    /// Number of internal or external overview levels of a 1-based band.
    public func overviewCount(band index: Int) throws -> Int {
        Int(GDALGetOverviewCount(try handle.band(index)))
    }

    /// Statistics already known for a band handle (never computed here).
    static func storedStatistics(_ band: GDALRasterBandH) -> BandStatistics? {
        var minimum = 0.0
        var maximum = 0.0
        var mean = 0.0
        var sd = 0.0
        // bApproxOK = FALSE, bForce = FALSE: CE_None only when exact statistics are stored.
        guard GDALGetRasterStatistics(band, 0, 0, &minimum, &maximum, &mean, &sd) == CE_None else { return nil }
        let valid = gdalString(GDALGetMetadataItem(band, "STATISTICS_VALID_PERCENT", nil)).flatMap(Double.init)
        return BandStatistics(
            minimum: minimum, maximum: maximum, mean: mean, standardDeviation: sd, validPercent: valid)
    }

    /// KEY=VALUE list -> dictionary (items without "=" are skipped).
    static func keyValues(_ list: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> [String: String] {
        var result: [String: String] = [:]
        for item in CStringList.strings(list) {
            guard let equals = item.firstIndex(of: "=") else { continue }
            result[String(item[..<equals])] = String(item[item.index(after: equals)...])
        }
        return result
    }
}
