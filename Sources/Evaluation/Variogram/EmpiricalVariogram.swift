import Foundation

/// The empirical semivariogram of values at points (Matheron's estimator, as gstat's `variogram`):
/// for each distance class [i · width, (i + 1) · width) up to `cutoff`, γ = Σ (z_a − z_b)² / (2 N) over
/// the N pairs whose distance falls in it, at their mean distance. With gstat's defaults the cutoff is
/// a third of the diagonal of the points' bounding box and the classes are 15.
public struct EmpiricalVariogram: Codable, Sendable, Equatable {
    /// One distance class.
    public struct Bin: Codable, Sendable, Equatable {
        /// The mean distance of its pairs.
        public var distance: Double
        /// The semivariance of its pairs.
        public var gamma: Double
        /// The number of pairs.
        public var pairs: Int
    }

    /// The classes with at least one pair, nearest first.
    public var bins: [Bin]
    /// The largest distance a pair may have.
    public var cutoff: Double
    /// The width of a class.
    public var width: Double

    /// gstat's default number of classes.
    public static let defaultBins = 15

    /// gstat's default cutoff: a third of the bounding box's diagonal (in the points' metric); 0 for
    /// fewer than two points.
    public static func defaultCutoff(_ points: SpatialPoints) -> Double {
        let xs = points.x.filter(\.isFinite)
        let ys = points.y.filter(\.isFinite)
        guard let x0 = xs.min(), let x1 = xs.max(), let y0 = ys.min(), let y1 = ys.max(), points.count >= 2 else {
            return 0
        }
        let corners = SpatialPoints(x: [x0, x1], y: [y0, y1], metric: points.metric)
        return corners.distance(0, to: 1, of: corners) / 3
    }

    /// The semivariogram of `values` (one per point; non-finite values and points left out) with
    /// `bins` classes up to `cutoff` (nil: `defaultCutoff`); nil when fewer than two usable points or
    /// no pair lies within the cutoff.
    public static func compute(
        points: SpatialPoints, values: [Double], cutoff: Double? = nil, bins: Int = defaultBins
    ) -> EmpiricalVariogram? {
        precondition(
            values.count == points.count, "EmpiricalVariogram: \(values.count) values for \(points.count) points")
        precondition(bins >= 1, "EmpiricalVariogram: bins must be at least 1, got \(bins)")
        let usable = (0..<points.count).filter { values[$0].isFinite && points.x[$0].isFinite && points.y[$0].isFinite }
        guard usable.count >= 2 else { return nil }
        let here = points.subset(usable)
        let z = usable.map { values[$0] }
        let cut = cutoff ?? defaultCutoff(here)
        guard cut > 0, cut.isFinite else { return nil }
        let width = cut / Double(bins)
        var sumSquares = [Double](repeating: 0, count: bins)
        var sumDistance = [Double](repeating: 0, count: bins)
        var count = [Int](repeating: 0, count: bins)
        let e = here.embedded
        let dim = e.dimension
        e.coordinates.withUnsafeBufferPointer { c in
            for a in 0..<(here.count - 1) {
                for b in (a + 1)..<here.count {
                    var s = 0.0
                    for d in 0..<dim {
                        let t = c[a * dim + d] - c[b * dim + d]
                        s += t * t
                    }
                    let h = here.distance(embedded: s.squareRoot())
                    guard h <= cut else { continue }
                    let k = min(bins - 1, Int(h / width))
                    let dz = z[a] - z[b]
                    sumSquares[k] += dz * dz
                    sumDistance[k] += h
                    count[k] += 1
                }
            }
        }
        let out = (0..<bins).filter { count[$0] > 0 }.map {
            Bin(
                distance: sumDistance[$0] / Double(count[$0]), gamma: sumSquares[$0] / (2 * Double(count[$0])),
                pairs: count[$0])
        }
        return out.isEmpty ? nil : EmpiricalVariogram(bins: out, cutoff: cut, width: width)
    }
}
