/// Flattens every sample: [N, d1, d2, ...] → [N, d1·d2·...] (no copy; PyTorch's flatten(1)).
public final class Flatten: Layer {
    private var inputShape: [Int] = []

    /// A flatten layer.
    public init() {}

    /// A new flatten layer.
    public func copy() -> any Layer { Flatten() }

    /// [N, ...] → [N, product of the rest].
    public func infer(_ input: Tensor) -> Tensor {
        precondition(input.rank >= 1, "Flatten: input needs a batch dimension, got \(input.shape)")
        return input.reshaped([input.shape[0], input.count / max(input.shape[0], 1)])
    }

    /// As `infer`, keeping the shape for backward.
    public func forward(_ input: Tensor) -> Tensor {
        inputShape = input.shape
        return infer(input)
    }

    /// The gradient reshaped back to the input shape.
    public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
        precondition(!inputShape.isEmpty, "Flatten.backward called before forward")
        return needsInputGradient ? outputGradient.reshaped(inputShape) : nil
    }
}
