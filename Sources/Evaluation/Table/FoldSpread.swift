import Foundation

/// The fold-to-fold spread of a model's metrics: the sample standard deviation, across folds,
/// of each metric computed on one fold's held-out samples.
///
/// Folds where a metric is NaN (e.g. R of a fold with one sample) are left out of that metric's
/// spread; with fewer than two usable folds the spread is NaN.
public struct FoldSpread: Sendable, Codable, Equatable {
    /// The number of folds that held at least one sample.
    public var folds: Int
    /// Standard deviation of R across folds.
    public var r: Double
    /// Standard deviation of R² across folds.
    public var r2: Double
    /// Standard deviation of RMSE across folds.
    public var rmse: Double
    /// Standard deviation of MAE across folds.
    public var mae: Double
    /// Standard deviation of KGE across folds.
    public var kge: Double

    /// Makes a spread from given values.
    public init(folds: Int, r: Double, r2: Double, rmse: Double, mae: Double, kge: Double) {
        self.folds = folds
        self.r = r
        self.r2 = r2
        self.rmse = rmse
        self.mae = mae
        self.kge = kge
    }

    /// No spread known: zero folds and every value NaN.
    public static let unknown = FoldSpread(folds: 0, r: .nan, r2: .nan, rmse: .nan, mae: .nan, kge: .nan)

    /// The spread of per-fold metrics (folds with n = 0 are ignored).
    public init(perFold: [Metrics]) {
        let used = perFold.filter { $0.n > 0 }
        func sd(_ key: String) -> Double { Statistics.sampleSD(used.map { $0.value(key) }.filter { $0.isFinite }) }
        self.init(folds: used.count, r: sd("r"), r2: sd("r2"), rmse: sd("rmse"), mae: sd("mae"), kge: sd("kge"))
    }

    /// The spread of the metric called `key` ("r", "r2", "rmse", "mae" or "kge").
    public func value(_ key: String) -> Double {
        Metrics(n: folds, r: r, r2: r2, rmse: rmse, mae: mae, kge: kge).value(key)
    }

    private enum CodingKeys: String, CodingKey { case folds, r, r2, rmse, mae, kge }

    /// Decodes a spread; `null` reads as NaN.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func number(_ key: CodingKeys) throws -> Double { try c.decodeIfPresent(Double.self, forKey: key) ?? .nan }
        self.init(folds: try c.decode(Int.self, forKey: .folds), r: try number(.r), r2: try number(.r2),
                  rmse: try number(.rmse), mae: try number(.mae), kge: try number(.kge))
    }

    /// Encodes a spread; NaN is written as `null`.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(folds, forKey: .folds)
        for (key, value) in [(CodingKeys.r, r), (.r2, r2), (.rmse, rmse), (.mae, mae), (.kge, kge)] {
            if value.isFinite { try c.encode(value, forKey: key) } else { try c.encodeNil(forKey: key) }
        }
    }

    /// Equal when every field is equal, NaN counting as equal to NaN.
    public static func == (a: FoldSpread, b: FoldSpread) -> Bool {
        func same(_ x: Double, _ y: Double) -> Bool { x == y || (x.isNaN && y.isNaN) }
        return a.folds == b.folds && same(a.r, b.r) && same(a.r2, b.r2) && same(a.rmse, b.rmse)
            && same(a.mae, b.mae) && same(a.kge, b.kge)
    }
}
