import CGDAL

/// Owns one OSR spatial reference handle (internal: C types stay inside RasterIO).
final class SpatialReference {
    private var handle: OGRSpatialReferenceH?

    /// A new empty spatial reference.
    init() {
        _ = GDALRuntime.ready
        handle = OSRNewSpatialReference(nil)
    }

    /// A copy of a handle GDAL owns (e.g. a dataset's CRS).
    init(cloning other: OGRSpatialReferenceH) {
        _ = GDALRuntime.ready
        handle = OSRClone(other)
    }

    /// A spatial reference parsed from a CRS's WKT.
    convenience init(_ crs: CRS) throws {
        self.init()
        let handle = try get()
        try gdal(RasterError("cannot parse the CRS '\(crs.name)'")) { importWKT(crs.wkt, into: handle) }
    }

    deinit { close() }

    /// Releases the handle; idempotent.
    func close() {
        if let handle { OSRRelease(handle) }
        handle = nil
    }

    /// The handle; throws after close().
    func get() throws -> OGRSpatialReferenceH {
        guard let handle else { throw RasterError("spatial reference used after close") }
        return handle
    }

    /// Sets (lon, lat) / (easting, northing) order for coordinates, whatever the CRS's axis order.
    func useTraditionalGISAxisOrder() throws {
        OSRSetAxisMappingStrategy(try get(), OAMS_TRADITIONAL_GIS_ORDER)
    }

    /// WKT2 (2019) on one line, the form GDAL accepts everywhere.
    func wkt() throws -> String {
        let h = try get()
        var out: UnsafeMutablePointer<CChar>?
        let options = CStringList(["FORMAT=WKT2_2019", "MULTILINE=NO"])
        try gdal(RasterError("cannot export the CRS as WKT")) { OSRExportToWktEx(h, &out, options.constPointer) }
        return takeGDALString(out) ?? ""
    }

    /// The CRS's name, e.g. "GDA94 / MGA zone 55".
    func name() throws -> String { gdalString(OSRGetName(try get())) ?? "unnamed CRS" }

    /// The EPSG code when the CRS carries one or can be identified as one.
    func epsg() throws -> Int? {
        let h = try get()
        if let authority = gdalString(OSRGetAuthorityName(h, nil)), authority.uppercased() == "EPSG",
            let code = gdalString(OSRGetAuthorityCode(h, nil)).flatMap(Int.init)
        {
            return code
        }
        let copy = SpatialReference(cloning: h)
        let identified = gdalQuietly { OSRAutoIdentifyEPSG(try? copy.get()) == OGRERR_NONE }
        guard identified, let authority = gdalString(OSRGetAuthorityName(try copy.get(), nil)),
            authority.uppercased() == "EPSG"
        else { return nil }
        return gdalString(OSRGetAuthorityCode(try copy.get(), nil)).flatMap(Int.init)
    }

    /// True for a geographic (lon/lat) CRS.
    func isGeographic() throws -> Bool { OSRIsGeographic(try get()) != 0 }

    /// The PROJ string, nil when the CRS has none (e.g. an engineering CRS).
    func projString() throws -> String? {
        let h = try get()
        var out: UnsafeMutablePointer<CChar>?
        let status = gdalQuietly { OSRExportToProj4(h, &out) }
        let text = takeGDALString(out)
        guard status == OGRERR_NONE, let text, !text.isEmpty else { return nil }
        return text.trimmingWhitespace()
    }

    /// Metres per linear unit of a projected CRS (OSRGetLinearUnits; 1 for metres, 0.3048 for feet).
    func metresPerLinearUnit() throws -> Double { OSRGetLinearUnits(try get(), nil) }

    /// OSRIsSame: true when both describe the same CRS (data axis order ignored for geographic CRSs).
    func isSame(as other: SpatialReference) throws -> Bool {
        OSRIsSame(try get(), try other.get()) != 0
    }
}
