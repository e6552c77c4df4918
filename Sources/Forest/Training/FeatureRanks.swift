// The training matrix re-coded as ranks: each feature's values replaced by the index of
// the value among that feature's sorted distinct values. Splits are searched on ranks
// (exact: every distinct value is a candidate) and thresholds are read back as values.

/// Column-major ranks of a training matrix plus each feature's sorted distinct values.
struct FeatureRanks: Sendable {
    /// Number of rows.
    let n: Int
    /// Number of features.
    let p: Int
    /// `ranks[f * n + i]`: rank of row i's value of feature f among the feature's distinct values.
    let ranks: [UInt32]
    /// The sorted distinct values of every feature, feature after feature.
    let distinctValues: [Float]
    /// `distinctValues[distinctStart[f] ..< distinctStart[f + 1]]` are feature f's distinct values.
    let distinctStart: [Int]

    /// Ranks of the row-major `n` x `p` matrix `x` (which must hold no NaN).
    init(x: [Float], n: Int, p: Int) {
        self.n = n
        self.p = p
        var ranks = [UInt32](repeating: 0, count: n * p)
        var distinct: [Float] = []
        var start = [0]
        var order = [Int32](repeating: 0, count: n)
        var column = [Float](repeating: 0, count: n)
        for f in 0..<p {
            for i in 0..<n {
                let v = x[i * p + f]
                precondition(
                    !v.isNaN,
                    "RandomForest.fit: x holds NaN at row \(i), feature \(f); fill or drop missing values first")
                column[i] = v == 0 ? 0 : v  // -0 and +0 are one value
                order[i] = Int32(i)
            }
            column.withUnsafeBufferPointer { col in
                order.sort { a, b in
                    let va = col[Int(a)]
                    let vb = col[Int(b)]
                    return va < vb || (va == vb && a < b)
                }
            }
            var rank: UInt32 = 0
            for k in 0..<n {
                let i = Int(order[k])
                if k > 0 && column[i] != column[Int(order[k - 1])] { rank += 1 }
                if k == 0 || column[i] != column[Int(order[k - 1])] { distinct.append(column[i]) }
                ranks[f * n + i] = rank
            }
            start.append(distinct.count)
        }
        self.ranks = ranks
        self.distinctValues = distinct
        self.distinctStart = start
    }

    /// The split threshold between feature f's distinct values of ranks `low` < `high`: their
    /// midpoint, or the lower value when the midpoint rounds up to the higher one (as scikit-learn),
    /// so that `low value <= threshold < high value` and `x <= threshold` goes left.
    func threshold(feature f: Int, lowRank low: UInt32, highRank high: UInt32) -> Float {
        let a = distinctValues[distinctStart[f] + Int(low)]
        let b = distinctValues[distinctStart[f] + Int(high)]
        let mid = Float((Double(a) + Double(b)) / 2)
        return mid >= b ? a : mid
    }
}
