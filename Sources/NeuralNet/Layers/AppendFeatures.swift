/// Appends an extra feature vector to every sample (the depth one-hot after the
/// flattened convolutional features): [N, F] and [N, E] → [N, F + E].
/// The extra vector is an input, not a parameter: backward returns the gradient of the first part only.
public final class AppendFeatures {
    /// Width of the extra vector (E).
    public let extraFeatures: Int
    private var featureCount = 0

    /// Appends `extraFeatures` values per sample.
    public init(extraFeatures: Int) {
        precondition(extraFeatures >= 0, "AppendFeatures: extra width must be non-negative, got \(extraFeatures)")
        self.extraFeatures = extraFeatures
    }

    /// [N, F] ++ [N, E] → [N, F + E].
    public func infer(_ input: Tensor, extra: Tensor) -> Tensor {
        precondition(input.rank == 2, "AppendFeatures: input must be [N, F], got \(input.shape)")
        let n = input.shape[0]
        let f = input.shape[1]
        let e = extraFeatures
        precondition(extra.shape == [n, e], "AppendFeatures: extra must be [\(n), \(e)], got \(extra.shape)")
        return Tensor(shape: [n, f + e]) { out in
            input.withPointer { x in
                extra.withPointer { z in
                    for i in 0..<n {
                        (out.baseAddress! + i * (f + e)).update(from: x + i * f, count: f)
                        (out.baseAddress! + i * (f + e) + f).update(from: z + i * e, count: e)
                    }
                }
            }
        }
    }

    /// Training forward (remembers F for backward).
    public func forward(_ input: Tensor, extra: Tensor) -> Tensor {
        featureCount = input.shape.count == 2 ? input.shape[1] : 0
        return infer(input, extra: extra)
    }

    /// [N, F + E] → the gradient of the [N, F] part.
    public func backward(_ outputGradient: Tensor) -> Tensor {
        let f = featureCount
        let e = extraFeatures
        precondition(
            outputGradient.rank == 2 && outputGradient.shape[1] == f + e,
            "AppendFeatures.backward: gradient must be [N, \(f + e)], got \(outputGradient.shape)")
        let n = outputGradient.shape[0]
        return Tensor(shape: [n, f]) { dx in
            outputGradient.withPointer { dy in
                for i in 0..<n { (dx.baseAddress! + i * f).update(from: dy + i * (f + e), count: f) }
            }
        }
    }

    /// A copy.
    public func copy() -> AppendFeatures { AppendFeatures(extraFeatures: extraFeatures) }
}
