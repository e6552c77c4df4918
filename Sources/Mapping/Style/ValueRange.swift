import Foundation
import RasterIO
import TextFormat

/// A closed range of map values shared by several maps' styles, quick-looks and legends.
public struct ValueRange: Sendable, Equatable, CustomStringConvertible {
    /// Lower end.
    public var min: Double
    /// Upper end (above `min`).
    public var max: Double

    /// Creates a range; a degenerate range (min == max) is widened by 1 % (or 1 around zero) so a ramp has room.
    public init(min: Double, max: Double) {
        precondition(
            min.isFinite && max.isFinite && max >= min, "ValueRange: \(min)...\(max) is not a finite rising range")
        if max > min {
            self.min = min
            self.max = max
        } else {
            let pad = min == 0 ? 1 : abs(min) * 0.01
            self.min = min - pad
            self.max = max + pad
        }
    }

    /// The range widened outward to multiples of a round step (1, 2 or 5 x 10^k, about a tenth of
    /// the span), e.g. 3.2...87.4 -> 0...90; a range starting at or above 0 never goes negative.
    public func rounded() -> ValueRange {
        let step = Ticks.niceStep(span: max - min, target: 10)
        var lower = (min / step).rounded(.down) * step
        let upper = (max / step).rounded(.up) * step
        if min >= 0 { lower = Swift.max(0, lower) }
        return ValueRange(min: lower, max: upper)
    }

    /// "0...90".
    public var description: String { "\(NumberText.significant(min, 6))...\(NumberText.significant(max, 6))" }

    /// The range of several maps from their stored statistics: the smallest minimum and the largest
    /// maximum (every value inside, outliers included). Nil when no map has statistics.
    public static func covering(_ statistics: [BandStatistics?]) -> ValueRange? {
        let known = statistics.compactMap { $0 }
        guard let lo = known.map(\.minimum).min(), let hi = known.map(\.maximum).max() else { return nil }
        return ValueRange(min: lo, max: hi)
    }

    /// A robust shared range: the `lower` and `upper` quantiles (default 2 % and 98 %, QGIS's
    /// "cumulative count cut") of all valid values of all arrays pooled, NaN skipped; each array
    /// counts by its number of cells, so give arrays decimated by the same factor. Nil when no value is valid.
    public static func percentiles(of arrays: [[Float]], lower: Double = 0.02, upper: Double = 0.98) -> ValueRange? {
        precondition(lower >= 0 && upper <= 1 && lower < upper, "ValueRange.percentiles: need 0 <= lower < upper <= 1")
        var pooled: [Float] = []
        pooled.reserveCapacity(arrays.reduce(0) { $0 + $1.count })
        for values in arrays { pooled.append(contentsOf: values.lazy.filter { $0.isFinite }) }
        guard !pooled.isEmpty else { return nil }
        // Two order statistics each, by selection rather than a full sort: the same values, in
        // linear time (the group of a prediction with its interval bounds pools millions of cells).
        func quantile(_ p: Double) -> Double {
            let position = p * Double(pooled.count - 1)
            let i = Int(position.rounded(.down))
            let j = Swift.min(i + 1, pooled.count - 1)
            let f = position - Double(i)
            let vi = Double(select(&pooled, i))
            // After the selection every element right of i is >= the i-th smallest, so the
            // (i+1)-th smallest is their minimum.
            let vj = j == i ? vi : Double(pooled[j...].min()!)
            return vi + (vj - vi) * f
        }
        return ValueRange(min: quantile(lower), max: quantile(upper))
    }

    /// The k-th smallest (0-based) of `values`, which are reordered so that everything left of k is
    /// <= it and everything right of it >= it (quickselect, median-of-three pivots; no NaN allowed).
    static func select(_ values: inout [Float], _ k: Int) -> Float {
        precondition(k >= 0 && k < values.count, "ValueRange.select: \(k) outside 0..<\(values.count)")
        var lo = 0
        var hi = values.count - 1
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            // Median of three as the pivot, moved to `hi`.
            if values[mid] < values[lo] { values.swapAt(mid, lo) }
            if values[hi] < values[lo] { values.swapAt(hi, lo) }
            if values[mid] < values[hi] { values.swapAt(mid, hi) }
            let pivot = values[hi]
            // Three-way partition: [lo, lt) < pivot, [lt, gt] == pivot, (gt, hi] > pivot.
            var lt = lo
            var i = lo
            var gt = hi
            while i <= gt {
                if values[i] < pivot {
                    values.swapAt(lt, i)
                    lt += 1
                    i += 1
                } else if values[i] > pivot {
                    values.swapAt(i, gt)
                    gt -= 1
                } else {
                    i += 1
                }
            }
            if k < lt { hi = lt - 1 } else if k > gt { lo = gt + 1 } else { return pivot }
        }
        return values[k]
    }

    /// The robust shared range of map files: each band read at most `maxWidth` cells wide (from
    /// overviews, see `RasterDataset.readDecimated`), then `percentiles(of:lower:upper:)`.
    public static func percentiles(
        ofMaps paths: [String], band: Int = 1, lower: Double = 0.02, upper: Double = 0.98, maxWidth: Int = 1024
    ) throws -> ValueRange? {
        let arrays = try paths.map { path in
            let dataset = try RasterDataset(path: path)
            defer { dataset.close() }
            return try dataset.readDecimated(band: band, maxWidth: maxWidth).values
        }
        return percentiles(of: arrays, lower: lower, upper: upper)
    }

    /// The full range of map files from their stored statistics (nil when none has statistics).
    public static func covering(maps paths: [String], band: Int = 1) throws -> ValueRange? {
        covering(
            try paths.map { path in
                let dataset = try RasterDataset(path: path)
                defer { dataset.close() }
                return try dataset.statistics(band: band)
            })
    }
}
