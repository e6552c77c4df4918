import Foundation

/// How far the PICP of n held-out samples scatters around the level for a band that is calibrated:
/// the count inside is binomial (n, level), so its central `confidence` range, divided by n, is where
/// such a band's PICP falls in `confidence` of cases. A group's PICP outside it is a miss larger than
/// chance; inside, the group's shortfall or excess may be sampling noise (with 64 samples, as in a
/// fifth of an Edgeroi depth, a calibrated 90 % band's PICP lies within 0.83-0.97, not 0.85-0.95).
public enum CalibratedRange {
    /// The share of a calibrated band's PICPs that the range holds.
    public static let confidence = 0.95

    /// The central `confidence` range [k_low / n, k_high / n] of a calibrated band's PICP with `n`
    /// samples at `level`: k_low the largest count with P(X < k_low) ≤ (1 − confidence) / 2 and k_high
    /// the smallest with P(X > k_high) ≤ (1 − confidence) / 2, X ~ Binomial(n, level); nil for n < 1.
    public static func picp(n: Int, level: Double, confidence: Double = confidence) -> ClosedRange<Double>? {
        guard n >= 1, level > 0, level < 1 else { return nil }
        let tail = (1 - confidence) / 2
        let pmf = (0...n).map { probability(of: $0, in: n, level: level) }
        var below = 0.0
        var low = 0
        while low < n, below + pmf[low] <= tail {
            below += pmf[low]
            low += 1
        }
        var above = 0.0
        var high = n
        while high > 0, above + pmf[high] <= tail {
            above += pmf[high]
            high -= 1
        }
        return Double(low) / Double(n)...Double(high) / Double(n)
    }

    /// Whether `picp` of `n` samples lies outside the calibrated range (false when there is none).
    public static func isMiss(picp: Double, n: Int, level: Double) -> Bool {
        guard let range = self.picp(n: n, level: level), picp.isFinite else { return false }
        // The slack keeps a PICP computed as k / n on the range's own end inside.
        return picp < range.lowerBound - 1e-12 || picp > range.upperBound + 1e-12
    }

    /// P(X = k) for X ~ Binomial(n, p), through log-gamma so that large n does not overflow.
    static func probability(of k: Int, in n: Int, level p: Double) -> Double {
        let logChoose = lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1))
        return exp(logChoose + Double(k) * log(p) + Double(n - k) * log1p(-p))
    }
}
