/// Batch normalisation over the channel dimension of [N, C] (BatchNorm1d) or
/// [N, C, H, W] (BatchNorm2d) inputs, with PyTorch's semantics: training normalises
/// with the batch mean and biased variance and updates the running statistics
/// with momentum 0.1 and the unbiased variance; inference uses the running statistics.
///
/// A frozen BatchNorm (all its parameters frozen) keeps its running statistics:
/// it normalises with them even in training and never updates them.
public final class BatchNorm: Layer {
    /// Number of channels (C).
    public let features: Int
    /// Added to the variance before the square root.
    public let epsilon: Float
    /// Weight of the new batch statistic in the running average.
    public let momentum: Float
    /// Scale γ [C].
    public let weight: Parameter
    /// Shift β [C].
    public let bias: Parameter
    /// Running mean [C].
    public var runningMean: Tensor
    /// Running (unbiased) variance [C].
    public var runningVariance: Tensor

    private var inputShape: [Int] = []
    private var normalized: [Float] = []
    private var inverseStd: [Float] = []
    private var usedRunningStatistics = false

    /// A BatchNorm with γ = 1, β = 0, running mean 0 and running variance 1.
    public init(features: Int, epsilon: Float = 1e-5, momentum: Float = 0.1) {
        precondition(features > 0, "BatchNorm: features must be positive, got \(features)")
        self.features = features
        self.epsilon = epsilon
        self.momentum = momentum
        weight = Parameter(name: "weight", value: Tensor(shape: [features], repeating: 1))
        bias = Parameter(name: "bias", value: Tensor(shape: [features]))
        runningMean = Tensor(shape: [features])
        runningVariance = Tensor(shape: [features], repeating: 1)
    }

    /// True when every parameter is frozen: the layer then uses its running statistics in training too.
    public var isFrozen: Bool { weight.frozen && bias.frozen }

    public var parameters: [Parameter] { [weight, bias] }

    public var state: [String: Tensor] {
        ["weight": weight.value, "bias": bias.value, "running_mean": runningMean, "running_var": runningVariance]
    }

    public func setState(_ name: String, _ value: Tensor) throws {
        switch name {
        case "weight": try assign(value, to: weight, layer: "BatchNorm")
        case "bias": try assign(value, to: bias, layer: "BatchNorm")
        case "running_mean", "running_var":
            guard value.shape == [features] else {
                throw NeuralNetError.shapeMismatch(name: name, expected: [features], found: value.shape,
                                                   context: "BatchNorm")
            }
            if name == "running_mean" { runningMean = value } else { runningVariance = value }
        default:
            throw NeuralNetError.unknownTensor(name: name, context: "BatchNorm has weight, bias, running_mean, running_var")
        }
    }

    public func copy() -> any Layer {
        let c = BatchNorm(features: features, epsilon: epsilon, momentum: momentum)
        c.weight.value = weight.value; c.weight.frozen = weight.frozen
        c.bias.value = bias.value; c.bias.frozen = bias.frozen
        c.runningMean = runningMean
        c.runningVariance = runningVariance
        return c
    }

    /// (batch N, spatial size S) of an input [N, C, ...].
    private func layout(_ shape: [Int]) -> (n: Int, s: Int) {
        precondition(shape.count >= 2 && shape[1] == features,
                     "BatchNorm: input must be [N, \(features)] or [N, \(features), H, W], got \(shape)")
        return (shape[0], shape.dropFirst(2).reduce(1, *))
    }

    /// y = x · scale[c] + shift[c] over all channels.
    private func affine(_ input: Tensor, scale: [Float], shift: [Float]) -> Tensor {
        let (n, s) = layout(input.shape)
        let c = features
        return Tensor(shape: input.shape) { out in
            input.withPointer { x in
                for i in 0..<n {
                    for ch in 0..<c {
                        let base = (i * c + ch) * s
                        let a = scale[ch], b = shift[ch]
                        for j in 0..<s { out[base + j] = x[base + j] * a + b }
                    }
                }
            }
        }
    }

    private func runningAffine() -> (scale: [Float], shift: [Float]) {
        var scale = [Float](repeating: 0, count: features)
        var shift = [Float](repeating: 0, count: features)
        for c in 0..<features {
            let inv = 1 / (runningVariance.data[c] + epsilon).squareRoot()
            scale[c] = weight.value.data[c] * inv
            shift[c] = bias.value.data[c] - runningMean.data[c] * scale[c]
        }
        return (scale, shift)
    }

    public func infer(_ input: Tensor) -> Tensor {
        let (scale, shift) = runningAffine()
        return affine(input, scale: scale, shift: shift)
    }

    public func forward(_ input: Tensor) -> Tensor {
        let (n, s) = layout(input.shape)
        inputShape = input.shape
        usedRunningStatistics = isFrozen
        if isFrozen {
            inverseStd = runningVariance.data.map { 1 / ($0 + epsilon).squareRoot() }
            return infer(input)
        }
        let m = n * s
        precondition(m > 1, "BatchNorm: training needs more than one value per channel, got input \(input.shape)")
        let c = features
        normalized.resize(to: input.count)
        inverseStd.resize(to: c)
        var means = [Float](repeating: 0, count: c)
        var variances = [Float](repeating: 0, count: c)
        let parts = Parallel.shards(c, workPerItem: 6 * m)
        let out = Tensor(shape: input.shape) { out in
            input.withPointer { x in
                normalized.withUnsafeMutableBufferPointer { xh in
                    inverseStd.withUnsafeMutableBufferPointer { inv in
                        means.withUnsafeMutableBufferPointer { mu in
                            variances.withUnsafeMutableBufferPointer { va in
                                let (xhp, invp, mup, vap, op) = (xh.baseAddress!, inv.baseAddress!, mu.baseAddress!,
                                                                 va.baseAddress!, out.baseAddress!)
                                weight.value.withPointer { g in
                                    bias.value.withPointer { b in
                                        Parallel.forEach(parts.count) { p in
                                            for ch in parts[p] {
                                                var sum: Double = 0
                                                for i in 0..<n {
                                                    let base = (i * c + ch) * s
                                                    for j in 0..<s { sum += Double(x[base + j]) }
                                                }
                                                let mean = Float(sum / Double(m))
                                                var sq: Double = 0
                                                for i in 0..<n {
                                                    let base = (i * c + ch) * s
                                                    for j in 0..<s { let d = Double(x[base + j] - mean); sq += d * d }
                                                }
                                                let variance = Float(sq / Double(m))
                                                let istd = 1 / (variance + epsilon).squareRoot()
                                                mup[ch] = mean; vap[ch] = variance; invp[ch] = istd
                                                let gamma = g[ch], beta = b[ch]
                                                for i in 0..<n {
                                                    let base = (i * c + ch) * s
                                                    for j in 0..<s {
                                                        let xhat = (x[base + j] - mean) * istd
                                                        xhp[base + j] = xhat
                                                        op[base + j] = xhat * gamma + beta
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let unbias = Float(m) / Float(m - 1)
        for ch in 0..<c {
            runningMean.data[ch] = (1 - momentum) * runningMean.data[ch] + momentum * means[ch]
            runningVariance.data[ch] = (1 - momentum) * runningVariance.data[ch] + momentum * variances[ch] * unbias
        }
        return out
    }

    public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
        precondition(!inputShape.isEmpty, "BatchNorm.backward called before forward")
        precondition(outputGradient.shape == inputShape,
                     "BatchNorm.backward: gradient shape \(outputGradient.shape), expected \(inputShape)")
        let (n, s) = layout(inputShape)
        let c = features
        if usedRunningStatistics {
            guard needsInputGradient else { return nil }
            let scale = (0..<c).map { weight.value.data[$0] * inverseStd[$0] }
            return affine(outputGradient, scale: scale, shift: [Float](repeating: 0, count: c))
        }
        let m = n * s
        var dGamma = [Float](repeating: 0, count: c)
        var dBeta = [Float](repeating: 0, count: c)
        var dx = needsInputGradient ? Tensor(shape: inputShape) : nil
        let parts = Parallel.shards(c, workPerItem: 6 * m)
        let run = { (dxp: UnsafeMutablePointer<Float>?) in
            outputGradient.withPointer { dy in
                self.normalized.withUnsafeBufferPointer { xh in
                    dGamma.withUnsafeMutableBufferPointer { dg in
                        dBeta.withUnsafeMutableBufferPointer { db in
                            let (xhp, dgp, dbp) = (xh.baseAddress!, dg.baseAddress!, db.baseAddress!)
                            self.weight.value.withPointer { g in
                                self.inverseStd.withUnsafeBufferPointer { inv in
                                    Parallel.forEach(parts.count) { p in
                                        for ch in parts[p] {
                                            var sumDyD: Double = 0, sumDyXD: Double = 0
                                            for i in 0..<n {
                                                let base = (i * c + ch) * s
                                                for j in 0..<s {
                                                    sumDyD += Double(dy[base + j])
                                                    sumDyXD += Double(dy[base + j]) * Double(xhp[base + j])
                                                }
                                            }
                                            let sumDy = Float(sumDyD), sumDyX = Float(sumDyXD)
                                            dgp[ch] = sumDyX; dbp[ch] = sumDy
                                            guard let dxp else { continue }
                                            let k = g[ch] * inv[ch] / Float(m)
                                            let mf = Float(m)
                                            for i in 0..<n {
                                                let base = (i * c + ch) * s
                                                for j in 0..<s {
                                                    dxp[base + j] = k * (mf * dy[base + j] - sumDy - xhp[base + j] * sumDyX)
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if dx != nil { dx!.withMutablePointer { run($0) } } else { run(nil) }
        if !weight.frozen { dGamma.withUnsafeBufferPointer { weight.accumulateGradient($0.baseAddress!, count: c) } }
        if !bias.frozen { dBeta.withUnsafeBufferPointer { bias.accumulateGradient($0.baseAddress!, count: c) } }
        return dx
    }
}
