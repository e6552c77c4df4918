import Foundation

/// Adam with PyTorch's semantics (torch.optim.Adam, amsgrad off): L2 weight decay
/// added to the gradient, bias-corrected first and second moments, and
/// θ ← θ − lr/(1 − β1ᵗ) · m / (√v / √(1 − β2ᵗ) + ε). Frozen parameters are skipped
/// (they keep their moments and step count, like parameters without a gradient in PyTorch).
public final class Adam {
    /// The parameters updated by `step()`.
    public let parameters: [Parameter]
    /// Step size.
    public var learningRate: Float
    /// Decay of the first moment.
    public let beta1: Float
    /// Decay of the second moment.
    public let beta2: Float
    /// Added to the denominator.
    public let epsilon: Float
    /// L2 penalty coefficient added to the gradient (0 = none).
    public let weightDecay: Float

    private var firstMoments: [[Float]]
    private var secondMoments: [[Float]]
    private var steps: [Int]

    /// An optimizer for `parameters` with PyTorch's defaults.
    public init(parameters: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0) {
        precondition(learningRate >= 0, "Adam: learning rate must be non-negative, got \(learningRate)")
        precondition((0..<1).contains(beta1) && (0..<1).contains(beta2), "Adam: betas must be in [0, 1), got \(beta1), \(beta2)")
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        firstMoments = parameters.map { [Float](repeating: 0, count: $0.value.count) }
        secondMoments = firstMoments
        steps = [Int](repeating: 0, count: parameters.count)
    }

    /// One update of every parameter that is not frozen, from its accumulated gradient
    /// (large parameters are split over the cores).
    public func step() {
        for (index, parameter) in parameters.enumerated() where !parameter.frozen {
            steps[index] += 1
            let t = Double(steps[index])
            let stepSize = Float(Double(learningRate) / (1 - pow(Double(beta1), t)))
            let rootCorrection = Float((1 - pow(Double(beta2), t)).squareRoot())
            let (b1, b2, eps, wd) = (beta1, beta2, epsilon, weightDecay)
            let parts = Parallel.shards(parameter.value.count, workPerItem: 12)
            parameter.gradient.withPointer { g in
                parameter.value.withMutablePointer { theta in
                    firstMoments[index].withUnsafeMutableBufferPointer { mb in
                        secondMoments[index].withUnsafeMutableBufferPointer { vb in
                            let (m, v) = (mb.baseAddress!, vb.baseAddress!)
                            Parallel.forEach(parts.count) { p in
                                for i in parts[p] {
                                    let grad = wd == 0 ? g[i] : g[i] + wd * theta[i]
                                    m[i] = b1 * m[i] + (1 - b1) * grad
                                    v[i] = b2 * v[i] + (1 - b2) * grad * grad
                                    let denominator = v[i].squareRoot() / rootCorrection + eps
                                    theta[i] -= stepSize * m[i] / denominator
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Sets every parameter's gradient to zero.
    public func zeroGradients() { for p in parameters { p.zeroGradient() } }
}
