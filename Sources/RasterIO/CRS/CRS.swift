import CGDAL

/// A validated coordinate reference system, held as WKT (made only through OSR-checked constructors).
public struct CRS: Sendable, Equatable, CustomStringConvertible {
    /// WKT2 (2019), the text GDAL is given when writing or warping.
    public let wkt: String
    /// The CRS's name, e.g. "GDA94 / MGA zone 55".
    public let name: String
    /// The EPSG code, when the CRS has or matches one.
    public let epsg: Int?
    /// True for a geographic (lon/lat) CRS.
    public let isGeographic: Bool
    /// The PROJ string, nil when PROJ cannot express the CRS as one.
    public let projString: String?

    /// From an EPSG code, e.g. 28355.
    public init(epsg: Int) throws {
        try self.init(describing: "EPSG:\(epsg)", hint: "Use a code listed at https://epsg.io") { srs in
            OSRImportFromEPSG(srs, Int32(truncatingIfNeeded: epsg))
        }
    }

    /// From WKT (WKT1 or WKT2).
    public init(wkt: String) throws {
        try self.init(describing: Self.abbreviate(wkt), hint: "Check the WKT text") { srs in importWKT(wkt, into: srs) }
    }

    /// From a PROJ string, e.g. "+proj=utm +zone=55 +south +ellps=GRS80 +units=m".
    public init(proj: String) throws {
        try self.init(describing: proj, hint: "Check the PROJ string") { srs in OSRImportFromProj4(srs, proj) }
    }

    /// From what a user typed: "EPSG:4326", "epsg:28355", WKT or "+proj=..." (OSRSetFromUserInput).
    public init(_ userInput: String) throws {
        let text = userInput.trimmingWhitespace()
        try self.init(
            describing: Self.abbreviate(text),
            hint: "Give a CRS as EPSG:<code>, WKT or a +proj= string"
        ) { srs in
            guard !text.isEmpty else { return OGRErr(OGRERR_CORRUPT_DATA) }
            return OSRSetFromUserInput(srs, text)
        }
    }

    /// Reads a CRS from a handle GDAL owns (used for datasets).
    init(cloning handle: OGRSpatialReferenceH) throws {
        let srs = SpatialReference(cloning: handle)
        try self.init(validated: srs)
    }

    private init(describing input: String, hint: String, _ importer: (OGRSpatialReferenceH) -> OGRErr) throws {
        let srs = SpatialReference()
        let handle = try srs.get()
        try gdal(RasterError("invalid CRS '\(input)'", hint: hint)) { importer(handle) }
        do {
            try self.init(validated: srs)
        } catch var error as RasterError {
            error.message = "invalid CRS '\(input)'"
            error.hint = hint
            throw error
        }
    }

    private init(validated srs: SpatialReference) throws {
        // Validate through a WKT round trip: what cannot be exported cannot be written or warped.
        let text = try srs.wkt()
        guard !text.isEmpty else { throw RasterError("CRS has no WKT representation") }
        wkt = text
        name = try srs.name()
        epsg = try srs.epsg()
        isGeographic = try srs.isGeographic()
        projString = try srs.projString()
    }

    /// Metres per unit of the CRS's x and y for a projected CRS (1 for metres, 0.3048 for feet);
    /// nil for a geographic CRS, whose cells have no constant size in metres.
    public func metresPerUnit() throws -> Double? {
        guard !isGeographic else { return nil }
        let value = try SpatialReference(self).metresPerLinearUnit()
        return value > 0 && value.isFinite ? value : nil
    }

    /// WGS 84 longitude/latitude (EPSG:4326).
    public static var wgs84: CRS { get throws { try CRS(epsg: 4326) } }

    /// Same CRS in OSRIsSame's sense (identical WKT short-cuts the comparison).
    public static func == (lhs: CRS, rhs: CRS) -> Bool {
        if lhs.wkt == rhs.wkt { return true }
        guard let a = try? SpatialReference(lhs), let b = try? SpatialReference(rhs) else { return false }
        return (try? a.isSame(as: b)) ?? false
    }

    /// "GDA94 / MGA zone 55 (EPSG:28355)"; an unnamed CRS shows its PROJ string.
    public var description: String {
        if let epsg { return "\(name) (EPSG:\(epsg))" }
        return displayName
    }

    /// The name, or the PROJ string when the CRS has no name (e.g. one made from a PROJ string).
    public var displayName: String {
        if name.isEmpty || name == "unknown", let projString {
            return projString.replacingOccurrences(of: " +type=crs", with: "").trimmingWhitespace()
        }
        return name
    }

    private static func abbreviate(_ text: String) -> String {
        let oneLine = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return oneLine.count > 80 ? String(oneLine.prefix(77)) + "..." : oneLine
    }
}
