import Foundation

/// One held-out sample: where and at what depth it was observed, its fold, and every model's prediction.
public struct HeldOutPrediction: Sendable, Equatable {
    /// The site the sample belongs to.
    public var siteID: String
    /// The depth interval, as a 0-based index into the table's `depthLabels`.
    public var depth: Int
    /// The fold (0-based) in which the site was held out.
    public var fold: Int
    /// The observed value.
    public var observed: Double
    /// Each model's prediction by model name; a missing or non-finite value means "not predicted".
    public var predicted: [String: Double]
    /// Each model's held-out prediction interval (calibrated on the other folds) by model name; empty
    /// without intervals.
    public var bounds: [String: IntervalBounds] = [:]

    /// Makes a held-out prediction record.
    public init(siteID: String, depth: Int, fold: Int, observed: Double, predicted: [String: Double]) {
        self.siteID = siteID
        self.depth = depth
        self.fold = fold
        self.observed = observed
        self.predicted = predicted
    }
}

/// The bounds of one prediction interval.
public struct IntervalBounds: Sendable, Equatable {
    /// The lower bound.
    public var lower: Double
    /// The upper bound.
    public var upper: Double

    /// Makes bounds.
    public init(lower: Double, upper: Double) {
        self.lower = lower
        self.upper = upper
    }
}
