import Compute
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

    /// Moments and step count of one parameter (own memory, so that all can be borrowed at once).
    private final class State {
        let count: Int
        let first: UnsafeMutablePointer<Float>
        let second: UnsafeMutablePointer<Float>
        var step = 0

        init(count: Int) {
            self.count = count
            first = .allocate(capacity: max(count, 1))
            first.initialize(repeating: 0, count: max(count, 1))
            second = .allocate(capacity: max(count, 1))
            second.initialize(repeating: 0, count: max(count, 1))
        }

        deinit {
            first.deallocate()
            second.deallocate()
        }
    }

    private let states: [State]

    /// An optimizer for `parameters` with PyTorch's defaults.
    public init(
        parameters: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
        epsilon: Float = 1e-8, weightDecay: Float = 0
    ) {
        precondition(learningRate >= 0, "Adam: learning rate must be non-negative, got \(learningRate)")
        precondition(
            (0..<1).contains(beta1) && (0..<1).contains(beta2), "Adam: betas must be in [0, 1), got \(beta1), \(beta2)")
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        precondition(
            Set(parameters.map(ObjectIdentifier.init)).count == parameters.count,
            "Adam: a parameter is listed twice")
        states = parameters.map { State(count: $0.value.count) }
    }

    /// One update of every parameter that is not frozen, from its accumulated gradient
    /// (all parameters in one pass over the cores, large ones split in ranges).
    public func step() {
        let active = parameters.indices.filter { !parameters[$0].frozen }
        var jobs: [(slot: Int, range: Range<Int>)] = []
        var scales: [(stepSize: Float, rootCorrection: Float)] = []
        for (slot, index) in active.enumerated() {
            precondition(
                parameters[index].value.count == states[index].count,
                "Adam: parameter \(parameters[index].name) changed size since the optimizer was made")
            states[index].step += 1
            let t = Double(states[index].step)
            scales.append(
                (
                    Float(Double(learningRate) / (1 - pow(Double(beta1), t))),
                    Float((1 - pow(Double(beta2), t)).squareRoot())
                ))
            let count = parameters[index].value.count
            for r in Parallel.split(count, parts: max(1, min(Parallel.workers, count / 32_768))) {
                jobs.append((slot, r))
            }
        }
        let (b1, b2, eps, wd) = (beta1, beta2, epsilon, weightDecay)
        withPointers(active, 0, []) { pointers in
            Parallel.forEach(jobs.count) { j in
                let (slot, range) = jobs[j]
                let (theta, g, m, v) = pointers[slot]
                let (stepSize, rootCorrection) = scales[slot]
                for i in range {
                    let grad = wd == 0 ? g[i] : g[i] + wd * theta[i]
                    m[i] = b1 * m[i] + (1 - b1) * grad
                    v[i] = b2 * v[i] + (1 - b2) * grad * grad
                    let denominator = v[i].squareRoot() / rootCorrection + eps
                    theta[i] -= stepSize * m[i] / denominator
                }
            }
        }
    }

    private typealias Pointers = (
        UnsafeMutablePointer<Float>, UnsafePointer<Float>,
        UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>
    )

    /// Calls `body` with (value, gradient, first moment, second moment) pointers of the parameters
    /// `indices[k...]` appended to `collected`, each valid for the whole call.
    private func withPointers(_ indices: [Int], _ k: Int, _ collected: [Pointers], _ body: ([Pointers]) -> Void) {
        guard k < indices.count else { return body(collected) }
        let index = indices[k]
        let parameter = parameters[index]
        let state = states[index]
        parameter.gradient.withPointer { g in
            parameter.value.withMutablePointer { theta in
                withPointers(indices, k + 1, collected + [(theta, g, state.first, state.second)], body)
            }
        }
    }

    /// Sets every parameter's gradient to zero.
    public func zeroGradients() { for p in parameters { p.zeroGradient() } }
}
