import Foundation

/// Accuracy of predictions against observations: Pearson R, R², RMSE, MAE and KGE (model.md).
///
/// - `r`: Pearson's correlation coefficient.
/// - `r2`: the coefficient of determination 1 - SSres/SStot (not R squared: it is negative
///   when the predictions are worse than the observed mean).
/// - `rmse`, `mae`: root mean squared and mean absolute error, in the unit of the values.
/// - `kge`: Kling-Gupta efficiency 1 - sqrt((R-1)² + (α-1)² + (β-1)²), α = sd_pred/sd_obs,
///   β = mean_pred/mean_obs.
///
/// Edge cases give NaN rather than a misleading number: with n = 0 every metric is NaN; with
/// n < 2 or zero variance of either series `r` and `kge` are NaN; zero variance of the
/// observations makes `r2` NaN; a zero observed mean makes `kge` NaN. NaN is written as
/// `NA` in CSV and `null` in JSON.
public struct Metrics: Sendable, Codable, Equatable {
    /// The number of (observed, predicted) pairs used.
    public var n: Int
    /// Pearson's correlation coefficient.
    public var r: Double
    /// 1 - SSres/SStot.
    public var r2: Double
    /// Root mean squared error.
    public var rmse: Double
    /// Mean absolute error.
    public var mae: Double
    /// Kling-Gupta efficiency.
    public var kge: Double

    /// Makes metrics from given values (use `compute` to compute them).
    public init(n: Int, r: Double, r2: Double, rmse: Double, mae: Double, kge: Double) {
        self.n = n
        self.r = r
        self.r2 = r2
        self.rmse = rmse
        self.mae = mae
        self.kge = kge
    }

    /// Metrics of no data: n = 0 and every metric NaN.
    public static let empty = Metrics(n: 0, r: .nan, r2: .nan, rmse: .nan, mae: .nan, kge: .nan)

    /// The five metric names in report order, with a reader's label and whether higher is better.
    public static let names: [(key: String, label: String, higherIsBetter: Bool)] = [
        ("r", "R", true), ("r2", "R²", true), ("rmse", "RMSE", false), ("mae", "MAE", false), ("kge", "KGE", true),
    ]

    /// The metric called `key` ("r", "r2", "rmse", "mae" or "kge").
    public func value(_ key: String) -> Double {
        switch key {
        case "r": return r
        case "r2": return r2
        case "rmse": return rmse
        case "mae": return mae
        case "kge": return kge
        default: preconditionFailure("Metrics.value: unknown metric '\(key)'; use r, r2, rmse, mae or kge")
        }
    }

    /// Computes the metrics of paired values (two passes, so large offsets lose no precision).
    ///
    /// The arrays must have the same length; pass only finite values (filter missing ones first).
    public static func compute(observed: [Double], predicted: [Double]) -> Metrics {
        precondition(observed.count == predicted.count,
                     "Metrics.compute: \(observed.count) observed but \(predicted.count) predicted values")
        let n = observed.count
        guard n > 0 else { return .empty }
        let count = Double(n)
        let meanObs = Statistics.mean(observed)
        let meanPred = Statistics.mean(predicted)
        var ssObs = 0.0, ssPred = 0.0, cross = 0.0, ssRes = 0.0, absRes = 0.0
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
                }
            }
        }
        let rmse = (ssRes / count).squareRoot()
        let mae = absRes / count
        let r2 = ssObs > 0 ? 1 - ssRes / ssObs : .nan
        let r = (n >= 2 && ssObs > 0 && ssPred > 0) ? cross / (ssObs * ssPred).squareRoot() : .nan
        var kge = Double.nan
        if r.isFinite, meanObs != 0 {
            let alpha = (ssPred / ssObs).squareRoot()      // the n or n-1 divisor cancels
            let beta = meanPred / meanObs
            kge = 1 - ((r - 1) * (r - 1) + (alpha - 1) * (alpha - 1) + (beta - 1) * (beta - 1)).squareRoot()
        }
        let clamped = r.isNaN ? r : min(max(r, -1), 1)     // rounding can step just past ±1
        return Metrics(n: n, r: clamped, r2: r2, rmse: rmse, mae: mae, kge: kge)
    }

    private enum CodingKeys: String, CodingKey { case n, r, r2, rmse, mae, kge }

    /// Decodes metrics; `null` reads as NaN.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func number(_ key: CodingKeys) throws -> Double { try c.decodeIfPresent(Double.self, forKey: key) ?? .nan }
        self.init(n: try c.decode(Int.self, forKey: .n), r: try number(.r), r2: try number(.r2),
                  rmse: try number(.rmse), mae: try number(.mae), kge: try number(.kge))
    }

    /// Encodes metrics; NaN and infinities are written as `null` so the JSON stays standard.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(n, forKey: .n)
        for (key, value) in [(CodingKeys.r, r), (.r2, r2), (.rmse, rmse), (.mae, mae), (.kge, kge)] {
            if value.isFinite { try c.encode(value, forKey: key) } else { try c.encodeNil(forKey: key) }
        }
    }

    /// Equal when every field is equal, NaN counting as equal to NaN (so decoded reports compare).
    public static func == (a: Metrics, b: Metrics) -> Bool {
        func same(_ x: Double, _ y: Double) -> Bool { x == y || (x.isNaN && y.isNaN) }
        return a.n == b.n && same(a.r, b.r) && same(a.r2, b.r2) && same(a.rmse, b.rmse)
            && same(a.mae, b.mae) && same(a.kge, b.kge)
    }
}
