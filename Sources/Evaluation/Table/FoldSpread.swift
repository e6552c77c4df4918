import Foundation

/// The fold-to-fold spread of a model's metrics: the sample standard deviation, across folds,
/// of each metric computed on one fold's held-out samples.
///
/// Folds where a metric is NaN (e.g. R of a fold with one sample) are left out of that metric's
/// spread; with fewer than two usable folds the spread is NaN. Every metric of
/// `Metrics.definitions` has its spread (a new metric gets one without changes here).
public struct FoldSpread: Sendable, Codable, Equatable {
    /// The number of folds that held at least one sample.
    public var folds: Int
    /// The standard deviation of each metric across folds (its `n` unused).
    public var sd: Metrics

    /// Standard deviation of R across folds.
    public var r: Double { sd.r }
    /// Standard deviation of R² across folds.
    public var r2: Double { sd.r2 }
    /// Standard deviation of RMSE across folds.
    public var rmse: Double { sd.rmse }
    /// Standard deviation of MAE across folds.
    public var mae: Double { sd.mae }
    /// Standard deviation of KGE across folds.
    public var kge: Double { sd.kge }

    /// Makes a spread from the standard deviation of each metric.
    public init(folds: Int, sd: Metrics) {
        self.folds = folds
        self.sd = sd
        self.sd.n = 0
    }

    /// Makes a spread from given values (metrics not named are NaN).
    public init(
        folds: Int, r: Double, r2: Double, rmse: Double, rrmse: Double = .nan, mae: Double, me: Double = .nan,
        kge: Double
    ) {
        self.init(folds: folds, sd: Metrics(n: 0, r: r, r2: r2, rmse: rmse, rrmse: rrmse, mae: mae, me: me, kge: kge))
    }

    /// No spread known: zero folds and every value NaN.
    public static let unknown = FoldSpread(folds: 0, sd: .empty)

    /// The spread of per-fold metrics (folds with n = 0 are ignored).
    public init(perFold: [Metrics]) {
        let used = perFold.filter { $0.n > 0 }
        var sd = Metrics.empty
        for d in Metrics.definitions {
            sd[keyPath: d.value] = Statistics.sampleSD(used.map { $0[keyPath: d.value] }.filter { $0.isFinite })
        }
        self.init(folds: used.count, sd: sd)
    }

    /// The spread of the metric called `key` (a `Metrics.definitions` key).
    public func value(_ key: String) -> Double { sd.value(key) }

    /// Decodes a spread; `null` or a missing metric reads as NaN.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: MetricCodingKey.self)
        var sd = Metrics.empty
        try MetricDefinition.decodeValues(into: &sd, from: c)
        self.init(folds: try c.decode(Int.self, forKey: MetricCodingKey("folds")), sd: sd)
    }

    /// Encodes a spread: `folds`, then each metric's SD under its key; NaN is written as `null`.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: MetricCodingKey.self)
        try c.encode(folds, forKey: MetricCodingKey("folds"))
        try MetricDefinition.encodeValues(of: sd, to: &c)
    }

    /// Equal when every field is equal, NaN counting as equal to NaN.
    public static func == (a: FoldSpread, b: FoldSpread) -> Bool {
        a.folds == b.folds && MetricDefinition.sameValues(a.sd, b.sd)
    }
}
