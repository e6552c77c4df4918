import Foundation

/// Small two-pass statistics shared by the metrics, the fold spreads and the plots.
enum Statistics {
    /// The arithmetic mean; NaN for an empty array.
    static func mean(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        var sum = 0.0
        for v in values { sum += v }
        return sum / Double(values.count)
    }

    /// The sample standard deviation (n - 1 divisor); NaN for fewer than two values.
    static func sampleSD(_ values: [Double]) -> Double {
        guard values.count >= 2 else { return .nan }
        let m = mean(values)
        var ss = 0.0
        for v in values { ss += (v - m) * (v - m) }
        return (ss / Double(values.count - 1)).squareRoot()
    }

    /// The `q` quantile (0...1) of sorted values by linear interpolation (R's type 7); NaN when empty.
    static func quantile(sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let h = Double(sorted.count - 1) * min(max(q, 0), 1)
        let lo = Int(h.rounded(.down))
        let hi = min(lo + 1, sorted.count - 1)
        return sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
    }
}
