import Foundation

/// Measured coverage of an interval: for each fold f, the interval is calibrated on the held-out
/// scores of the other k − 1 folds and tried on fold f's held-out observations; PICP (prediction
/// interval coverage probability) and mean width are averaged over the folds.
public struct IntervalCoverage: Codable, Sendable, Equatable {
    /// The model's name.
    public var model: String
    /// The method.
    public var method: IntervalMethod
    /// The depth label, or `EvaluationTable.allDepths`.
    public var depth: String
    /// The nominal level.
    public var level: Double
    /// Share of held-out observations inside their interval, averaged over folds (NaN: not measurable).
    public var picp: Double
    /// Mean interval width (upper − lower), averaged over folds (NaN: not measurable).
    public var meanWidth: Double
    /// Share of held-out observations at or below the median the other folds calibrate (the maps'
    /// Q0.5; 0.5 when it is one), averaged over folds (NaN: not measurable or not measured).
    public var belowMedian: Double = .nan
    /// Folds whose calibration on the other folds was finite, i.e. that were measured.
    public var folds: Int
    /// Held-out observations tried.
    public var n: Int

    enum CodingKeys: String, CodingKey {
        case model, method, depth, level, picp, folds, n
        case meanWidth = "mean_width"
        case belowMedian = "below_median"
    }

    /// Makes a row.
    public init(
        model: String, method: IntervalMethod, depth: String, level: Double, picp: Double, meanWidth: Double,
        belowMedian: Double = .nan, folds: Int, n: Int
    ) {
        self.model = model
        self.method = method
        self.depth = depth
        self.level = level
        self.picp = picp
        self.meanWidth = meanWidth
        self.belowMedian = belowMedian
        self.folds = folds
        self.n = n
    }

    /// Decodes a row; `null` reads as NaN.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            model: try c.decode(String.self, forKey: .model),
            method: try c.decode(IntervalMethod.self, forKey: .method),
            depth: try c.decode(String.self, forKey: .depth), level: try c.decode(Double.self, forKey: .level),
            picp: try c.decodeNaNIfNull(forKey: .picp),
            meanWidth: try c.decodeNaNIfNull(forKey: .meanWidth),
            belowMedian: try c.decodeNaNIfNull(forKey: .belowMedian),
            folds: try c.decode(Int.self, forKey: .folds), n: try c.decode(Int.self, forKey: .n))
    }

    /// Encodes a row; NaN as `null`.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(model, forKey: .model)
        try c.encode(method, forKey: .method)
        try c.encode(depth, forKey: .depth)
        try c.encode(level, forKey: .level)
        try c.encode(folds, forKey: .folds)
        try c.encode(n, forKey: .n)
        try c.encodeNullIfNaN(picp, forKey: .picp)
        try c.encodeNullIfNaN(meanWidth, forKey: .meanWidth)
        try c.encodeNullIfNaN(belowMedian, forKey: .belowMedian)
    }

    /// Coverage of one model per depth and over all depths (last) at `level`, measured by calibrating
    /// on k − 1 folds and trying the k-th. Depths are `depthLabels` indices.
    public static func measure(
        _ samples: [IntervalSample], model: String, method: IntervalMethod, level: Double,
        depthLabels: [String], folds: Int
    ) -> [IntervalCoverage] {
        // counts[fold][depth] = (inside, tried, width sum, at or below the median)
        typealias Count = (inside: Int, tried: Int, width: Double, below: Int)
        var counts = [[Count]](repeating: [Count](repeating: (0, 0, 0, 0), count: depthLabels.count), count: folds)
        var byDepth = [[IntervalSample]](repeating: [], count: depthLabels.count)
        for s in samples where depthLabels.indices.contains(s.depth) && (0..<folds).contains(s.fold) {
            byDepth[s.depth].append(s)
        }
        for d in depthLabels.indices {
            for f in 0..<folds {
                let test = byDepth[d].filter { $0.fold == f && $0.observed.isFinite && $0.predicted.isFinite }
                guard !test.isEmpty else { continue }
                let c = IntervalCalibration.calibrate(
                    byDepth[d].filter { $0.fold != f }, method: method, level: level,
                    model: model, depth: depthLabels[d])
                guard c.q != nil else { continue }
                for s in test {
                    guard let (inside, width) = c.tries(s) else { continue }
                    counts[f][d].tried += 1
                    counts[f][d].width += width
                    if inside { counts[f][d].inside += 1 }
                    if let m = c.median(predicted: s.predicted, spread: s.spread), s.observed <= m {
                        counts[f][d].below += 1
                    }
                }
            }
        }
        func row(_ depth: String, _ cells: [Count]) -> IntervalCoverage {
            let used = cells.filter { $0.tried > 0 }
            let mean = { (share: (Count) -> Double) in
                used.isEmpty ? .nan : used.map(share).reduce(0, +) / Double(used.count)
            }
            return IntervalCoverage(
                model: model, method: method, depth: depth, level: level,
                picp: mean { Double($0.inside) / Double($0.tried) }, meanWidth: mean { $0.width / Double($0.tried) },
                belowMedian: mean { Double($0.below) / Double($0.tried) }, folds: used.count,
                n: used.map(\.tried).reduce(0, +))
        }
        var rows = depthLabels.indices.map { d in row(depthLabels[d], (0..<folds).map { counts[$0][d] }) }
        // All depths: per fold, the share over the depths pooled, then averaged over folds.
        rows.append(
            row(
                EvaluationTable.allDepths,
                (0..<folds).map { f in
                    counts[f].reduce((0, 0, 0.0, 0)) {
                        ($0.0 + $1.inside, $0.1 + $1.tried, $0.2 + $1.width, $0.3 + $1.below)
                    }
                }))
        return rows
    }
}

extension IntervalCalibration {
    /// Whether the sample's observation lies in its interval, and the interval's width; nil when the
    /// interval is not finite there.
    func tries(_ s: IntervalSample) -> (inside: Bool, width: Double)? {
        if let h = halfWidth(spread: s.spread) {
            return h.isFinite ? (abs(s.observed - s.predicted) <= h, 2 * h) : nil
        }
        guard let b = bounds(predicted: s.predicted, spread: s.spread), b.lower.isFinite, b.upper.isFinite else {
            return nil
        }
        return (b.lower <= s.observed && s.observed <= b.upper, b.upper - b.lower)
    }
}

extension IntervalCalibration {
    /// Each sample's interval as cross-validation tries it: calibrated with `method` at `level` on the
    /// other folds' samples of its depth (nil where that calibration or the interval is not finite).
    public static func heldOutBounds(
        _ samples: [IntervalSample], method: IntervalMethod, level: Double, folds: Int
    ) -> [IntervalBounds?] {
        var calibrations: [[Int]: IntervalCalibration] = [:]
        return samples.map { s in
            let key = [s.depth, s.fold]
            let c =
                calibrations[key]
                ?? {
                    let made = IntervalCalibration.calibrate(
                        samples.filter { $0.depth == s.depth && $0.fold != s.fold }, method: method, level: level,
                        model: "", depth: "")
                    calibrations[key] = made
                    return made
                }()
            guard let b = c.bounds(predicted: s.predicted, spread: s.spread), b.lower.isFinite, b.upper.isFinite
            else { return nil }
            return IntervalBounds(lower: b.lower, upper: b.upper)
        }
    }
}
