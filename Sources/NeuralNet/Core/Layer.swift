/// A layer: a pure inference pass and a training forward/backward pair.
///
/// `infer` never changes the layer and runs on the calling thread only, so several
/// threads may infer with one layer at once. `forward` is the training pass: it
/// caches what `backward` needs and may update state (BatchNorm running statistics,
/// the Dropout generator). `backward` adds parameter gradients (zeroing is explicit)
/// and returns the gradient of the input when asked for it.
public protocol Layer: AnyObject {
    /// Inference output for `input` (no state change, single-threaded).
    func infer(_ input: Tensor) -> Tensor
    /// Training output for `input`; caches what `backward` needs.
    func forward(_ input: Tensor) -> Tensor
    /// Gradient pass for the last `forward`: accumulates parameter gradients;
    /// returns the input gradient when `needsInputGradient`, else nil.
    func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor?
    /// Trainable parameters, in a fixed order.
    var parameters: [Parameter] { get }
    /// Named tensors to save: parameters and buffers (PyTorch's names: weight, bias, running_mean, running_var).
    var state: [String: Tensor] { get }
    /// Replaces the tensor called `name` in `state`; throws when the name or shape does not fit.
    func setState(_ name: String, _ value: Tensor) throws
    /// A deep copy: parameters, buffers and generator state, no caches.
    func copy() -> any Layer
    /// Brings derived copies of the weights up to date before `infer` is called from several
    /// threads (`infer` stays correct without it, only slower).
    func prepareForInference()
}

extension Layer {
    /// Inference, as a function call.
    public func callAsFunction(_ input: Tensor) -> Tensor { infer(input) }

    /// Gradient pass that always returns the input gradient.
    public func backward(_ outputGradient: Tensor) -> Tensor {
        backward(outputGradient, needsInputGradient: true)!
    }

    /// True when at least one parameter is not frozen.
    public var isTrainable: Bool { parameters.contains { !$0.frozen } }

    /// Sets the frozen flag of every parameter.
    public func setFrozen(_ frozen: Bool) { for p in parameters { p.frozen = frozen } }

    /// Zeroes every parameter gradient.
    public func zeroGradients() { for p in parameters { p.zeroGradient() } }

    /// Default: nothing to prepare.
    public func prepareForInference() {}

    /// Default: a layer without parameters or buffers.
    public var parameters: [Parameter] { [] }
    /// Default: a layer without parameters or buffers.
    public var state: [String: Tensor] { [:] }
    /// Default: a layer without state rejects every name.
    public func setState(_ name: String, _ value: Tensor) throws {
        throw NeuralNetError.unknownTensor(name: name, context: "\(Self.self) has no tensors")
    }
}

/// Shared by layers with parameters: assigns a tensor to a parameter after checking its shape.
func assign(_ value: Tensor, to parameter: Parameter, layer: String) throws {
    guard value.shape == parameter.value.shape else {
        throw NeuralNetError.shapeMismatch(
            name: parameter.name, expected: parameter.value.shape,
            found: value.shape, context: layer)
    }
    parameter.value = value
}
