import Foundation

/// One held-out sample as the prediction intervals see it: its depth and fold, the observation, the
/// held-out prediction of its fold's model, and its difficulty s(x): the SD of the other folds'
/// models' predictions at it (NaN when unknown, e.g. with two folds).
public struct IntervalSample: Sendable, Equatable {
    /// Depth index into the table's depth labels.
    public var depth: Int
    /// The fold (0-based) that held it out.
    public var fold: Int
    /// The observed value.
    public var observed: Double
    /// The held-out prediction.
    public var predicted: Double
    /// SD of the other folds' models' predictions at the sample (NaN: unknown).
    public var spread: Double

    /// Makes a sample.
    public init(depth: Int, fold: Int, observed: Double, predicted: Double, spread: Double = .nan) {
        self.depth = depth
        self.fold = fold
        self.observed = observed
        self.predicted = predicted
        self.spread = spread
    }
}

/// The calibrated interval of one model, method and depth: prediction ± q (conformal) or
/// prediction ± q · (s(x) + floor) (adaptive), with q the conformal quantile of the n held-out scores.
public struct IntervalCalibration: Codable, Sendable, Equatable {
    /// The model's name.
    public var model: String
    /// The method.
    public var method: IntervalMethod
    /// The depth label.
    public var depth: String
    /// Held-out scores calibrated on.
    public var n: Int
    /// The conformal quantile of the scores; nil when n is too small for the level (infinite interval).
    public var q: Double?
    /// The floor added to s(x) (adaptive: `floorFraction` of the median spread; 0 for conformal).
    public var floor: Double

    /// The fraction of the median spread added to every s(x), so that cells where the CV models agree
    /// closely do not get a zero-width interval.
    public static let floorFraction = 0.1

    /// Calibrates on `samples` (one depth): scores |observed − predicted| (conformal) or
    /// |observed − predicted| / (s + floor) (adaptive, samples without a spread left out). q is nil
    /// when too few scores, or (adaptive) when no sample has a positive spread.
    public static func calibrate(
        _ samples: [IntervalSample], method: IntervalMethod, level: Double,
        model: String, depth: String
    ) -> IntervalCalibration {
        let (scores, floor) = self.scores(samples, method: method)
        let q = floor.isFinite ? ConformalQuantile.quantile(of: scores, level: level) : nil
        return IntervalCalibration(
            model: model, method: method, depth: depth, n: scores.count, q: q,
            floor: floor.isFinite ? floor : 0)
    }

    /// The scores of `samples` and the floor (NaN when the adaptive method has no positive spread).
    static func scores(_ samples: [IntervalSample], method: IntervalMethod) -> ([Double], Double) {
        let usable = samples.filter { $0.observed.isFinite && $0.predicted.isFinite }
        switch method {
        case .conformal:
            return (usable.map { abs($0.observed - $0.predicted) }, 0)
        case .adaptive:
            let spread = usable.filter { $0.spread.isFinite && $0.spread >= 0 }
            let floor = floorFraction * ConformalQuantile.median(spread.map(\.spread))
            guard floor > 0 else { return ([], .nan) }
            return (spread.map { abs($0.observed - $0.predicted) / ($0.spread + floor) }, floor)
        }
    }

    /// The half-width of the interval at a sample or cell with spread `spread` (ignored by conformal).
    public func halfWidth(spread: Double) -> Double? {
        guard let q else { return nil }
        return method == .conformal ? q : q * (spread + floor)
    }
}
