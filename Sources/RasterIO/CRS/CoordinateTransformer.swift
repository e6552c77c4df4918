import CGDAL

/// Transforms points between two CRSs through OSR/PROJ, in traditional GIS order
/// (x = longitude/easting, y = latitude/northing) on both sides.
public final class CoordinateTransformer {
    /// The source CRS.
    public let source: CRS
    /// The target CRS.
    public let target: CRS
    private var handle: OGRCoordinateTransformationH?

    /// Finds a PROJ operation from `source` to `target`; throws when there is none.
    public init(from source: CRS, to target: CRS) throws {
        self.source = source
        self.target = target
        let s = try SpatialReference(source)
        let t = try SpatialReference(target)
        try s.useTraditionalGISAxisOrder()
        try t.useTraditionalGISAxisOrder()
        let sh = try s.get()
        let th = try t.get()
        handle = try gdal(
            RasterError(
                "cannot transform coordinates from \(source) to \(target)",
                hint:
                    "Use CRSs that PROJ can relate (an engineering or local CRS cannot be related to a geographic one)")
        ) { OCTNewCoordinateTransformation(sh, th) }
    }

    deinit {
        if let handle { OCTDestroyCoordinateTransformation(handle) }
    }

    /// Transforms one point; throws when PROJ cannot (e.g. non-finite input, outside the projection's domain).
    public func transform(x: Double, y: Double) throws -> (x: Double, y: Double) {
        guard let result = try transformAll([(x, y)]).first ?? nil else {
            throw RasterError(
                "cannot transform the point (\(x), \(y)) from \(source) to \(target)",
                gdalMessage: lastFailure,
                hint: """
                    Check that the coordinates are in \(source.name) and in (x, y) = (lon, \
                    lat) or (easting, northing) order
                    """
            )
        }
        return result
    }

    /// Transforms many points; nil for each point PROJ could not transform.
    public func transform(_ points: [(x: Double, y: Double)]) -> [(x: Double, y: Double)?] {
        (try? transformAll(points)) ?? Array(repeating: nil, count: points.count)
    }

    private var lastFailure: String?

    private func transformAll(_ points: [(x: Double, y: Double)]) throws -> [(x: Double, y: Double)?] {
        guard let handle else { throw RasterError("coordinate transformer used after release") }
        guard !points.isEmpty else { return [] }
        var xs = points.map(\.x)
        var ys = points.map(\.y)
        var zs = [Double](repeating: 0, count: points.count)
        var ok = [Int32](repeating: 0, count: points.count)
        // Non-finite input is refused before PROJ sees it.
        let finite = points.map { $0.x.isFinite && $0.y.isFinite }
        for i in points.indices where !finite[i] {
            xs[i] = 0
            ys[i] = 0
        }
        lastFailure = nil
        _ = GDALRuntime.ready
        CPLPushErrorHandler(CPLQuietErrorHandler)
        CPLErrorReset()
        _ = OCTTransformEx(handle, Int32(points.count), &xs, &ys, &zs, &ok)
        let message = String(cString: CPLGetLastErrorMsg())
        CPLErrorReset()
        CPLPopErrorHandler()
        if !message.isEmpty { lastFailure = message }
        return points.indices.map { i in
            guard finite[i], ok[i] != 0, xs[i].isFinite, ys[i].isFinite else { return nil }
            return (xs[i], ys[i])
        }
    }
}
