import Compute

/// Dropout with a seeded generator: in training each value is zeroed with
/// probability p and the others scaled by 1/(1 − p); identity at inference.
///
/// Any shape [N, ...]. Each training forward draws one 64-bit seed from `generator`;
/// sample n's mask comes from a generator seeded with that seed and n (32 random bits
/// a value), so masks do not depend on how the batch is split over threads.
public final class Dropout: Layer {
    /// Probability of zeroing a value.
    public let probability: Float
    /// The generator of the per-forward seeds; its state advances with every training forward.
    public var generator: SeededGenerator

    private var mask: [Float] = []
    private var inputShape: [Int] = []

    /// Dropout with probability `probability` in [0, 1] and a generator seeded with `seed`.
    public init(probability: Float, seed: UInt64) {
        precondition(probability >= 0 && probability <= 1, "Dropout: probability must be in [0, 1], got \(probability)")
        self.probability = probability
        generator = SeededGenerator(seed: seed)
    }

    /// A copy whose generator continues from this one's state.
    public func copy() -> any Layer {
        let c = Dropout(probability: probability, seed: 0)
        c.generator = generator
        return c
    }

    /// The identity.
    public func infer(_ input: Tensor) -> Tensor { input }

    /// Zeroes values with probability p and scales the rest by 1/(1 − p).
    public func forward(_ input: Tensor) -> Tensor {
        precondition(input.rank >= 1, "Dropout: input needs a batch dimension, got \(input.shape)")
        inputShape = input.shape
        guard probability > 0 else { return input }
        let n = input.shape[0]
        let per = input.count / max(n, 1)
        mask.resize(to: input.count)
        let keep: Float = probability < 1 ? 1 / (1 - probability) : 0
        // Dropped when a 32-bit uniform integer falls below p·2³²: two decisions per 64 random bits.
        let threshold = UInt64((Double(probability) * 4_294_967_296).rounded())
        let seed = generator.next()
        let shards = Parallel.shards(n, nanosecondsPerItem: 2 * Double(per))
        return Tensor(shape: input.shape) { out in
            input.withPointer { x in
                mask.withUnsafeMutableBufferPointer { mb in
                    let (m, o) = (mb.baseAddress!, out.baseAddress!)
                    Parallel.forEach(shards.count) { s in
                        for sample in shards[s] {
                            var g = SeededGenerator(seed: seed ^ (UInt64(sample) &* 0x9E37_79B9_7F4A_7C15))
                            let base = sample * per
                            var i = 0
                            while i < per {
                                let bits = g.next()
                                let a: Float = (bits & 0xFFFF_FFFF) < threshold ? 0 : keep
                                m[base + i] = a
                                o[base + i] = x[base + i] * a
                                if i + 1 < per {
                                    let b: Float = (bits >> 32) < threshold ? 0 : keep
                                    m[base + i + 1] = b
                                    o[base + i + 1] = x[base + i + 1] * b
                                }
                                i += 2
                            }
                        }
                    }
                }
            }
        }
    }

    /// dy times the last mask.
    public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
        precondition(
            outputGradient.shape == inputShape,
            "Dropout.backward: gradient shape \(outputGradient.shape), expected \(inputShape)")
        guard needsInputGradient else { return nil }
        guard probability > 0 else { return outputGradient }
        let parts = Parallel.shards(mask.count, nanosecondsPerItem: 0.4)
        return Tensor(shape: inputShape) { dx in
            outputGradient.withPointer { dy in
                mask.withUnsafeBufferPointer { mb in
                    let (m, d) = (mb.baseAddress!, dx.baseAddress!)
                    Parallel.forEach(parts.count) { p in
                        for i in parts[p] { d[i] = dy[i] * m[i] }
                    }
                }
            }
        }
    }
}
