import Foundation

/// Gaussian kernel density estimates for the density plot.
enum KernelDensity {
    /// Silverman's rule of thumb: 0.9 · min(sd, IQR/1.34) · n^(-1/5); a small positive width when
    /// the values do not spread (all equal), NaN for no values.
    static func bandwidth(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let sd = Statistics.sampleSD(sorted)
        let iqr = Statistics.quantile(sorted: sorted, 0.75) - Statistics.quantile(sorted: sorted, 0.25)
        var spread = sd.isFinite ? sd : 0
        if iqr > 0 { spread = min(spread, iqr / 1.34) }
        let h = 0.9 * spread * pow(Double(values.count), -0.2)
        if h > 0, h.isFinite { return h }
        let scale = abs(sorted[sorted.count / 2])
        return scale > 0 ? scale * 0.05 : 0.05
    }

    /// The density of `values` at each point of `grid` with a Gaussian kernel of width `bandwidth`.
    static func evaluate(_ values: [Double], at grid: [Double], bandwidth h: Double) -> [Double] {
        guard !values.isEmpty, h > 0 else { return [Double](repeating: 0, count: grid.count) }
        let sorted = values.sorted()
        let norm = 1 / (Double(values.count) * h * (2 * Double.pi).squareRoot())
        let reach = 6 * h
        return sorted.withUnsafeBufferPointer { v in
            grid.map { g in
                // Only values within 6 bandwidths contribute measurably.
                var lo = 0
                var hi = v.count
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if v[mid] < g - reach { lo = mid + 1 } else { hi = mid }
                }
                var sum = 0.0
                var i = lo
                while i < v.count, v[i] <= g + reach {
                    let z = (g - v[i]) / h
                    sum += exp(-0.5 * z * z)
                    i += 1
                }
                return sum * norm
            }
        }
    }
}
