/// A trainable tensor with its gradient and a frozen flag: the engine keeps every
/// parameter in one list of these, so one optimizer serves all layers and freezing
/// a layer is setting a flag.
public final class Parameter {
    /// Name within its layer ("weight", "bias"); the network prefixes the layer's name.
    public let name: String
    /// Current value.
    public var value: Tensor { didSet { version &+= 1 } }
    /// Changes with every change of `value` (layers use it to keep derived copies of their weights).
    public private(set) var version = 0
    /// Accumulated gradient (same shape as `value`); backward adds to it, `zeroGradient()` clears it.
    public var gradient: Tensor
    /// A frozen parameter gets no gradient and is not changed by the optimizer.
    public var frozen: Bool

    /// A parameter with the given value, a zero gradient, not frozen.
    public init(name: String, value: Tensor, frozen: Bool = false) {
        self.name = name
        self.value = value
        self.gradient = Tensor(shape: value.shape)
        self.frozen = frozen
    }

    /// Sets the gradient to zero.
    public func zeroGradient() { gradient.zero() }

    /// A deep copy (value, frozen flag; gradient zeroed).
    public func copy() -> Parameter { Parameter(name: name, value: value, frozen: frozen) }

    /// Adds `count` values at `source` to the gradient.
    func accumulateGradient(_ source: UnsafePointer<Float>, count: Int) {
        precondition(count == gradient.count, "Parameter \(name): gradient has \(gradient.count) values, got \(count)")
        gradient.data.withUnsafeMutableBufferPointer { g in
            for i in 0..<count { g[i] += source[i] }
        }
    }
}
