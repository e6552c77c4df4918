import Foundation

/// How a prediction interval scales with the cell: `conformal` gives every cell the same half-width q
/// (prediction ± q); `adaptive` scales it by the cell's difficulty s(x), the spread (SD) of the k
/// cross-validation models' predictions plus a floor (prediction ± q · (s(x) + floor)); `logConformal`
/// is conformal on a log scale, (prediction + c) · e^(± q) − c with c a twentieth of the depth's median
/// observation, so that the band widens with the value as a skewed property's errors do;
/// `scaledConformal` is normalised conformal, prediction ± q · r(prediction), r the mean absolute held-out
/// residual as a function of the prediction (`ResidualScale`), fitted on the calibration folds only.
public enum IntervalMethod: String, Sendable, CaseIterable, Codable {
    case conformal, adaptive
    case logConformal = "log_conformal"
    case scaledConformal = "scaled_conformal"

    /// The method used when the pipeline names none (`predict.interval_method`): it holds its level where
    /// the values are low and high, and its lower bound stays above −c, where the scaled band's fell below 0
    /// in 36-42 % of Edgeroi's cells at 60-200 cm (docs/results.md).
    public static let `default` = IntervalMethod.logConformal
}

/// The finite-sample conformal quantile of nonconformity scores (Barber et al. 2021; Vovk et al. 2005):
/// the ⌈(n + 1) · level⌉-th smallest of n scores, i.e. the ⌈(n + 1) · level⌉ / n empirical quantile.
/// With exchangeable scores a new score falls at or below it with probability at least `level`.
public enum ConformalQuantile {
    /// The rank k = ⌈(n + 1) · level⌉ (1-based) of the score that bounds `level` of n + 1 exchangeable scores.
    public static func rank(count n: Int, level: Double) -> Int {
        precondition(level > 0 && level < 1, "ConformalQuantile.rank: level \(level) must lie in (0, 1)")
        // The small slack keeps e.g. 10 · 0.9 at 9 despite binary rounding.
        return Int(((Double(n + 1) * level) - 1e-9).rounded(.up))
    }

    /// The fewest scores with a finite quantile at `level`: ⌈1 / (1 − level)⌉ − 1 (9 for 0.9, 19 for 0.95).
    public static func minimumCount(level: Double) -> Int {
        var n = max(1, Int((1 / (1 - level) - 1e-9).rounded(.up)) - 1)
        while rank(count: n, level: level) > n { n += 1 }
        while n > 1, rank(count: n - 1, level: level) <= n - 1 { n -= 1 }
        return n
    }

    /// The conformal quantile of `scores` (finite, non-negative in use) at `level`; nil when there are
    /// too few scores (fewer than `minimumCount(level:)`): the interval would be infinite.
    public static func quantile(of scores: [Double], level: Double) -> Double? {
        let k = rank(count: scores.count, level: level)
        guard k <= scores.count, k >= 1 else { return nil }
        return scores.sorted()[k - 1]
    }

    /// The median of `values` (mean of the middle two for an even count); NaN when empty.
    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        let s = values.sorted()
        let m = s.count / 2
        return s.count % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2
    }
}
