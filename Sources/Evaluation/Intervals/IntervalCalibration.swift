import Compute
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

/// The calibrated interval of one model, method and depth: prediction ± q (conformal),
/// prediction ± q · (s(x) + floor) (adaptive) or (prediction + c) · e^(± q) − c (log conformal), with q
/// the conformal quantile of the n held-out scores.
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
    /// The offset c of the log scale, log(value + c) (log conformal: `offsetFraction` of the median
    /// observation; nil for the other methods).
    public var offset: Double? = nil
    /// The median of the signed held-out scores, observed − predicted on the method's scale (nil: not
    /// calibrated, or written before it was): moves the prediction to the median of the predictive
    /// distribution, the maps' Q0.5 (`median(predicted:spread:)`).
    public var centre: Double? = nil
    /// The residual scale r(prediction) of the scaled conformal interval (nil for the other methods).
    public var scale: PiecewiseLinear? = nil

    /// The fraction of the median spread added to every s(x), so that cells where the CV models agree
    /// closely do not get a zero-width interval.
    public static let floorFraction = 0.1

    /// The fraction of the depth's median observation that offsets the log scale: values well above it
    /// get a band proportional to the value, values near zero one of the offset's size (log(0) is not
    /// defined). A twentieth (0.5 g/kg for a median of 10 g/kg) balanced the coverage of the fifths of
    /// the predicted value best on the sample's held-out predictions (a tenth and a fiftieth were tried).
    public static let offsetFraction = 0.05

    /// Calibrates on `samples` (one depth): scores |observed − predicted| (conformal) or
    /// |observed − predicted| / (s + floor) (adaptive, samples without a spread left out). q is nil
    /// when too few scores, or (adaptive) when no sample has a positive spread.
    public static func calibrate(
        _ samples: [IntervalSample], method: IntervalMethod, level: Double,
        model: String, depth: String
    ) -> IntervalCalibration {
        let scale = method == .scaledConformal ? ResidualScale.fit(samples) : nil
        let (signed, floor) = self.signedScores(samples, method: method, scale: scale)
        let q = floor.isFinite ? ConformalQuantile.quantile(of: signed.map(abs), level: level) : nil
        return IntervalCalibration(
            model: model, method: method, depth: depth, n: signed.count, q: q,
            floor: floor.isFinite && method == .adaptive ? floor : 0,
            offset: method == .logConformal && floor.isFinite ? floor : nil,
            centre: q == nil ? nil : ConformalQuantile.median(signed), scale: scale)
    }

    /// The signed scores of `samples`, observed − predicted on the method's scale (their absolute values
    /// are the conformal scores), and the floor (adaptive) or offset (log conformal); NaN when the
    /// adaptive method has no positive spread or the log conformal one no positive observation.
    static func signedScores(
        _ samples: [IntervalSample], method: IntervalMethod, scale: PiecewiseLinear? = nil
    ) -> ([Double], Double) {
        let usable = samples.filter { $0.observed.isFinite && $0.predicted.isFinite }
        switch method {
        case .scaledConformal:
            guard let scale else { return ([], .nan) }
            return (usable.map { ($0.observed - $0.predicted) / scale($0.predicted) }, 0)
        case .conformal:
            return (usable.map { $0.observed - $0.predicted }, 0)
        case .logConformal:
            let c = offsetFraction * ConformalQuantile.median(usable.map { max($0.observed, 0) })
            guard c > 0 else { return ([], .nan) }
            return (usable.map { log(max($0.observed, 0) + c) - log(max($0.predicted, 0) + c) }, c)
        case .adaptive:
            let spread = usable.filter { $0.spread.isFinite && $0.spread >= 0 }
            let floor = floorFraction * ConformalQuantile.median(spread.map(\.spread))
            guard floor > 0 else { return ([], .nan) }
            return (spread.map { ($0.observed - $0.predicted) / ($0.spread + floor) }, floor)
        }
    }

    /// The median of the predictive distribution at a sample or cell (the maps' Q0.5): the prediction
    /// moved by the median signed score on the method's scale; nil when not calibrated.
    public func median(predicted: Double, spread: Double) -> Double? {
        guard let m = centre else { return nil }
        switch method {
        case .scaledConformal: return scale.map { predicted + m * $0(predicted) }
        case .conformal: return predicted + m
        case .adaptive: return predicted + m * (spread + floor)
        case .logConformal:
            let c = offset ?? 0
            return (max(predicted, 0) + c) * exp(m) - c
        }
    }

    /// The half-width of a symmetric interval (conformal, adaptive) at a sample or cell with spread
    /// `spread` (ignored by conformal); nil when not calibrated or for the log conformal method.
    public func halfWidth(spread: Double) -> Double? {
        guard let q else { return nil }
        switch method {
        case .conformal: return q
        case .adaptive: return q * (spread + floor)
        case .logConformal, .scaledConformal: return nil
        }
    }

    /// The interval around `predicted` at a sample or cell with spread `spread` (used by adaptive only);
    /// nil when not calibrated. A log conformal interval is that of a prediction of at least 0.
    public func bounds(predicted: Double, spread: Double) -> (lower: Double, upper: Double)? {
        guard let q else { return nil }
        switch method {
        case .conformal: return (predicted - q, predicted + q)
        case .adaptive: return (predicted - q * (spread + floor), predicted + q * (spread + floor))
        case .scaledConformal:
            guard let r = scale?(predicted) else { return nil }
            return (predicted - q * r, predicted + q * r)
        case .logConformal:
            let c = offset ?? 0
            let base = max(predicted, 0) + c
            return (base * exp(-q) - c, base * exp(q) - c)
        }
    }
}

/// The residual scale of the scaled conformal interval: the calibration samples sorted by their
/// prediction and cut into `groups` groups of equal count, each group's mean absolute residual at its
/// mean prediction, linear between groups and constant beyond the ends, never below `floorFraction` of
/// the groups' median (no zero-width band). Fitted on the samples it calibrates on, so inside the
/// cross-validation it never sees the fold it is tried on.
public enum ResidualScale {
    /// Groups of equal count (fewer when there are fewer than `groups` × `minimumGroup` samples).
    public static let groups = 10
    /// The smallest group.
    public static let minimumGroup = 10
    /// The floor, a fraction of the groups' median mean absolute residual.
    public static let floorFraction = 0.1

    /// The scale of `samples`; nil when none is usable or every residual is 0.
    public static func fit(_ samples: [IntervalSample]) -> PiecewiseLinear? {
        let usable = samples.filter { $0.observed.isFinite && $0.predicted.isFinite }
            .sorted {
                ($0.predicted, abs($0.observed - $0.predicted)) < ($1.predicted, abs($1.observed - $1.predicted))
            }
        guard !usable.isEmpty else { return nil }
        var x: [Double] = []
        var y: [Double] = []
        for range in PiecewiseLinear.equalGroups(count: usable.count, groups: groups, minimumSize: minimumGroup) {
            let group = usable[range]
            x.append(group.map(\.predicted).reduce(0, +) / Double(range.count))
            y.append(group.map { abs($0.observed - $0.predicted) }.reduce(0, +) / Double(range.count))
        }
        let floor = floorFraction * ConformalQuantile.median(y)
        guard floor > 0 else { return nil }
        return PiecewiseLinear(x: x, y: y.map { max($0, floor) })
    }
}
