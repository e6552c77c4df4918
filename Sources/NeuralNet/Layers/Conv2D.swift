import Compute

/// 2-D convolution (cross-correlation, like PyTorch's Conv2d) with no padding,
/// stride 1 and an optional dilation, computed block by block as im2row + one sgemm.
///
/// Shapes: input [N, Cin, H, W] → output [N, Cout, H − d(k−1), W − d(k−1)];
/// weight [Cout, Cin, k, k], bias [Cout]. A block of B samples is made channel-last,
/// its patch matrix [B·Ho·Wo, k·k·Cin] (see `ConvKernels`) is multiplied by the weight
/// in patch order to give [B·Ho·Wo, Cout], and the epilogue adds the bias while writing
/// NCHW. The batch is split into shards over the cores in training.
public final class Conv2D: Layer {
    /// Input channels (Cin).
    public let inChannels: Int
    /// Output channels (Cout).
    public let outChannels: Int
    /// Square kernel side (k).
    public let kernelSize: Int
    /// Spacing between kernel taps (d; 1 = ordinary convolution).
    public let dilation: Int
    /// Weight [Cout, Cin, k, k].
    public let weight: Parameter
    /// Bias [Cout].
    public let bias: Parameter

    private var input: Tensor?
    private var shards: [Range<Int>] = []
    /// The weight in patch order [Cout, k·k·Cin] and the weight version it was made from.
    private var patchOrdered: (version: Int, values: [Float]) = (-1, [])

    /// A convolution initialised like PyTorch's default: weight and bias uniform in ±1/√(Cin·k·k).
    public convenience init(
        inChannels: Int, outChannels: Int, kernelSize: Int, dilation: Int = 1,
        generator: inout SeededGenerator
    ) {
        let fanIn = inChannels * kernelSize * kernelSize
        let weight = Initializer.kaimingUniform(
            shape: [outChannels, inChannels, kernelSize, kernelSize],
            fanIn: fanIn, generator: &generator)
        let bias = Initializer.kaimingUniform(shape: [outChannels], fanIn: fanIn, generator: &generator)
        self.init(weight: weight, bias: bias, dilation: dilation)
    }

    /// A convolution with the given weight [Cout, Cin, k, k] and bias [Cout].
    public init(weight: Tensor, bias: Tensor, dilation: Int = 1) {
        precondition(
            weight.rank == 4 && weight.shape[2] == weight.shape[3],
            "Conv2D: weight must be [Cout, Cin, k, k], got \(weight.shape)")
        precondition(bias.shape == [weight.shape[0]], "Conv2D: bias must be [\(weight.shape[0])], got \(bias.shape)")
        precondition(dilation >= 1, "Conv2D: dilation must be at least 1, got \(dilation)")
        outChannels = weight.shape[0]
        inChannels = weight.shape[1]
        kernelSize = weight.shape[2]
        self.dilation = dilation
        self.weight = Parameter(name: "weight", value: weight)
        self.bias = Parameter(name: "bias", value: bias)
    }

    /// Output shape for an input shape [N, Cin, H, W].
    public func outputShape(for shape: [Int]) -> [Int] {
        precondition(
            shape.count == 4 && shape[1] == inChannels,
            "Conv2D: input must be [N, \(inChannels), H, W], got \(shape)")
        let span = dilation * (kernelSize - 1)
        precondition(
            shape[2] > span && shape[3] > span,
            "Conv2D: input \(shape[2])x\(shape[3]) is smaller than the kernel span \(span + 1)")
        return [shape[0], outChannels, shape[2] - span, shape[3] - span]
    }

    /// Weight and bias.
    public var parameters: [Parameter] { [weight, bias] }

    /// weight and bias, by PyTorch name.
    public var state: [String: Tensor] { ["weight": weight.value, "bias": bias.value] }

    /// Replaces weight or bias (same shape).
    public func setState(_ name: String, _ value: Tensor) throws {
        switch name {
        case "weight": try assign(value, to: weight, layer: "Conv2D")
        case "bias": try assign(value, to: bias, layer: "Conv2D")
        default: throw NeuralNetError.unknownTensor(name: name, context: "Conv2D has weight and bias")
        }
    }

    /// A deep copy (weights, dilation, frozen flags).
    public func copy() -> any Layer {
        let c = Conv2D(weight: weight.value, bias: bias.value, dilation: dilation)
        c.weight.frozen = weight.frozen
        c.bias.frozen = bias.frozen
        return c
    }

    private func geometry(_ inputShape: [Int]) -> ConvKernels.Geometry {
        let o = outputShape(for: inputShape)
        return ConvKernels.Geometry(
            cin: inChannels, h: inputShape[2], w: inputShape[3], ho: o[2], wo: o[3],
            k: kernelSize, d: dilation, cout: outChannels)
    }

    /// Refreshes the patch-ordered copy of the weight.
    public func prepareForInference() {
        guard patchOrdered.version != weight.version else { return }
        var values = [Float](repeating: 0, count: weight.value.count)
        values.withUnsafeMutableBufferPointer { wp in
            weight.value.withPointer {
                ConvKernels.patchOrder($0, wp.baseAddress!, cout: outChannels, cin: inChannels, k: kernelSize)
            }
        }
        patchOrdered = (weight.version, values)
    }

    /// Runs `body` with the weight in patch order [Cout, k·k·Cin]: the kept copy when it is up to
    /// date, else a temporary one (no state changes, so safe from several threads).
    private func withPatchOrderedWeight<R>(_ body: (UnsafePointer<Float>) -> R) -> R {
        if patchOrdered.version == weight.version {
            return patchOrdered.values.withUnsafeBufferPointer { body($0.baseAddress!) }
        }
        return withScratch(weight.value.count) { wp in
            weight.value.withPointer {
                ConvKernels.patchOrder($0, wp, cout: outChannels, cin: inChannels, k: kernelSize)
            }
            return body(wp)
        }
    }

    /// The convolution of x [N, Cin, H, W] on the calling thread.
    public func infer(_ input: Tensor) -> Tensor {
        let g = geometry(input.shape)
        return Tensor(shape: outputShape(for: input.shape)) { out in
            input.withPointer { x in
                withPatchOrderedWeight { wp in
                    bias.value.withPointer { b in
                        Self.forwardSamples(
                            x: x, samples: 0..<input.shape[0], g: g, weight: wp, bias: b,
                            out: out.baseAddress!)
                    }
                }
            }
        }
    }

    /// The convolution split over the cores, keeping x for backward.
    public func forward(_ input: Tensor) -> Tensor {
        let g = geometry(input.shape)
        self.input = input
        prepareForInference()
        // A partition fixed by the batch, not the thread count: backward sums the shards' weight
        // gradients in this order, so training gives the same bits on any number of threads.
        shards = Parallel.reductionShards(input.shape[0], nanosecondsPerItem: 0.02 * Double(g.patch * g.cells * g.cout))
        let shards = shards
        return Tensor(shape: outputShape(for: input.shape)) { out in
            input.withPointer { x in
                withPatchOrderedWeight { wp in
                    bias.value.withPointer { b in
                        let outBase = out.baseAddress!
                        Parallel.forEach(shards.count) { s in
                            Self.forwardSamples(x: x, samples: shards[s], g: g, weight: wp, bias: b, out: outBase)
                        }
                    }
                }
            }
        }
    }

    /// Adds dW and db; returns dx [N, Cin, H, W] when asked.
    public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
        guard let input else { preconditionFailure("Conv2D.backward called before forward") }
        let g = geometry(input.shape)
        precondition(
            outputGradient.shape == outputShape(for: input.shape),
            "Conv2D.backward: gradient shape \(outputGradient.shape), expected \(outputShape(for: input.shape))")
        let wantWeight = !weight.frozen
        let wantBias = !bias.frozen
        let shards = shards
        let partSize = g.cout * g.patch + g.cout
        var inputGradient: Tensor?
        withScratch(partSize * shards.count) { parts in
            input.withPointer { x in
                outputGradient.withPointer { dOut in
                    withPatchOrderedWeight { wp in
                        let run = { (dx: UnsafeMutablePointer<Float>?) in
                            Parallel.forEach(shards.count) { s in
                                Self.backwardSamples(
                                    x: x, dOut: dOut, samples: shards[s], g: g, weight: wp,
                                    weightGradient: wantWeight ? parts + partSize * s : nil,
                                    biasGradient: wantBias ? parts + partSize * s + g.cout * g.patch : nil,
                                    dx: dx)
                            }
                        }
                        if needsInputGradient {
                            // Every value is written (block by block), so no zero fill first.
                            inputGradient = Tensor(shape: input.shape) { run($0.baseAddress!) }
                        } else {
                            run(nil)
                        }
                    }
                }
            }
            for s in 0..<shards.count {
                let part = parts + partSize * s
                if wantWeight {
                    weight.gradient.withMutablePointer {
                        ConvKernels.addFromPatchOrder(part, $0, cout: g.cout, cin: g.cin, k: g.k)
                    }
                }
                if wantBias { bias.accumulateGradient(part + g.cout * g.patch, count: g.cout) }
            }
        }
        return inputGradient
    }

    /// Forward for `samples`, block by block: channel-last copy of the block, patch matrix
    /// rows [B·L, K], product [B·L, Cout] = rows · weightᵀ (weight in patch order [Cout, K]),
    /// then out[n, c, p] = product[(n − start)·L + p, c] + bias[c].
    private static func forwardSamples(
        x: UnsafePointer<Float>, samples: Range<Int>, g: ConvKernels.Geometry,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>
    ) {
        let (cells, patch, cout) = (g.cells, g.patch, g.cout)
        let plane = g.cin * g.h * g.w
        if g.block == 1 && patch * cells > ConvKernels.Geometry.budget {
            // Large images (dense maps): one sample at a time, in bands of output rows.
            let band = max(1, ConvKernels.Geometry.budget / (patch * g.wo))
            withScratch(plane + band * g.wo * (patch + cout)) { scratch in
                let channelLast = scratch
                let rows = scratch + plane
                let product = rows + band * g.wo * patch
                for n in samples {
                    ConvKernels.toChannelLast(
                        x + n * plane, channelLast, samples: 1, channels: g.cin, positions: g.h * g.w)
                    var oy = 0
                    while oy < g.ho {
                        let r = oy..<min(g.ho, oy + band)
                        let m = r.count * g.wo
                        ConvKernels.im2row(channelLast, rows, samples: 1, g: g, outputRows: r)
                        BLAS.sgemm(
                            transB: true, m: m, n: cout, k: patch, a: rows, lda: patch, b: weight, ldb: patch,
                            beta: 0, c: product, ldc: cout)
                        epilogue(
                            product, out + n * cout * cells + oy * g.wo, positions: m, stride: cells,
                            cout: cout, bias: bias)
                        oy = r.upperBound
                    }
                }
            }
            return
        }
        let block = min(g.block, samples.count)
        withScratch(block * (plane + cells * patch + cells * cout)) { scratch in
            let channelLast = scratch
            let rows = scratch + block * plane
            let product = rows + block * cells * patch
            var lo = samples.lowerBound
            while lo < samples.upperBound {
                let b = min(block, samples.upperBound - lo)
                ConvKernels.toChannelLast(
                    x + lo * plane, channelLast, samples: b, channels: g.cin, positions: g.h * g.w)
                ConvKernels.im2row(channelLast, rows, samples: b, g: g)
                BLAS.sgemm(
                    transB: true, m: b * cells, n: cout, k: patch, a: rows, lda: patch, b: weight, ldb: patch,
                    beta: 0, c: product, ldc: cout)
                for j in 0..<b {
                    epilogue(
                        product + j * cells * cout, out + (lo + j) * cout * cells, positions: cells, stride: cells,
                        cout: cout, bias: bias)
                }
                lo += b
            }
        }
    }

    /// out[c·stride + p] = product[p·Cout + c] + bias[c] for p in 0..<positions (channel-last to NCHW).
    @inline(__always)
    private static func epilogue(
        _ product: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, positions: Int,
        stride: Int, cout: Int, bias: UnsafePointer<Float>
    ) {
        ConvKernels.transpose(
            product, rows: positions, columns: cout, sourceStride: cout, out, destinationStride: stride,
            adding: bias)
    }

    /// Backward for `samples`, block by block (the patch matrix is rebuilt, cheaply, rather than
    /// kept): dY [Cout, B·L] from dOut; weightGradient [Cout, K] (patch order) and biasGradient
    /// [Cout] get the block sums (the first block overwrites them); the patch-matrix gradient
    /// dY ᵀ· weight [B·L, K] is scattered back (row2im) and written to dx in NCHW.
    private static func backwardSamples(
        x: UnsafePointer<Float>, dOut: UnsafePointer<Float>, samples: Range<Int>, g: ConvKernels.Geometry,
        weight: UnsafePointer<Float>, weightGradient: UnsafeMutablePointer<Float>?,
        biasGradient: UnsafeMutablePointer<Float>?, dx: UnsafeMutablePointer<Float>?
    ) {
        let (cells, patch, cout) = (g.cells, g.patch, g.cout)
        let block = min(g.block, samples.count)
        let plane = g.cin * g.h * g.w
        if let biasGradient { biasGradient.update(repeating: 0, count: cout) }
        if samples.isEmpty, let weightGradient { weightGradient.update(repeating: 0, count: cout * patch) }
        withScratch(block * (plane + cells * patch + cells * cout)) { scratch in
            let channelLast = scratch
            let rows = scratch + block * plane
            let dy = rows + block * cells * patch
            var lo = samples.lowerBound
            var first = true
            while lo < samples.upperBound {
                let b = min(block, samples.upperBound - lo)
                let ld = b * cells
                for c in 0..<cout {
                    for j in 0..<b {
                        ConvKernels.copy(dOut + ((lo + j) * cout + c) * cells, dy + c * ld + j * cells, count: cells)
                    }
                }
                if let weightGradient {
                    ConvKernels.toChannelLast(
                        x + lo * plane, channelLast, samples: b, channels: g.cin, positions: g.h * g.w)
                    ConvKernels.im2row(channelLast, rows, samples: b, g: g)
                    BLAS.sgemm(
                        m: cout, n: patch, k: ld, a: dy, lda: ld, b: rows, ldb: patch,
                        beta: first ? 0 : 1, c: weightGradient, ldc: patch)
                }
                if let biasGradient {
                    for c in 0..<cout {
                        var acc = SIMD8<Float>(repeating: 0)
                        var tail: Float = 0
                        let row = dy + c * ld
                        var i = 0
                        while i + 8 <= ld {
                            acc += UnsafeRawPointer(row + i).loadUnaligned(as: SIMD8<Float>.self)
                            i += 8
                        }
                        while i < ld {
                            tail += row[i]
                            i += 1
                        }
                        biasGradient[c] += acc.sum() + tail
                    }
                }
                if let dx {
                    BLAS.sgemm(
                        transA: true, m: ld, n: patch, k: cout, a: dy, lda: ld, b: weight, ldb: patch,
                        beta: 0, c: rows, ldc: patch)
                    channelLast.update(repeating: 0, count: b * plane)
                    ConvKernels.row2im(rows, channelLast, samples: b, g: g)
                    ConvKernels.toChannelFirst(
                        channelLast, dx + lo * plane, samples: b, channels: g.cin,
                        positions: g.h * g.w)
                }
                first = false
                lo += b
            }
        }
    }
}
