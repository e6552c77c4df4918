import Compute

/// Batch normalisation over the channel dimension of [N, C] (BatchNorm1d) or
/// [N, C, H, W] (BatchNorm2d) inputs, with PyTorch's semantics: training normalises
/// with the batch mean and biased variance and updates the running statistics
/// with momentum 0.1 and the unbiased variance; inference uses the running statistics.
///
/// A frozen BatchNorm (all its parameters frozen) keeps its running statistics:
/// it normalises with them even in training and never updates them. With
/// `statisticsFrozen` a trainable BatchNorm does the same while γ and β still train
/// (inference-mode statistics, e.g. for fine-tuning on few samples).
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

    /// When true, training normalises with the running statistics and leaves them unchanged (as in
    /// inference), while γ and β still get gradients unless frozen. A frozen layer behaves so regardless.
    public var statisticsFrozen = false

    private var input: Tensor?
    private var mean: [Float] = []
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

    /// γ and β.
    public var parameters: [Parameter] { [weight, bias] }

    /// weight, bias, running_mean, running_var (PyTorch names).
    public var state: [String: Tensor] {
        ["weight": weight.value, "bias": bias.value, "running_mean": runningMean, "running_var": runningVariance]
    }

    /// Replaces one of `state`'s tensors (shape [C]).
    public func setState(_ name: String, _ value: Tensor) throws {
        switch name {
        case "weight": try assign(value, to: weight, layer: "BatchNorm")
        case "bias": try assign(value, to: bias, layer: "BatchNorm")
        case "running_mean", "running_var":
            guard value.shape == [features] else {
                throw NeuralNetError.shapeMismatch(
                    name: name, expected: [features], found: value.shape,
                    context: "BatchNorm")
            }
            if name == "running_mean" { runningMean = value } else { runningVariance = value }
        default:
            throw NeuralNetError.unknownTensor(
                name: name, context: "BatchNorm has weight, bias, running_mean, running_var")
        }
    }

    /// A deep copy (parameters, running statistics, frozen flags, `statisticsFrozen`).
    public func copy() -> any Layer {
        let c = BatchNorm(features: features, epsilon: epsilon, momentum: momentum)
        c.weight.value = weight.value
        c.weight.frozen = weight.frozen
        c.bias.value = bias.value
        c.bias.frozen = bias.frozen
        c.runningMean = runningMean
        c.runningVariance = runningVariance
        c.statisticsFrozen = statisticsFrozen
        return c
    }

    /// (batch N, spatial size S) of an input [N, C, ...].
    private func layout(_ shape: [Int]) -> (n: Int, s: Int) {
        precondition(
            shape.count >= 2 && shape[1] == features,
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
                        let a = scale[ch]
                        let b = shift[ch]
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

    /// Normalises with the running statistics; any [N, C, ...] shape.
    public func infer(_ input: Tensor) -> Tensor {
        let (scale, shift) = runningAffine()
        return affine(input, scale: scale, shift: shift)
    }

    /// Per-channel Σ x, or Σ (x − center[c])² when `center` is given, over the batch and spatial positions
    /// (8 lanes of partial sums: vectorised, and more accurate than one running sum).
    private static func channelSums(
        _ x: UnsafePointer<Float>, n: Int, c: Int, s: Int, channels: Range<Int>,
        center: UnsafePointer<Float>?, into out: UnsafeMutablePointer<Float>
    ) {
        typealias V = SIMD8<Float>
        if s == 1 {
            // [N, C]: accumulate rows, 8 channels at a time.
            var ch = channels.lowerBound
            while ch < channels.upperBound {
                let width = min(8, channels.upperBound - ch)
                var mu = V(repeating: 0)
                if let center { for l in 0..<width { mu[l] = center[ch + l] } }
                var acc = V(repeating: 0)
                for i in 0..<n {
                    var v = V(repeating: 0)
                    for l in 0..<width { v[l] = x[i * c + ch + l] }
                    if center != nil {
                        let d = v - mu
                        acc += d * d
                    } else {
                        acc += v
                    }
                }
                for l in 0..<width { out[ch + l] = acc[l] }
                ch += width
            }
            return
        }
        for ch in channels {
            var acc = V(repeating: 0)
            var tail: Float = 0
            let mu = center?[ch] ?? 0
            for i in 0..<n {
                let p = x + (i * c + ch) * s
                var j = 0
                if center != nil {
                    while j + 8 <= s {
                        let d = UnsafeRawPointer(p + j).loadUnaligned(as: V.self) - mu
                        acc += d * d
                        j += 8
                    }
                    while j < s {
                        let d = p[j] - mu
                        tail += d * d
                        j += 1
                    }
                } else {
                    while j + 8 <= s {
                        acc += UnsafeRawPointer(p + j).loadUnaligned(as: V.self)
                        j += 8
                    }
                    while j < s {
                        tail += p[j]
                        j += 1
                    }
                }
            }
            out[ch] = acc.sum() + tail
        }
    }

    /// Normalises with the batch statistics and updates the running ones (or, frozen or with
    /// `statisticsFrozen`, as `infer`).
    public func forward(_ input: Tensor) -> Tensor {
        let (n, s) = layout(input.shape)
        self.input = input
        usedRunningStatistics = isFrozen || statisticsFrozen
        if usedRunningStatistics {
            inverseStd = runningVariance.data.map { 1 / ($0 + epsilon).squareRoot() }
            return infer(input)
        }
        let m = n * s
        precondition(m > 1, "BatchNorm: training needs more than one value per channel, got input \(input.shape)")
        let c = features
        mean.resize(to: c)
        inverseStd.resize(to: c)
        var variances = [Float](repeating: 0, count: c)
        let parts = Parallel.shards(c, nanosecondsPerItem: 1.2 * Double(m))
        let eps = epsilon
        let out = Tensor(shape: input.shape) { out in
            input.withPointer { x in
                mean.withUnsafeMutableBufferPointer { mu in
                    inverseStd.withUnsafeMutableBufferPointer { inv in
                        variances.withUnsafeMutableBufferPointer { va in
                            weight.value.withPointer { g in
                                bias.value.withPointer { b in
                                    let (mup, invp, vap, op) = (
                                        mu.baseAddress!, inv.baseAddress!, va.baseAddress!,
                                        out.baseAddress!
                                    )
                                    Parallel.forEach(parts.count) { p in
                                        let r = parts[p]
                                        Self.channelSums(x, n: n, c: c, s: s, channels: r, center: nil, into: mup)
                                        for ch in r { mup[ch] /= Float(m) }
                                        Self.channelSums(x, n: n, c: c, s: s, channels: r, center: mup, into: vap)
                                        for ch in r {
                                            vap[ch] /= Float(m)
                                            invp[ch] = 1 / (vap[ch] + eps).squareRoot()
                                        }
                                        for i in 0..<n {
                                            for ch in r {
                                                let a = g[ch] * invp[ch]
                                                let shift = b[ch] - mup[ch] * a
                                                let base = (i * c + ch) * s
                                                for j in 0..<s { op[base + j] = x[base + j] * a + shift }
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
            runningMean.data[ch] = (1 - momentum) * runningMean.data[ch] + momentum * mean[ch]
            runningVariance.data[ch] = (1 - momentum) * runningVariance.data[ch] + momentum * variances[ch] * unbias
        }
        return out
    }

    /// Adds dγ and dβ; returns dx when asked (through the batch statistics unless the forward pass
    /// used the running ones: then y = γ·x̂ + β with x̂ = (x − running mean)·σ⁻¹ is affine in x).
    public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
        guard let input else { preconditionFailure("BatchNorm.backward called before forward") }
        precondition(
            outputGradient.shape == input.shape,
            "BatchNorm.backward: gradient shape \(outputGradient.shape), expected \(input.shape)")
        let (n, s) = layout(input.shape)
        let c = features
        if usedRunningStatistics {
            if !isFrozen { accumulateAffineGradients(outputGradient, n: n, s: s) }
            guard needsInputGradient else { return nil }
            let scale = (0..<c).map { weight.value.data[$0] * inverseStd[$0] }
            return affine(outputGradient, scale: scale, shift: [Float](repeating: 0, count: c))
        }
        // With x̂ = (x − μ)·σ⁻¹: dβ = Σ dy, dγ = Σ dy·x̂,
        // dx = γσ⁻¹/M · (M·dy − dβ − x̂·dγ).
        let m = n * s
        var dGamma = [Float](repeating: 0, count: c)
        var dBeta = [Float](repeating: 0, count: c)
        var dx: Tensor?
        let parts = Parallel.shards(c, nanosecondsPerItem: 1.2 * Double(m))
        let run = { (dxp: UnsafeMutablePointer<Float>?) in
            input.withPointer { x in
                outputGradient.withPointer { dy in
                    dGamma.withUnsafeMutableBufferPointer { dg in
                        dBeta.withUnsafeMutableBufferPointer { db in
                            self.weight.value.withPointer { g in
                                self.mean.withUnsafeBufferPointer { mu in
                                    self.inverseStd.withUnsafeBufferPointer { inv in
                                        let (dgp, dbp, mup, invp) = (
                                            dg.baseAddress!, db.baseAddress!, mu.baseAddress!,
                                            inv.baseAddress!
                                        )
                                        Parallel.forEach(parts.count) { p in
                                            let r = parts[p]
                                            Self.channelSums(dy, n: n, c: c, s: s, channels: r, center: nil, into: dbp)
                                            // dγ = σ⁻¹ · Σ dy·(x − μ).
                                            Self.productSums(dy, x, n: n, c: c, s: s, channels: r, mean: mup, into: dgp)
                                            for ch in r { dgp[ch] *= invp[ch] }
                                            guard let dxp else { return }
                                            let mf = Float(m)
                                            for i in 0..<n {
                                                for ch in r {
                                                    let k = g[ch] * invp[ch] / mf
                                                    let a = k * mf
                                                    let b0 = -k * dbp[ch]
                                                    let q = k * dgp[ch] * invp[ch]
                                                    let mean = mup[ch]
                                                    let base = (i * c + ch) * s
                                                    for j in 0..<s {
                                                        dxp[base + j] = a * dy[base + j] + b0 - q * (x[base + j] - mean)
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
        if needsInputGradient { dx = Tensor(shape: input.shape) { run($0.baseAddress!) } } else { run(nil) }
        if !weight.frozen { dGamma.withUnsafeBufferPointer { weight.accumulateGradient($0.baseAddress!, count: c) } }
        if !bias.frozen { dBeta.withUnsafeBufferPointer { bias.accumulateGradient($0.baseAddress!, count: c) } }
        return dx
    }

    /// With the running statistics: dβ = Σ dy, dγ = σ⁻¹ · Σ dy·(x − running mean), added to the
    /// gradients of the parameters not frozen.
    private func accumulateAffineGradients(_ outputGradient: Tensor, n: Int, s: Int) {
        guard let input else { return }
        let c = features
        var dGamma = [Float](repeating: 0, count: c)
        var dBeta = [Float](repeating: 0, count: c)
        input.withPointer { x in
            outputGradient.withPointer { dy in
                runningMean.withPointer { mu in
                    dGamma.withUnsafeMutableBufferPointer { dg in
                        dBeta.withUnsafeMutableBufferPointer { db in
                            Self.channelSums(dy, n: n, c: c, s: s, channels: 0..<c, center: nil, into: db.baseAddress!)
                            Self.productSums(dy, x, n: n, c: c, s: s, channels: 0..<c, mean: mu, into: dg.baseAddress!)
                        }
                    }
                }
            }
        }
        for ch in 0..<c { dGamma[ch] *= inverseStd[ch] }
        if !weight.frozen { dGamma.withUnsafeBufferPointer { weight.accumulateGradient($0.baseAddress!, count: c) } }
        if !bias.frozen { dBeta.withUnsafeBufferPointer { bias.accumulateGradient($0.baseAddress!, count: c) } }
    }

    /// Per-channel Σ a·(b − mean[c]) over the batch and spatial positions.
    private static func productSums(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, n: Int, c: Int, s: Int, channels: Range<Int>,
        mean: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>
    ) {
        typealias V = SIMD8<Float>
        if s == 1 {
            for ch in channels { out[ch] = 0 }
            for i in 0..<n {
                for ch in channels { out[ch] += a[i * c + ch] * (b[i * c + ch] - mean[ch]) }
            }
            return
        }
        for ch in channels {
            var acc = V(repeating: 0)
            var tail: Float = 0
            let mu = mean[ch]
            for i in 0..<n {
                let pa = a + (i * c + ch) * s
                let pb = b + (i * c + ch) * s
                var j = 0
                while j + 8 <= s {
                    let va = UnsafeRawPointer(pa + j).loadUnaligned(as: V.self)
                    let vb = UnsafeRawPointer(pb + j).loadUnaligned(as: V.self)
                    acc += va * (vb - mu)
                    j += 8
                }
                while j < s {
                    tail += pa[j] * (pb[j] - mu)
                    j += 1
                }
            }
            out[ch] = acc.sum() + tail
        }
    }
}
