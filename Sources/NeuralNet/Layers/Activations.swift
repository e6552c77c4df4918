import Compute

/// Swish (SiLU): y = x · σ(x), elementwise on any shape.
public final class Swish: Layer {
    private var input: Tensor?
    private var sigmoid: [Float] = []

    /// A Swish activation.
    public init() {}

    /// A new Swish layer.
    public func copy() -> any Layer { Swish() }

    /// x · σ(x), elementwise.
    public func infer(_ input: Tensor) -> Tensor {
        Tensor(shape: input.shape) { out in
            input.withPointer { x in
                FastMath.swish(x, out.baseAddress!, sigmoid: nil, count: input.count)
            }
        }
    }

    /// As `infer`, keeping x and σ(x) for backward.
    public func forward(_ input: Tensor) -> Tensor {
        self.input = input
        sigmoid.resize(to: input.count)
        let count = input.count
        let parts = Parallel.shards(count, nanosecondsPerItem: 1.4)
        return Tensor(shape: input.shape) { out in
            input.withPointer { x in
                sigmoid.withUnsafeMutableBufferPointer { sb in
                    let sp = sb.baseAddress!
                    let op = out.baseAddress!
                    Parallel.forEach(parts.count) { p in
                        let r = parts[p]
                        FastMath.swish(x + r.lowerBound, op + r.lowerBound, sigmoid: sp + r.lowerBound, count: r.count)
                    }
                }
            }
        }
    }

    /// dy · σ(x)(1 + x(1 − σ(x))).
    public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
        guard let input else { preconditionFailure("Swish.backward called before forward") }
        precondition(
            outputGradient.shape == input.shape,
            "Swish.backward: gradient shape \(outputGradient.shape), expected \(input.shape)")
        guard needsInputGradient else { return nil }
        let parts = Parallel.shards(input.count, nanosecondsPerItem: 0.5)
        return Tensor(shape: input.shape) { dx in
            input.withPointer { x in
                outputGradient.withPointer { dy in
                    sigmoid.withUnsafeBufferPointer { sb in
                        let sp = sb.baseAddress!
                        let dp = dx.baseAddress!
                        Parallel.forEach(parts.count) { p in
                            for i in parts[p] {
                                let s = sp[i]
                                dp[i] = dy[i] * s * (1 + x[i] * (1 - s))
                            }
                        }
                    }
                }
            }
        }
    }
}

/// ReLU: y = max(x, 0), elementwise on any shape (gradient 0 at x = 0, as in PyTorch).
public final class ReLU: Layer {
    private var input: Tensor?

    /// A ReLU activation.
    public init() {}

    /// A new ReLU layer.
    public func copy() -> any Layer { ReLU() }

    /// max(x, 0), elementwise.
    public func infer(_ input: Tensor) -> Tensor {
        Tensor(shape: input.shape) { out in
            input.withPointer { x in
                for i in 0..<input.count { out[i] = x[i] > 0 ? x[i] : 0 }
            }
        }
    }

    /// As `infer`, keeping x for backward.
    public func forward(_ input: Tensor) -> Tensor {
        self.input = input
        return infer(input)
    }

    /// dy where x > 0, else 0.
    public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
        guard let input else { preconditionFailure("ReLU.backward called before forward") }
        precondition(
            outputGradient.shape == input.shape,
            "ReLU.backward: gradient shape \(outputGradient.shape), expected \(input.shape)")
        guard needsInputGradient else { return nil }
        return Tensor(shape: input.shape) { dx in
            input.withPointer { x in
                outputGradient.withPointer { dy in
                    for i in 0..<input.count { dx[i] = x[i] > 0 ? dy[i] : 0 }
                }
            }
        }
    }
}
