import Foundation

/// A polyline in longitude/latitude degrees: ridges, rivers.
struct Polyline: Sendable {
    /// Vertices, in order.
    let points: [(lon: Double, lat: Double)]

    /// Distance in degrees of latitude (longitude compressed by `SmoothNoise.lonScale`).
    func distance(lon: Double, lat: Double) -> Double {
        let k = SmoothNoise.lonScale
        var best = Double.infinity
        for i in 0..<(points.count - 1) {
            let a = points[i]
            let b = points[i + 1]
            let ax = (a.lon - lon) * k
            let ay = a.lat - lat
            let ex = (b.lon - a.lon) * k
            let ey = b.lat - a.lat
            let len2 = ex * ex + ey * ey
            let t = len2 > 0 ? min(1, max(0, -(ax * ex + ay * ey) / len2)) : 0
            let px = ax + t * ex
            let py = ay + t * ey
            best = min(best, px * px + py * py)
        }
        return best.squareRoot()
    }
}

/// A ridge: a Gaussian cross-section of `height` metres and width `sigma` degrees along a polyline.
struct Ridge: Sendable {
    /// The crest line.
    let crest: Polyline
    /// Cross-section standard deviation, degrees.
    let sigma: Double
    /// Crest height above the surroundings, metres.
    let height: Double

    /// Height contribution at a point.
    func value(lon: Double, lat: Double) -> Double {
        let d = crest.distance(lon: lon, lat: lat)
        guard d < 5 * sigma else { return 0 }
        return height * exp(-d * d / (2 * sigma * sigma))
    }
}

/// An elliptical bump (or basin when `height` is negative) with a flat top for `flatness` > 1.
struct Dome: Sendable {
    /// Centre longitude.
    let lon: Double
    /// Centre latitude.
    let lat: Double
    /// Semi-axis along longitude, degrees.
    let rLon: Double
    /// Semi-axis along latitude, degrees.
    let rLat: Double
    /// Peak height, metres (negative for a basin).
    let height: Double
    /// Exponent of the super-Gaussian: 1 Gaussian, 2-4 flat-topped with steeper edges.
    var flatness: Double = 1

    /// Shape in [0, 1] at a point.
    func shape(lon: Double, lat: Double) -> Double {
        let u = (lon - self.lon) / rLon
        let v = (lat - self.lat) / rLat
        let r2 = u * u + v * v
        guard r2 < 16 else { return 0 }
        return exp(-pow(r2, flatness))
    }

    /// Height contribution at a point.
    func value(lon: Double, lat: Double) -> Double { height * shape(lon: lon, lat: lat) }
}

/// Smooth logistic step.
@inline(__always)
func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

/// Clamps `x` into the closed range.
@inline(__always)
func clamp(_ x: Double, _ lower: Double, _ upper: Double) -> Double { min(upper, max(lower, x)) }
