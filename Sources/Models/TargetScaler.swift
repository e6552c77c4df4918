import Foundation

/// Target scaling: optional log1p, then z-score with the training data's mean and standard deviation.
public struct TargetScaler: Sendable, Codable, Equatable {
    /// Whether log1p is applied first.
    public var log1p: Bool
    /// Mean of the (transformed) training targets.
    public var mean: Double
    /// Standard deviation of the (transformed) training targets (1 when constant).
    public var sd: Double

    /// Fits the scaler to training values.
    public init(fitting values: [Float], log1p: Bool) {
        self.log1p = log1p
        let t = values.map { log1p ? Foundation.log1p(Double(max($0, 0))) : Double($0) }
        let n = Double(max(t.count, 1))
        let m = t.reduce(0, +) / n
        mean = m
        let variance = t.map { ($0 - m) * ($0 - m) }.reduce(0, +) / n
        sd = variance > 1e-12 ? variance.squareRoot() : 1
    }

    /// The scaled target of a value.
    public func scale(_ v: Float) -> Float {
        let t = log1p ? Foundation.log1p(Double(max(v, 0))) : Double(v)
        return Float((t - mean) / sd)
    }

    /// The value of a scaled prediction.
    public func unscale(_ z: Float) -> Float {
        let t = Double(z) * sd + mean
        return Float(log1p ? expm1(t) : t)
    }
}
