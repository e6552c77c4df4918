/// Values rasters commonly use to mark missing cells. A band that declares no nodata value but whose
/// minimum or maximum is one of them probably has its missing cells (a sea, a mask) taken as data.
public enum NodataSentinel {
    /// Minimums that look like nodata: -9999, -99999, -32768, -32767.
    public static let minimums: [Double] = [-9999, -99_999, -32768, -32767]

    /// The sentinel a band's range ends on, or nil: one of `minimums`, about -FLT_MAX (or below) as the
    /// minimum; 65535 in an unsigned 16-bit band or about FLT_MAX (or above) as the maximum. 255 in a
    /// byte band is left alone: it is too often real data.
    public static func suspect(minimum: Double, maximum: Double, dataType: RasterDataType) -> Double? {
        if minimum.isFinite {
            if let match = minimums.first(where: { abs(minimum - $0) <= 1e-6 * abs($0) }) { return match }
            if minimum <= -1e38 { return minimum }
        }
        if maximum.isFinite {
            if dataType == .uint16, maximum == 65535 { return maximum }
            if maximum >= 1e38 { return maximum }
        }
        return nil
    }
}
