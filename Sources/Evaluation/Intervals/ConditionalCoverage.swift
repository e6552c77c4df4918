import Foundation

/// Coverage of an interval within each fifth of a depth's held-out predictions (lowest to highest
/// predicted value): whether the band holds where the values are high as well as on average. As for
/// `IntervalCoverage`, each fold's interval is calibrated on the other folds; the counts of a fifth are
/// pooled over the folds.
public struct ConditionalCoverage: Codable, Sendable, Equatable {
    /// The model's name.
    public var model: String
    /// The method.
    public var method: IntervalMethod
    /// The depth label.
    public var depth: String
    /// The nominal level.
    public var level: Double
    /// Which fifth of the depth's held-out predictions, 1 (lowest) to 5 (highest).
    public var fifth: Int
    /// The lowest prediction of the fifth.
    public var from: Double
    /// The highest prediction of the fifth.
    public var to: Double
    /// Share of the fifth's held-out observations inside their interval.
    public var picp: Double
    /// Mean width of their intervals.
    public var meanWidth: Double
    /// Held-out observations tried.
    public var n: Int
    /// Where a calibrated band's PICP falls in 95 % of cases with n samples (`CalibratedRange`), as
    /// [low, high]; nil in files written before it was recorded.
    public var calibratedRange: [Double]? = nil

    enum CodingKeys: String, CodingKey {
        case model, method, depth, level, fifth, from, to, picp, n
        case meanWidth = "mean_width"
        case calibratedRange = "calibrated_range"
    }

    /// Whether the PICP lies outside the range of a calibrated band: a miss larger than chance.
    public var isMiss: Bool { CalibratedRange.isMiss(picp: picp, n: n, level: level) }

    /// The number of groups.
    public static let groups = 5

    /// Coverage of one model per depth and fifth of the predicted value at `level`; a fifth without a
    /// measured sample has no row.
    public static func measure(
        _ samples: [IntervalSample], model: String, method: IntervalMethod, level: Double,
        depthLabels: [String], folds: Int
    ) -> [ConditionalCoverage] {
        var rows: [ConditionalCoverage] = []
        for (d, label) in depthLabels.enumerated() {
            let depth = samples.filter { $0.depth == d && (0..<folds).contains($0.fold) }
            let usable = depth.indices.filter { depth[$0].observed.isFinite && depth[$0].predicted.isFinite }
            guard !usable.isEmpty else { continue }
            // Fifths by rank of the prediction (ties in sample order).
            let ranked = usable.sorted { (depth[$0].predicted, $0) < (depth[$1].predicted, $1) }
            var group = [Int](repeating: 0, count: depth.count)
            for (rank, i) in ranked.enumerated() { group[i] = rank * groups / ranked.count }
            var inside = [Int](repeating: 0, count: groups)
            var tried = [Int](repeating: 0, count: groups)
            var width = [Double](repeating: 0, count: groups)
            for f in 0..<folds {
                let test = usable.filter { depth[$0].fold == f }
                guard !test.isEmpty else { continue }
                let c = IntervalCalibration.calibrate(
                    depth.filter { $0.fold != f }, method: method, level: level, model: model, depth: label)
                for i in test {
                    guard let (holds, w) = c.tries(depth[i]) else { continue }
                    tried[group[i]] += 1
                    width[group[i]] += w
                    if holds { inside[group[i]] += 1 }
                }
            }
            for g in 0..<groups where tried[g] > 0 {
                let members = usable.filter { group[$0] == g }.map { depth[$0].predicted }
                rows.append(
                    ConditionalCoverage(
                        model: model, method: method, depth: label, level: level, fifth: g + 1,
                        from: members.min()!, to: members.max()!, picp: Double(inside[g]) / Double(tried[g]),
                        meanWidth: width[g] / Double(tried[g]), n: tried[g],
                        calibratedRange: CalibratedRange.picp(n: tried[g], level: level).map {
                            [$0.lowerBound, $0.upperBound]
                        }))
            }
        }
        return rows
    }
}
