import Foundation

/// A fitted semivariogram model, γ(h) = nugget + partial sill · f(h / range): spherical,
/// f = 1.5 t − 0.5 t³ up to the range and 1 beyond; exponential, f = 1 − e^(−t), whose practical range
/// (95 % of the sill) is 3 · range. The shapes and the range's meaning are gstat's ("Sph", "Exp").
public struct VariogramModel: Codable, Sendable, Equatable {
    /// The model's shape.
    public enum Shape: String, Codable, Sendable, CaseIterable {
        case spherical, exponential
    }

    /// The shape.
    public var shape: Shape
    /// The semivariance at distances near 0 (measurement error and variation closer than the sites).
    public var nugget: Double
    /// The semivariance that the distance adds, up to the sill.
    public var partialSill: Double
    /// The range parameter (spherical: where the sill is reached; exponential: a third of that).
    public var range: Double
    /// The weighted sum of squares it was fitted with (`fit`).
    public var weightedSSE: Double

    enum CodingKeys: String, CodingKey {
        case shape, nugget, range
        case partialSill = "partial_sill"
        case weightedSSE = "weighted_sse"
    }

    /// nugget + partial sill.
    public var sill: Double { nugget + partialSill }

    /// nugget / sill: below 0.25 a strong spatial dependence, 0.25-0.75 moderate, above 0.75 weak
    /// (Cambardella et al. 1994); NaN for a zero sill.
    public var nuggetShare: Double { sill > 0 ? nugget / sill : .nan }

    /// The distance within which values are correlated: the range (spherical) or 3 · range (exponential).
    public var practicalRange: Double { shape == .exponential ? 3 * range : range }

    /// The model's semivariance at distance `h`.
    public func gamma(_ h: Double) -> Double { nugget + partialSill * Self.shape(shape, h / range) }

    /// f(t) of a shape.
    static func shape(_ shape: Shape, _ t: Double) -> Double {
        switch shape {
        case .spherical: return t >= 1 ? 1 : 1.5 * t - 0.5 * t * t * t
        case .exponential: return 1 - exp(-t)
        }
    }

    /// Range candidates, a multiple of the cutoff, searched on a log grid before refining (up to 100
    /// cutoffs: a variogram still rising at the cutoff has its range far beyond, as gstat finds it).
    static let rangeSearch = (from: 0.01, to: 100.0, steps: 300)

    /// The model of `shape` that minimises gstat's `fit.method = 7` weighted least squares,
    /// Σ N_j / h_j² · (γ_j − γ(h_j))² over the classes: for each range the nugget and partial sill are the
    /// non-negative weighted least-squares solution, and the range is searched on a log grid of 0.01-100
    /// cutoffs and refined by golden section. Nil without a class at a positive distance.
    public static func fit(_ v: EmpiricalVariogram, shape: Shape) -> VariogramModel? {
        let bins = v.bins.filter { $0.distance > 0 && $0.pairs > 0 && $0.gamma.isFinite }
        guard !bins.isEmpty, v.cutoff > 0 else { return nil }
        let w = bins.map { Double($0.pairs) / ($0.distance * $0.distance) }
        func solve(_ range: Double) -> VariogramModel {
            let f = bins.map { Self.shape(shape, $0.distance / range) }
            var (sw, sf, sff, sg, sfg) = (0.0, 0.0, 0.0, 0.0, 0.0)
            for j in bins.indices {
                sw += w[j]
                sf += w[j] * f[j]
                sff += w[j] * f[j] * f[j]
                sg += w[j] * bins[j].gamma
                sfg += w[j] * f[j] * bins[j].gamma
            }
            let det = sw * sff - sf * sf
            var nugget = det > 1e-12 * sw * sff ? (sg * sff - sf * sfg) / det : -1
            var partial = det > 1e-12 * sw * sff ? (sw * sfg - sf * sg) / det : -1
            if nugget < 0 || partial < 0 {
                // The best with one of them at 0.
                let onlyPartial = sff > 0 ? max(0, sfg / sff) : 0
                let onlyNugget = sg / sw
                let ssePartial = zip(bins, zip(w, f)).reduce(0.0) {
                    $0 + $1.1.0 * pow($1.0.gamma - onlyPartial * $1.1.1, 2)
                }
                let sseNugget = zip(bins, w).reduce(0.0) { $0 + $1.1 * pow($1.0.gamma - onlyNugget, 2) }
                (nugget, partial) = ssePartial < sseNugget ? (0, onlyPartial) : (onlyNugget, 0)
            }
            var model = VariogramModel(shape: shape, nugget: nugget, partialSill: partial, range: range, weightedSSE: 0)
            model.weightedSSE = model.weightedSSE(on: v)
            return model
        }
        let (from, to, steps) = rangeSearch
        let ranges = (0...steps).map { v.cutoff * from * pow(to / from, Double($0) / Double(steps)) }
        let tried = ranges.map(solve)
        let best = tried.indices.min { tried[$0].weightedSSE < tried[$1].weightedSSE }!
        // Golden-section search between the best grid point's neighbours.
        var a = ranges[max(0, best - 1)]
        var b = ranges[min(steps, best + 1)]
        let g = (5.0.squareRoot() - 1) / 2
        var c = b - g * (b - a)
        var d = a + g * (b - a)
        var fc = solve(c)
        var fd = solve(d)
        for _ in 0..<60 {
            if fc.weightedSSE < fd.weightedSSE {
                (b, d, fd) = (d, c, fc)
                c = b - g * (b - a)
                fc = solve(c)
            } else {
                (a, c, fc) = (c, d, fd)
                d = a + g * (b - a)
                fd = solve(d)
            }
        }
        var result = tried[best]
        for candidate in [fc, fd] where candidate.weightedSSE < result.weightedSSE { result = candidate }
        return result
    }

    /// The model's weighted sum of squares on `v`'s classes at positive distances, Σ N_j / h_j² ·
    /// (γ_j − γ(h_j))²: what `fit` minimises and gstat reports as `SSErr`.
    public func weightedSSE(on v: EmpiricalVariogram) -> Double {
        v.bins.filter { $0.distance > 0 && $0.pairs > 0 && $0.gamma.isFinite }.reduce(0.0) {
            let e = $1.gamma - gamma($1.distance)
            return $0 + Double($1.pairs) / ($1.distance * $1.distance) * e * e
        }
    }

    /// The better fit of the two shapes (lower weighted SSE); nil when neither fits.
    public static func best(_ v: EmpiricalVariogram) -> VariogramModel? {
        Shape.allCases.compactMap { fit(v, shape: $0) }.min { $0.weightedSSE < $1.weightedSSE }
    }
}
