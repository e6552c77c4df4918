import Foundation
import Randomness

/// The paired bootstrap of an RMSE difference: sites are resampled with replacement (all of a
/// site's samples go with it), and both models are scored on the same resample.
public enum PairedBootstrap {
    /// One site's squared errors of the two models and its sample count.
    public struct SiteErrors: Sendable, Equatable {
        /// Sum of model A's squared errors over the site's samples.
        public var a: Double
        /// Sum of model B's squared errors over the site's samples.
        public var b: Double
        /// The site's samples.
        public var count: Int

        /// Makes a site's sums.
        public init(a: Double, b: Double, count: Int) {
            self.a = a
            self.b = b
            self.count = count
        }
    }

    /// RMSE(A) - RMSE(B) and its bootstrap percentile interval.
    public struct Interval: Sendable, Codable, Equatable {
        /// RMSE(A) - RMSE(B) on all sites.
        public var difference: Double
        /// The lower percentile of the resampled differences.
        public var lower: Double
        /// The upper percentile of the resampled differences.
        public var upper: Double
        /// Sites resampled.
        public var sites: Int
        /// Samples of those sites.
        public var samples: Int
    }

    /// The difference of RMSEs and its `level` percentile interval over `resamples` resamples of the
    /// sites, drawn from `seed` (the same inputs give the same interval). NaN without a site.
    public static func rmseDifference(
        _ sites: [SiteErrors], resamples: Int, level: Double = 0.95, seed: UInt64
    ) -> Interval {
        let n = sites.count
        let samples = sites.reduce(0) { $0 + $1.count }
        guard n > 0, samples > 0 else {
            return Interval(difference: .nan, lower: .nan, upper: .nan, sites: n, samples: samples)
        }
        func difference(_ a: Double, _ b: Double, _ count: Int) -> Double {
            (a / Double(count)).squareRoot() - (b / Double(count)).squareRoot()
        }
        let point = difference(sites.reduce(0) { $0 + $1.a }, sites.reduce(0) { $0 + $1.b }, samples)
        var random = SplitMix64(seed: seed)
        var draws: [Double] = []
        draws.reserveCapacity(resamples)
        for _ in 0..<max(resamples, 0) {
            var a = 0.0
            var b = 0.0
            var count = 0
            for _ in 0..<n {
                let s = sites[Int(random.next() % UInt64(n))]
                a += s.a
                b += s.b
                count += s.count
            }
            if count > 0 { draws.append(difference(a, b, count)) }
        }
        guard !draws.isEmpty else {
            return Interval(difference: point, lower: .nan, upper: .nan, sites: n, samples: samples)
        }
        draws.sort()
        let tail = (1 - level) / 2
        return Interval(
            difference: point, lower: percentile(draws, tail), upper: percentile(draws, 1 - tail), sites: n,
            samples: samples)
    }

    /// The `p` quantile of sorted values, interpolated linearly between order statistics.
    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        let position = p * Double(sorted.count - 1)
        let low = Int(position.rounded(.down))
        let high = min(low + 1, sorted.count - 1)
        return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
    }
}
