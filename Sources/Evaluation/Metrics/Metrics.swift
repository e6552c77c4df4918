import Foundation

/// Accuracy of predictions against observations: Pearson R, R², RMSE, relative RMSE, MAE, mean
/// error and KGE (model.md).
///
/// - `r`: Pearson's correlation coefficient.
/// - `r2`: the coefficient of determination 1 - SSres/SStot (not R squared: it is negative
///   when the predictions are worse than the observed mean).
/// - `rmse`, `mae`: root mean squared and mean absolute error, in the unit of the values.
/// - `rrmse`: RMSE relative to the mean observed value, in percent (100 · RMSE / mean observed).
/// - `me`: mean error (bias), the mean of predicted - observed, in the unit of the values
///   (positive: the model over-predicts).
/// - `kge`: Kling-Gupta efficiency 1 - sqrt((R-1)² + (α-1)² + (β-1)²), α = sd_pred/sd_obs,
///   β = mean_pred/mean_obs.
///
/// Edge cases give NaN rather than a misleading number: with n = 0 every metric is NaN; with
/// n < 2 or zero variance of either series `r` and `kge` are NaN; zero variance of the
/// observations makes `r2` NaN; a zero observed mean makes `kge` and `rrmse` NaN. NaN is written
/// as `NA` in CSV and `null` in JSON.
///
/// Every report (metrics.csv/json, summary.md, report.md/json, the terminal) lists the metrics of
/// `Metrics.definitions`, in its order: to add a metric, add a stored property, compute it in
/// `compute`, and add one `MetricDefinition` (key, label, which value is best, scale, meaning).
public struct Metrics: Sendable, Codable, Equatable {
    /// The number of (observed, predicted) pairs used.
    public var n: Int
    /// Pearson's correlation coefficient.
    public var r: Double
    /// 1 - SSres/SStot.
    public var r2: Double
    /// Root mean squared error.
    public var rmse: Double
    /// RMSE relative to the mean observed value, in percent.
    public var rrmse: Double
    /// Mean absolute error.
    public var mae: Double
    /// Mean error (bias): mean of predicted - observed.
    public var me: Double
    /// Kling-Gupta efficiency.
    public var kge: Double

    /// Makes metrics from given values (use `compute` to compute them).
    public init(
        n: Int, r: Double, r2: Double, rmse: Double, rrmse: Double = .nan, mae: Double, me: Double = .nan,
        kge: Double
    ) {
        self.n = n
        self.r = r
        self.r2 = r2
        self.rmse = rmse
        self.rrmse = rrmse
        self.mae = mae
        self.me = me
        self.kge = kge
    }

    /// Metrics of no data: n = 0 and every metric NaN.
    public static let empty = Metrics(n: 0, r: .nan, r2: .nan, rmse: .nan, rrmse: .nan, mae: .nan, me: .nan, kge: .nan)

    /// The metrics in report order (the column order of metrics.csv and of every table).
    public static let definitions: [MetricDefinition] = [
        MetricDefinition(
            key: "r", label: "R", best: .highest, scale: .unitless, value: \.r,
            meaning: "Pearson's correlation of predicted and observed values"),
        MetricDefinition(
            key: "r2", label: "R²", best: .highest, scale: .unitless, value: \.r2,
            meaning: "coefficient of determination 1 - SSres/SStot (negative when worse than the observed mean)"),
        MetricDefinition(
            key: "rmse", label: "RMSE", best: .lowest, scale: .valueUnit, value: \.rmse,
            meaning: "root mean squared error, in the property's unit"),
        MetricDefinition(
            key: "rrmse", label: "rRMSE %", best: .lowest, scale: .percent, value: \.rrmse,
            meaning: "RMSE relative to the mean observed value of the same samples, in percent"),
        MetricDefinition(
            key: "mae", label: "MAE", best: .lowest, scale: .valueUnit, value: \.mae,
            meaning: "mean absolute error, in the property's unit"),
        MetricDefinition(
            key: "me", label: "ME", best: .closestToZero, scale: .valueUnit, value: \.me,
            meaning: "mean error (bias): mean of predicted - observed, in the property's unit; positive over-predicts"),
        MetricDefinition(
            key: "kge", label: "KGE", best: .highest, scale: .unitless, value: \.kge,
            meaning: "Kling-Gupta efficiency (1 is perfect)")
    ]

    /// The definition of the metric called `key`, if any.
    public static func definition(_ key: String) -> MetricDefinition? {
        definitions.first { $0.key == key }
    }

    /// The metric called `key` (a `definitions` key: "r", "r2", "rmse", "rrmse", "mae", "me" or "kge").
    public func value(_ key: String) -> Double {
        guard let d = Self.definition(key) else {
            preconditionFailure("Metrics.value: unknown metric '\(key)'; use one of \(Self.definitions.map(\.key))")
        }
        return self[keyPath: d.value]
    }

    /// Computes the metrics of paired values (two passes, so large offsets lose no precision).
    ///
    /// The arrays must have the same length; pass only finite values (filter missing ones first).
    public static func compute(observed: [Double], predicted: [Double]) -> Metrics {
        precondition(
            observed.count == predicted.count,
            "Metrics.compute: \(observed.count) observed but \(predicted.count) predicted values")
        let n = observed.count
        guard n > 0 else { return .empty }
        let count = Double(n)
        let meanObs = Statistics.mean(observed)
        let meanPred = Statistics.mean(predicted)
        var ssObs = 0.0
        var ssPred = 0.0
        var cross = 0.0
        var ssRes = 0.0
        var absRes = 0.0
        var sumRes = 0.0
        observed.withUnsafeBufferPointer { o in
            predicted.withUnsafeBufferPointer { p in
                for i in 0..<n {
                    let dObs = o[i] - meanObs
                    let dPred = p[i] - meanPred
                    ssObs += dObs * dObs
                    ssPred += dPred * dPred
                    cross += dObs * dPred
                    let res = p[i] - o[i]
                    ssRes += res * res
                    absRes += abs(res)
                    sumRes += res
                }
            }
        }
        let rmse = (ssRes / count).squareRoot()
        let mae = absRes / count
        let me = sumRes / count
        let rrmse = meanObs != 0 ? 100 * rmse / abs(meanObs) : .nan
        let r2 = ssObs > 0 ? 1 - ssRes / ssObs : .nan
        let r = (n >= 2 && ssObs > 0 && ssPred > 0) ? cross / (ssObs * ssPred).squareRoot() : .nan
        var kge = Double.nan
        if r.isFinite, meanObs != 0 {
            let alpha = (ssPred / ssObs).squareRoot()  // the n or n-1 divisor cancels
            let beta = meanPred / meanObs
            kge = 1 - ((r - 1) * (r - 1) + (alpha - 1) * (alpha - 1) + (beta - 1) * (beta - 1)).squareRoot()
        }
        let clamped = r.isNaN ? r : min(max(r, -1), 1)  // rounding can step just past ±1
        return Metrics(n: n, r: clamped, r2: r2, rmse: rmse, rrmse: rrmse, mae: mae, me: me, kge: kge)
    }

    /// Decodes metrics; `null` or a missing metric (a metrics.json of an older version) reads as NaN.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: MetricCodingKey.self)
        self = .empty
        n = try c.decode(Int.self, forKey: MetricCodingKey("n"))
        try MetricDefinition.decodeValues(into: &self, from: c)
    }

    /// Encodes metrics; NaN and infinities are written as `null` so the JSON stays standard.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: MetricCodingKey.self)
        try c.encode(n, forKey: MetricCodingKey("n"))
        try MetricDefinition.encodeValues(of: self, to: &c)
    }

    /// Equal when n and every metric are equal, NaN counting as equal to NaN (so decoded reports compare).
    public static func == (a: Metrics, b: Metrics) -> Bool {
        a.n == b.n && MetricDefinition.sameValues(a, b)
    }
}

/// One metric of `Metrics.definitions`: its key (CSV column, JSON key), label, which value is
/// best, how it is scaled (decimals in tables) and what it means (for the column documentation).
public struct MetricDefinition: Sendable {
    /// Which value of a metric is best (bold in summary.md).
    public enum Best: Sendable, Equatable {
        case highest, lowest, closestToZero
    }

    /// How a metric is scaled, which sets its decimals in tables.
    public enum Scale: Sendable, Equatable {
        /// A pure number such as R or KGE (three decimals).
        case unitless
        /// In the property's unit, such as RMSE (about three significant digits of the typical RMSE).
        case valueUnit
        /// A percentage (one decimal).
        case percent
    }

    /// Column name in metrics.csv and key in metrics.json / report.json, e.g. "rmse".
    public let key: String
    /// The reader's label in Markdown and terminal tables, e.g. "RMSE".
    public let label: String
    /// Which value is best.
    public let best: Best
    /// How the metric is scaled.
    public let scale: Scale
    /// Where the value is kept in `Metrics`.
    public let value: WritableKeyPath<Metrics, Double> & Sendable
    /// What the metric means, in a few words.
    public let meaning: String

    /// Makes a definition.
    public init(
        key: String, label: String, best: Best, scale: Scale, value: WritableKeyPath<Metrics, Double> & Sendable,
        meaning: String
    ) {
        self.key = key
        self.label = label
        self.best = best
        self.scale = scale
        self.value = value
        self.meaning = meaning
    }

    /// The best of `values` (finite ones only) by this metric's `best`, or nil when none is finite.
    public func bestValue(_ values: [Double]) -> Double? {
        let finite = values.filter(\.isFinite)
        switch best {
        case .highest: return finite.max()
        case .lowest: return finite.min()
        case .closestToZero: return finite.min { abs($0) < abs($1) }.map(abs)
        }
    }

    /// Whether `value` equals the best value `best` (for `closestToZero`, its absolute value does).
    public func isBest(_ value: Double, _ bestValue: Double?) -> Bool {
        guard value.isFinite, let bestValue else { return false }
        return (best == .closestToZero ? abs(value) : value) == bestValue
    }

    /// Writes every defined metric of `m` under its key; NaN as null.
    static func encodeValues(of m: Metrics, to c: inout KeyedEncodingContainer<MetricCodingKey>) throws {
        for d in Metrics.definitions {
            try c.encodeNullIfNaN(m[keyPath: d.value], forKey: MetricCodingKey(d.key))
        }
    }

    /// Reads every defined metric into `m`; null or missing reads as NaN.
    static func decodeValues(into m: inout Metrics, from c: KeyedDecodingContainer<MetricCodingKey>) throws {
        for d in Metrics.definitions {
            m[keyPath: d.value] = try c.decodeNaNIfNull(forKey: MetricCodingKey(d.key))
        }
    }

    /// Whether every defined metric of `a` and `b` is equal, NaN equal to NaN.
    static func sameValues(_ a: Metrics, _ b: Metrics) -> Bool {
        Metrics.definitions.allSatisfy { d in
            let x = a[keyPath: d.value]
            let y = b[keyPath: d.value]
            return x == y || (x.isNaN && y.isNaN)
        }
    }
}

/// A JSON key of a metric (any `MetricDefinition.key`, "n" or "folds").
struct MetricCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ key: String) { stringValue = key }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
