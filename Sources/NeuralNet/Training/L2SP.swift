/// The L2-SP penalty of Li, Grandvalet & Davoine (2018), "Explicit inductive bias for transfer
/// learning with convolutional networks": α/2 · Σ ‖θ − θ₀‖² over the parameters that are not
/// frozen, θ₀ being their values when the penalty was made (the pre-trained weights). Where weight
/// decay pulls the weights towards zero, L2-SP pulls fine-tuning back towards its starting point.
///
/// `addGradient()` adds α · (θ − θ₀) to each such parameter's gradient, after `backward` and
/// before the optimizer's step (`Network.trainStep(…, penalty:)` does so).
public struct L2SP {
    /// Strength α (≥ 0).
    public let alpha: Float
    /// Each parameter with its starting value θ₀.
    private let anchors: [(parameter: Parameter, start: Tensor)]

    /// A penalty that pulls `parameters` towards their current values.
    public init(alpha: Float, parameters: [Parameter]) {
        precondition(alpha >= 0 && alpha.isFinite, "L2SP: alpha must be finite and non-negative, got \(alpha)")
        self.alpha = alpha
        anchors = parameters.map { ($0, $0.value) }
    }

    /// α/2 · Σ ‖θ − θ₀‖² over the parameters not frozen.
    public func value() -> Double {
        Double(alpha) / 2 * anchors.filter { !$0.parameter.frozen }.reduce(0) { $0 + Self.squaredDistance($1) }
    }

    /// Adds α · (θ − θ₀) to the gradient of every parameter not frozen.
    public func addGradient() {
        guard alpha > 0 else { return }
        let a = alpha
        for (parameter, start) in anchors where !parameter.frozen {
            let value = parameter.value
            value.withPointer { theta in
                start.withPointer { theta0 in
                    parameter.gradient.withMutablePointer { g in
                        for i in 0..<value.count { g[i] += a * (theta[i] - theta0[i]) }
                    }
                }
            }
        }
    }

    /// Σ ‖θ − θ₀‖² over every anchored parameter, frozen ones included
    /// (a measure of how far training moved).
    public func squaredDistance() -> Double { anchors.reduce(0) { $0 + Self.squaredDistance($1) } }

    private static func squaredDistance(_ anchor: (parameter: Parameter, start: Tensor)) -> Double {
        zip(anchor.parameter.value.data, anchor.start.data).reduce(0) { sum, pair in
            let d = Double(pair.0) - Double(pair.1)
            return sum + d * d
        }
    }
}
