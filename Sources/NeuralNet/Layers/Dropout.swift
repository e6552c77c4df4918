/// Dropout with a seeded generator: in training each value is zeroed with
/// probability p and the others scaled by 1/(1 − p); identity at inference.
/// Any shape; the mask is drawn in row-major order from `generator`.
public final class Dropout: Layer {
    /// Probability of zeroing a value.
    public let probability: Float
    /// The generator of the masks; its state advances with every training forward.
    public var generator: SeededGenerator

    private var mask: [Float] = []
    private var inputShape: [Int] = []

    /// Dropout with probability `probability` in [0, 1] and a generator seeded with `seed`.
    public init(probability: Float, seed: UInt64) {
        precondition(probability >= 0 && probability <= 1, "Dropout: probability must be in [0, 1], got \(probability)")
        self.probability = probability
        generator = SeededGenerator(seed: seed)
    }

    public func copy() -> any Layer {
        let c = Dropout(probability: probability, seed: 0)
        c.generator = generator
        return c
    }

    public func infer(_ input: Tensor) -> Tensor { input }

    public func forward(_ input: Tensor) -> Tensor {
        inputShape = input.shape
        guard probability > 0 else { return input }
        mask.resize(to: input.count)
        let keep: Float = probability < 1 ? 1 / (1 - probability) : 0
        let p = probability
        var g = generator
        mask.withUnsafeMutableBufferPointer { m in
            for i in 0..<m.count { m[i] = g.nextUnitFloat() < p ? 0 : keep }
        }
        generator = g
        return Tensor(shape: input.shape) { out in
            input.withPointer { x in
                mask.withUnsafeBufferPointer { m in
                    for i in 0..<m.count { out[i] = x[i] * m[i] }
                }
            }
        }
    }

    public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
        precondition(outputGradient.shape == inputShape,
                     "Dropout.backward: gradient shape \(outputGradient.shape), expected \(inputShape)")
        guard needsInputGradient else { return nil }
        guard probability > 0 else { return outputGradient }
        return Tensor(shape: inputShape) { dx in
            outputGradient.withPointer { dy in
                mask.withUnsafeBufferPointer { m in
                    for i in 0..<m.count { dx[i] = dy[i] * m[i] }
                }
            }
        }
    }
}
