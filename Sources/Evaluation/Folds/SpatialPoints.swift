import Foundation

/// Points in a grid's CRS and how distances between them are measured: the one place SOCMap decides
/// geographic distances (kNNDM folds, the geodist table).
///
/// In a projected CRS the distance is Euclidean, in the CRS's units. In a geographic CRS (x longitude,
/// y latitude, degrees) it is the great-circle distance in metres on a sphere of the Earth's mean
/// radius. Nearest neighbours are searched in `embedded` coordinates, where the Euclidean distance
/// orders pairs as the metric does: (x, y) itself, or the point on a sphere of radius R in 3-D, whose
/// chord c gives the arc 2R·asin(c / 2R).
public struct SpatialPoints: Sendable, Equatable {
    /// How distances are measured.
    public enum Metric: String, Sendable, Codable, Equatable {
        /// Straight-line distance in the CRS's units (a projected CRS).
        case euclidean
        /// Great-circle distance in metres (x longitude, y latitude, degrees; a geographic CRS).
        case greatCircle = "great_circle"
    }

    /// The Earth's mean radius in metres (IUGG), the sphere of great-circle distances.
    public static let earthRadius = 6_371_008.8

    /// The points' x (easting or longitude).
    public let x: [Double]
    /// The points' y (northing or latitude).
    public let y: [Double]
    /// How distances between them are measured.
    public let metric: Metric

    /// Points with the metric of their CRS; x and y must have the same count.
    public init(x: [Double], y: [Double], metric: Metric) {
        precondition(x.count == y.count, "SpatialPoints: \(x.count) x and \(y.count) y values")
        self.x = x
        self.y = y
        self.metric = metric
    }

    /// The number of points.
    public var count: Int { x.count }

    /// The points `indices`, in that order.
    public func subset(_ indices: [Int]) -> SpatialPoints {
        SpatialPoints(x: indices.map { x[$0] }, y: indices.map { y[$0] }, metric: metric)
    }

    /// The metric's distance between point i of this set and point j of `other`.
    public func distance(_ i: Int, to j: Int, of other: SpatialPoints) -> Double {
        let a = Array(embedded.point(i))
        let b = Array(other.embedded.point(j))
        var s = 0.0
        for d in a.indices { s += (a[d] - b[d]) * (a[d] - b[d]) }
        return distance(embedded: s.squareRoot())
    }

    /// The metric's distance from a Euclidean distance between embedded points.
    func distance(embedded d: Double) -> Double {
        switch metric {
        case .euclidean: return d
        case .greatCircle: return 2 * Self.earthRadius * asin(min(1, d / (2 * Self.earthRadius)))
        }
    }

    /// The points in coordinates where Euclidean distance orders pairs as the metric does.
    var embedded: Embedded {
        switch metric {
        case .euclidean:
            var c = [Double](repeating: 0, count: 2 * count)
            for i in 0..<count { (c[2 * i], c[2 * i + 1]) = (x[i], y[i]) }
            return Embedded(dimension: 2, coordinates: c)
        case .greatCircle:
            var c = [Double](repeating: 0, count: 3 * count)
            for i in 0..<count {
                let lon = x[i] * .pi / 180
                let lat = y[i] * .pi / 180
                c[3 * i] = Self.earthRadius * cos(lat) * cos(lon)
                c[3 * i + 1] = Self.earthRadius * cos(lat) * sin(lon)
                c[3 * i + 2] = Self.earthRadius * sin(lat)
            }
            return Embedded(dimension: 3, coordinates: c)
        }
    }

    /// Points as rows of `dimension` Euclidean coordinates.
    struct Embedded {
        /// Coordinates per point (2 or 3).
        let dimension: Int
        /// Row-major coordinates, `dimension` per point.
        let coordinates: [Double]

        /// The number of points.
        var count: Int { coordinates.count / dimension }

        /// Point i's coordinates.
        func point(_ i: Int) -> ArraySlice<Double> { coordinates[(i * dimension)..<((i + 1) * dimension)] }
    }
}

/// Nearest-neighbour distances (NND) between point sets, by brute force in the embedded coordinates
/// (sites up to a few thousand, prediction points one or two thousand), reported in the metric.
enum NearestDistances {
    /// Each point's distance to its nearest other point of the same set (Gj of CAST); +inf for a lone point.
    static func withinSet(_ points: SpatialPoints) -> [Double] {
        heldOutToTraining(points, groupOf: Array(0..<points.count))
    }

    /// Each point of `queries`' distance to its nearest point of `targets` (Gij: prediction to sample).
    static func between(_ queries: SpatialPoints, _ targets: SpatialPoints) -> [Double] {
        precondition(queries.metric == targets.metric, "NearestDistances: points of two metrics")
        let q = queries.embedded
        let t = targets.embedded
        let dim = q.dimension
        return q.coordinates.withUnsafeBufferPointer { qc in
            t.coordinates.withUnsafeBufferPointer { tc in
                (0..<q.count).map { i in
                    var best = Double.infinity
                    for j in 0..<t.count {
                        var s = 0.0
                        for d in 0..<dim {
                            let e = qc[i * dim + d] - tc[j * dim + d]
                            s += e * e
                        }
                        if s < best { best = s }
                    }
                    return queries.distance(embedded: best.squareRoot())
                }
            }
        }
    }

    /// Each point's distance to the nearest point of another group (Gj* of CAST: a held-out site to
    /// the nearest site its fold trains on); +inf when every point is in its group.
    static func heldOutToTraining(_ points: SpatialPoints, groupOf: [Int]) -> [Double] {
        precondition(groupOf.count == points.count, "NearestDistances: \(groupOf.count) groups for \(points.count)")
        let e = points.embedded
        let dim = e.dimension
        return e.coordinates.withUnsafeBufferPointer { c in
            (0..<points.count).map { i in
                var best = Double.infinity
                for j in 0..<points.count where groupOf[j] != groupOf[i] {
                    var s = 0.0
                    for d in 0..<dim {
                        let v = c[i * dim + d] - c[j * dim + d]
                        s += v * v
                    }
                    if s < best { best = s }
                }
                return best.isFinite ? points.distance(embedded: best.squareRoot()) : .infinity
            }
        }
    }
}
