import Compute

/// Fully connected layer y = x · Wᵀ + b (PyTorch's Linear).
///
/// Shapes: input [N, in] → output [N, out]; weight [out, in], bias [out].
public final class Linear: Layer {
    /// Input features.
    public let inFeatures: Int
    /// Output features.
    public let outFeatures: Int
    /// Weight [out, in].
    public let weight: Parameter
    /// Bias [out].
    public let bias: Parameter

    private var input: Tensor?

    /// A layer initialised like PyTorch's default: weight and bias uniform in ±1/√in.
    public convenience init(inFeatures: Int, outFeatures: Int, generator: inout SeededGenerator) {
        let weight = Initializer.kaimingUniform(
            shape: [outFeatures, inFeatures], fanIn: inFeatures, generator: &generator)
        let bias = Initializer.kaimingUniform(shape: [outFeatures], fanIn: inFeatures, generator: &generator)
        self.init(weight: weight, bias: bias)
    }

    /// A layer with the given weight [out, in] and bias [out].
    public init(weight: Tensor, bias: Tensor) {
        precondition(weight.rank == 2, "Linear: weight must be [out, in], got \(weight.shape)")
        precondition(bias.shape == [weight.shape[0]], "Linear: bias must be [\(weight.shape[0])], got \(bias.shape)")
        outFeatures = weight.shape[0]
        inFeatures = weight.shape[1]
        self.weight = Parameter(name: "weight", value: weight)
        self.bias = Parameter(name: "bias", value: bias)
    }

    /// Weight and bias.
    public var parameters: [Parameter] { [weight, bias] }

    /// weight and bias, by PyTorch name.
    public var state: [String: Tensor] { ["weight": weight.value, "bias": bias.value] }

    /// Replaces weight or bias (same shape).
    public func setState(_ name: String, _ value: Tensor) throws {
        switch name {
        case "weight": try assign(value, to: weight, layer: "Linear")
        case "bias": try assign(value, to: bias, layer: "Linear")
        default: throw NeuralNetError.unknownTensor(name: name, context: "Linear has weight and bias")
        }
    }

    /// A deep copy (weights and frozen flags).
    public func copy() -> any Layer {
        let c = Linear(weight: weight.value, bias: bias.value)
        c.weight.frozen = weight.frozen
        c.bias.frozen = bias.frozen
        return c
    }

    private func check(_ shape: [Int]) -> Int {
        precondition(
            shape.count == 2 && shape[1] == inFeatures,
            "Linear: input must be [N, \(inFeatures)], got \(shape)")
        return shape[0]
    }

    /// x · Wᵀ + b for x [N, in] → [N, out].
    public func infer(_ input: Tensor) -> Tensor {
        let n = check(input.shape)
        let (inF, outF) = (inFeatures, outFeatures)
        return Tensor(shape: [n, outF]) { out in
            let y = out.baseAddress!
            bias.value.withPointer { b in
                for i in 0..<n { (y + i * outF).update(from: b, count: outF) }
            }
            input.withPointer { x in
                weight.value.withPointer { w in
                    BLAS.sgemm(
                        transB: true, m: n, n: outF, k: inF, a: x, lda: inF, b: w, ldb: inF,
                        beta: 1, c: y, ldc: outF)
                }
            }
        }
    }

    /// As `infer`, keeping x for backward.
    public func forward(_ input: Tensor) -> Tensor {
        self.input = input
        return infer(input)
    }

    /// Adds dW = dYᵀx and db = Σ dY; returns dX = dY·W [N, in] when asked.
    public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
        guard let input else { preconditionFailure("Linear.backward called before forward") }
        let n = input.shape[0]
        let (inF, outF) = (inFeatures, outFeatures)
        precondition(
            outputGradient.shape == [n, outF],
            "Linear.backward: gradient shape \(outputGradient.shape), expected \([n, outF])")
        outputGradient.withPointer { dy in
            if !weight.frozen {
                input.withPointer { x in
                    weight.gradient.withMutablePointer { gw in
                        BLAS.sgemm(
                            transA: true, m: outF, n: inF, k: n, a: dy, lda: outF, b: x, ldb: inF,
                            beta: 1, c: gw, ldc: inF)
                    }
                }
            }
            if !bias.frozen {
                bias.gradient.withMutablePointer { gb in
                    for i in 0..<n { for j in 0..<outF { gb[j] += dy[i * outF + j] } }
                }
            }
        }
        guard needsInputGradient else { return nil }
        return Tensor(shape: [n, inF]) { dx in
            outputGradient.withPointer { dy in
                weight.value.withPointer { w in
                    BLAS.sgemm(
                        m: n, n: inF, k: outF, a: dy, lda: outF, b: w, ldb: inF, beta: 0,
                        c: dx.baseAddress!, ldc: inF)
                }
            }
        }
    }
}
