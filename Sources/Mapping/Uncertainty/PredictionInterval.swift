/// A calibrated prediction interval applied cell by cell: per depth the bounds are
/// prediction ± q (plain conformal) or prediction ± q · (s + floor) (locally adaptive), where s is
/// the cell's spread (SD) of the k cross-validation models' predictions. q and floor come from
/// cross-validation (Evaluation's `IntervalCalibration`); here they are only applied, so the map
/// stage adds two subtractions per cell and keeps memory bounded by the tile.
public struct PredictionInterval: Sendable, Equatable {
    /// Nominal coverage, in (0, 1), e.g. 0.9.
    public var level: Double
    /// Whether the half-width scales with the cell's spread.
    public var adaptive: Bool
    /// q per depth, in layer order (finite, non-negative).
    public var halfWidths: [Double]
    /// The floor added to the spread per depth (adaptive only; 0 otherwise).
    public var floors: [Double]

    /// Creates an interval; `halfWidths` and `floors` have one finite, non-negative entry per depth.
    public init(level: Double, adaptive: Bool, halfWidths: [Double], floors: [Double]) {
        precondition(level > 0 && level < 1, "PredictionInterval: level \(level) must lie in (0, 1)")
        precondition(halfWidths.count == floors.count, "PredictionInterval: one floor per half-width")
        precondition(halfWidths.allSatisfy { $0.isFinite && $0 >= 0 } && floors.allSatisfy { $0.isFinite && $0 >= 0 },
                     "PredictionInterval: half-widths and floors must be finite and non-negative")
        self.level = level; self.adaptive = adaptive; self.halfWidths = halfWidths; self.floors = floors
    }

    /// The quantile the lower bound stands for, (1 − level) / 2 (0.05 for 0.9).
    public var lowerQuantile: Double { (1 - level) / 2 }
    /// The quantile the upper bound stands for, (1 + level) / 2 (0.95 for 0.9).
    public var upperQuantile: Double { (1 + level) / 2 }

    /// Lower and upper bounds of `depth` for a tile's `prediction` and, for an adaptive interval,
    /// the cells' `spread` (NaN stays NaN; a plain interval ignores the spread).
    public func bounds(prediction: [Float], spread: [Float]?, depth: Int) -> (lower: [Float], upper: [Float]) {
        precondition(spread == nil || prediction.count == spread!.count,
                     "PredictionInterval.bounds: \(prediction.count) predictions, \(spread!.count) spreads")
        precondition(!adaptive || spread != nil, "PredictionInterval.bounds: an adaptive interval needs the spread")
        let q = halfWidths[depth], floor = floors[depth]
        var lower = [Float](repeating: .nan, count: prediction.count), upper = lower
        for c in prediction.indices {
            let h = adaptive ? q * (Double(spread![c]) + floor) : q
            let p = Double(prediction[c])
            guard p.isFinite, h.isFinite else { continue }
            lower[c] = Float(p - h)
            upper[c] = Float(p + h)
        }
        return (lower, upper)
    }

    /// A one-line description for the tile manifest, e.g. "conformal 0.9 q=[1.5, 2.25] floor=[0, 0]".
    public var summary: String {
        "\(adaptive ? "adaptive" : "conformal") \(level) q=\(halfWidths) floor=\(floors)"
    }
}
