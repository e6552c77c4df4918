/// Flattens every sample: [N, d1, d2, ...] → [N, d1·d2·...] (no copy; PyTorch's flatten(1)).
public final class Flatten: Layer {
    private var inputShape: [Int] = []

    /// A flatten layer.
    public init() {}

    public func copy() -> any Layer { Flatten() }

    public func infer(_ input: Tensor) -> Tensor {
        precondition(input.rank >= 1, "Flatten: input needs a batch dimension, got \(input.shape)")
        return input.reshaped([input.shape[0], input.count / max(input.shape[0], 1)])
    }

    public func forward(_ input: Tensor) -> Tensor {
        inputShape = input.shape
        return infer(input)
    }

    public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
        precondition(!inputShape.isEmpty, "Flatten.backward called before forward")
        return needsInputGradient ? outputGradient.reshaped(inputShape) : nil
    }
}

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
        let n = input.shape[0], f = input.shape[1], e = extraFeatures
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
        let f = featureCount, e = extraFeatures
        precondition(outputGradient.rank == 2 && outputGradient.shape[1] == f + e,
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

/// Layers applied in order.
public final class Sequential: Layer {
    /// The layers, first applied first.
    public private(set) var layers: [any Layer]

    /// A sequence of layers.
    public init(_ layers: [any Layer]) { self.layers = layers }

    public var parameters: [Parameter] { layers.flatMap { $0.parameters } }

    /// Tensors of all layers, named "index.name" like PyTorch's Sequential.
    public var state: [String: Tensor] {
        var all: [String: Tensor] = [:]
        for (i, layer) in layers.enumerated() {
            for (name, t) in layer.state { all["\(i).\(name)"] = t }
        }
        return all
    }

    public func setState(_ name: String, _ value: Tensor) throws {
        guard let dot = name.firstIndex(of: "."), let i = Int(name[..<dot]), layers.indices.contains(i) else {
            throw NeuralNetError.unknownTensor(name: name, context: "Sequential of \(layers.count) layers")
        }
        try layers[i].setState(String(name[name.index(after: dot)...]), value)
    }

    public func copy() -> any Layer { Sequential(layers.map { $0.copy() }) }

    public func infer(_ input: Tensor) -> Tensor {
        layers.reduce(input) { $1.infer($0) }
    }

    public func forward(_ input: Tensor) -> Tensor {
        layers.reduce(input) { $1.forward($0) }
    }

    /// Back through the layers; stops below the lowest trainable layer when no input gradient is needed.
    public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
        let stop = needsInputGradient ? 0 : (layers.firstIndex { $0.isTrainable } ?? layers.count)
        var gradient = outputGradient
        var i = layers.count - 1
        while i >= stop {
            guard let next = layers[i].backward(gradient, needsInputGradient: i > stop || needsInputGradient) else {
                return nil
            }
            gradient = next
            i -= 1
        }
        return needsInputGradient ? gradient : nil
    }
}
