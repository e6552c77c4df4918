import Foundation

/// The dissimilarity index (DI) and area of applicability (AOA) of Meyer & Pebesma (2021), as CAST's
/// `trainDI` and `aoa` compute them with the L2 distance and cross-validation folds.
///
/// Fitted on n training sites × c channels (their centre-cell covariate values) with a weight per
/// channel and each site's fold:
/// - z = (x − mean) / sd · weight per channel (mean and sample SD over the training sites; channels
///   with SD 0 are left out, as CAST refuses them);
/// - d(x) = Euclidean distance in z from x to the nearest training site; d̄ = mean of d(i, j) over
///   all pairs of training sites i < j; DI(x) = d(x) / d̄;
/// - training DI of site i: its distance to the nearest training site of another fold, / d̄;
/// - threshold by `rule` from the training DIs; AOA(x) = DI(x) ≤ threshold.
public struct DissimilarityIndex: Sendable {
    /// How the threshold is taken from the training DIs (R's type-7 quantiles).
    public enum ThresholdRule: String, Sendable, CaseIterable {
        /// CAST ≥ 0.7.1: Q3 + 1.5 · IQR, at most the largest training DI.
        case cast
        /// CAST 0.7.0 and the paper's "outlier-removed maximum": the largest training DI not above Q3 + 1.5 · IQR.
        case trimmedMax = "trimmed_max"
    }

    /// Channel means over the training sites.
    public let means: [Double]
    /// Channel sample SDs (n − 1) over the training sites.
    public let sds: [Double]
    /// The weights as given, one per channel.
    public let weights: [Double]
    /// Channels left out because they are constant over the training sites.
    public let constantChannels: [Int]
    /// d̄: mean distance between two training sites in the weighted standardised space.
    public let meanDistance: Double
    /// Each training site's DI against the sites of other folds.
    public let trainingDI: [Double]
    /// The DI threshold of the AOA.
    public let threshold: Double
    /// The rule the threshold came from.
    public let rule: ThresholdRule
    /// Multiplier per channel, weight / sd (0 for left-out channels).
    let factors: [Float]
    /// The nearest-site search over the training sites in z.
    let search: NearestSite

    /// Number of channels c.
    public var channels: Int { means.count }
    /// Number of training sites n.
    public var sites: Int { search.count }

    /// Fits the DI on `count` training sites × `channels` values (`features` row-major), with one
    /// weight ≥ 0 per channel (not all 0 among the varying channels) and each site's fold (at least two folds).
    public init(
        features: [Float], count n: Int, channels c: Int, weights: [Double], folds: [Int], rule: ThresholdRule = .cast
    ) {
        precondition(
            n >= 2 && c >= 1 && features.count == n * c,
            "DissimilarityIndex: \(features.count) values for \(n) sites x \(c) channels")
        precondition(
            weights.count == c && weights.allSatisfy { $0 >= 0 && $0.isFinite },
            "DissimilarityIndex: one finite weight >= 0 per channel")
        precondition(
            folds.count == n && Set(folds).count >= 2, "DissimilarityIndex: one fold per site, at least two folds")
        var means = [Double](repeating: 0, count: c)
        var sds = [Double](repeating: 0, count: c)
        for ch in 0..<c {
            var s = 0.0
            for i in 0..<n { s += Double(features[i * c + ch]) }
            let mean = s / Double(n)
            var v = 0.0
            for i in 0..<n {
                let e = Double(features[i * c + ch]) - mean
                v += e * e
            }
            means[ch] = mean
            sds[ch] = (v / Double(n - 1)).squareRoot()
        }
        let constant = (0..<c).filter { !(sds[$0] > 0) }
        let factors = (0..<c).map { sds[$0] > 0 ? Float(weights[$0] / sds[$0]) : 0 }
        precondition(factors.contains { $0 > 0 }, "DissimilarityIndex: every varying channel has weight 0")
        self.means = means
        self.sds = sds
        self.weights = weights
        self.constantChannels = constant
        self.factors = factors
        self.rule = rule
        let z = Self.transform(features, count: n, means: means, factors: factors)
        search = NearestSite(sites: z, count: n, dimensions: c)
        meanDistance = search.meanPairwiseDistance()
        let d = search.distances(z, count: n) { i, j in folds[i] == folds[j] }
        let dbar = meanDistance
        trainingDI = d.map { dbar > 0 ? $0 / dbar : 0 }
        threshold = Self.threshold(trainingDI, rule: rule)
    }

    /// The weighted standardised coordinates of `count` points (row-major, `channels` values each).
    static func transform(_ x: [Float], count m: Int, means: [Double], factors: [Float]) -> [Float] {
        let c = means.count
        let mean = means.map { Float($0) }
        var z = [Float](repeating: 0, count: m * c)
        for i in 0..<m { for ch in 0..<c { z[i * c + ch] = (x[i * c + ch] - mean[ch]) * factors[ch] } }
        return z
    }

    /// DI of `count` points (row-major, `channels` values each, on the training features' scale).
    public func index(_ points: [Float], count m: Int) -> [Double] {
        precondition(points.count == m * channels, "DissimilarityIndex.index: \(points.count) values for \(m) points")
        let z = Self.transform(points, count: m, means: means, factors: factors)
        let d = search.distances(z, count: m)
        return d.map { meanDistance > 0 ? $0 / meanDistance : ($0 > 0 ? .infinity : 0) }
    }

    /// Whether a DI lies inside the area of applicability.
    public func inside(_ di: Double) -> Bool { di <= threshold }

    /// R's `quantile(x, p)` (type 7) of sorted values.
    static func quantile(sorted x: [Double], _ p: Double) -> Double {
        let h = Double(x.count - 1) * p
        let lo = Int(h.rounded(.down))
        let hi = min(lo + 1, x.count - 1)
        return x[lo] + (h - Double(lo)) * (x[hi] - x[lo])
    }

    /// The threshold of `rule` from the training DIs.
    public static func threshold(_ trainingDI: [Double], rule: ThresholdRule) -> Double {
        let x = trainingDI.filter(\.isFinite).sorted()
        precondition(!x.isEmpty, "DissimilarityIndex.threshold: no finite training DI")
        let q1 = quantile(sorted: x, 0.25)
        let q3 = quantile(sorted: x, 0.75)
        let fence = q3 + 1.5 * (q3 - q1)
        switch rule {
        case .cast: return min(fence, x.last!)
        case .trimmedMax: return x.last { $0 <= fence }!
        }
    }

    /// Bytes that identify the fitted index (weights, scaling, training coordinates, threshold), for
    /// telling apart tiles computed with another one.
    public var fingerprint: [UInt8] {
        var bytes: [UInt8] = Array("DI1 \(rule.rawValue) \(channels) \(sites)".utf8)
        func add(_ v: Double) { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
        for v in means + sds + weights + [meanDistance, threshold] { add(v) }
        search.sites.withUnsafeBytes { bytes += $0 }
        return bytes
    }
}
