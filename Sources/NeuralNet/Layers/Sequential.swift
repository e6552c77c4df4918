/// Layers applied in order.
public final class Sequential: Layer {
    /// The layers, first applied first.
    public private(set) var layers: [any Layer]

    /// A sequence of layers.
    public init(_ layers: [any Layer]) { self.layers = layers }

    /// Every layer's parameters, in order.
    public var parameters: [Parameter] { layers.flatMap { $0.parameters } }

    /// Tensors of all layers, named "index.name" like PyTorch's Sequential.
    public var state: [String: Tensor] {
        var all: [String: Tensor] = [:]
        for (i, layer) in layers.enumerated() {
            for (name, t) in layer.state { all["\(i).\(name)"] = t }
        }
        return all
    }

    /// Replaces tensor "index.name" of layer `index`.
    public func setState(_ name: String, _ value: Tensor) throws {
        guard let dot = name.firstIndex(of: "."), let i = Int(name[..<dot]), layers.indices.contains(i) else {
            throw NeuralNetError.unknownTensor(name: name, context: "Sequential of \(layers.count) layers")
        }
        try layers[i].setState(String(name[name.index(after: dot)...]), value)
    }

    /// A deep copy of every layer.
    public func copy() -> any Layer { Sequential(layers.map { $0.copy() }) }

    /// Prepares every layer.
    public func prepareForInference() { for layer in layers { layer.prepareForInference() } }

    /// Every layer's inference in order.
    public func infer(_ input: Tensor) -> Tensor {
        layers.reduce(input) { $1.infer($0) }
    }

    /// Every layer's training forward in order.
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
