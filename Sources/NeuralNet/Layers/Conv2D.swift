/// 2-D convolution (cross-correlation, like PyTorch's Conv2d) with no padding,
/// stride 1 and an optional dilation, computed as im2col + one sgemm per batch shard.
///
/// Shapes: input [N, Cin, H, W] → output [N, Cout, H − d(k−1), W − d(k−1)];
/// weight [Cout, Cin, k, k], bias [Cout]. Within a shard of Ns samples the column
/// matrix is [Cin·k·k, Ns·Ho·Wo] (row = input channel and kernel offset, column =
/// sample and output cell), so the product with the [Cout, Cin·k·k] weight gives
/// [Cout, Ns·Ho·Wo], which the epilogue writes back in NCHW order with the bias.
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

    /// A convolution initialised like PyTorch's default: weight and bias uniform in ±1/√(Cin·k·k).
    public convenience init(inChannels: Int, outChannels: Int, kernelSize: Int, dilation: Int = 1,
                            generator: inout SeededGenerator) {
        let fanIn = inChannels * kernelSize * kernelSize
        let weight = Initializer.kaimingUniform(shape: [outChannels, inChannels, kernelSize, kernelSize],
                                                fanIn: fanIn, generator: &generator)
        let bias = Initializer.kaimingUniform(shape: [outChannels], fanIn: fanIn, generator: &generator)
        self.init(weight: weight, bias: bias, dilation: dilation)
    }

    /// A convolution with the given weight [Cout, Cin, k, k] and bias [Cout].
    public init(weight: Tensor, bias: Tensor, dilation: Int = 1) {
        precondition(weight.rank == 4 && weight.shape[2] == weight.shape[3],
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
        precondition(shape.count == 4 && shape[1] == inChannels,
                     "Conv2D: input must be [N, \(inChannels), H, W], got \(shape)")
        let span = dilation * (kernelSize - 1)
        precondition(shape[2] > span && shape[3] > span,
                     "Conv2D: input \(shape[2])x\(shape[3]) is smaller than the kernel span \(span + 1)")
        return [shape[0], outChannels, shape[2] - span, shape[3] - span]
    }

    public var parameters: [Parameter] { [weight, bias] }

    public var state: [String: Tensor] { ["weight": weight.value, "bias": bias.value] }

    public func setState(_ name: String, _ value: Tensor) throws {
        switch name {
        case "weight": try assign(value, to: weight, layer: "Conv2D")
        case "bias": try assign(value, to: bias, layer: "Conv2D")
        default: throw NeuralNetError.unknownTensor(name: name, context: "Conv2D has weight and bias")
        }
    }

    public func copy() -> any Layer {
        let c = Conv2D(weight: weight.value, bias: bias.value, dilation: dilation)
        c.weight.frozen = weight.frozen
        c.bias.frozen = bias.frozen
        return c
    }

    /// Shape of one problem: batch geometry and the sample-block size that keeps a block's
    /// column matrix within about 1 MB (so im2col output, sgemm input and epilogue stay in L2).
    private struct Geometry {
        let cin: Int, h: Int, w: Int, ho: Int, wo: Int, k: Int, d: Int, cout: Int
        var cells: Int { ho * wo }
        var rows: Int { cin * k * k }
        var block: Int { max(1, (1 << 18) / max(1, rows * cells)) }
    }

    private func geometry(_ inputShape: [Int]) -> Geometry {
        let o = outputShape(for: inputShape)
        return Geometry(cin: inChannels, h: inputShape[2], w: inputShape[3], ho: o[2], wo: o[3],
                        k: kernelSize, d: dilation, cout: outChannels)
    }

    public func infer(_ input: Tensor) -> Tensor {
        let g = geometry(input.shape)
        return Tensor(shape: outputShape(for: input.shape)) { out in
            input.withPointer { x in
                weight.value.withPointer { wt in
                    bias.value.withPointer { b in
                        Self.forwardSamples(x: x, samples: 0..<input.shape[0], g: g, weight: wt, bias: b,
                                            out: out.baseAddress!)
                    }
                }
            }
        }
    }

    public func forward(_ input: Tensor) -> Tensor {
        let g = geometry(input.shape)
        self.input = input
        shards = Parallel.shards(input.shape[0], workPerItem: 2 * g.rows * g.cells * g.cout)
        let shards = shards
        return Tensor(shape: outputShape(for: input.shape)) { out in
            input.withPointer { x in
                weight.value.withPointer { wt in
                    bias.value.withPointer { b in
                        let outBase = out.baseAddress!
                        Parallel.forEach(shards.count) { s in
                            Self.forwardSamples(x: x, samples: shards[s], g: g, weight: wt, bias: b, out: outBase)
                        }
                    }
                }
            }
        }
    }

    public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
        guard let input else { preconditionFailure("Conv2D.backward called before forward") }
        let g = geometry(input.shape)
        precondition(outputGradient.shape == outputShape(for: input.shape),
                     "Conv2D.backward: gradient shape \(outputGradient.shape), expected \(outputShape(for: input.shape))")
        let wantWeight = !weight.frozen, wantBias = !bias.frozen
        let shards = shards
        let partSize = g.cout * g.rows + g.cout
        var inputGradient = needsInputGradient ? Tensor(shape: input.shape) : nil
        withScratch(partSize * shards.count) { parts in
            input.withPointer { x in
                outputGradient.withPointer { dOut in
                    weight.value.withPointer { wt in
                        let run = { (dx: UnsafeMutablePointer<Float>?) in
                            Parallel.forEach(shards.count) { s in
                                Self.backwardSamples(x: x, dOut: dOut, samples: shards[s], g: g, weight: wt,
                                                     weightGradient: wantWeight ? parts + partSize * s : nil,
                                                     biasGradient: wantBias ? parts + partSize * s + g.cout * g.rows : nil,
                                                     dx: dx)
                            }
                        }
                        if inputGradient != nil { inputGradient!.withMutablePointer { run($0) } } else { run(nil) }
                    }
                }
            }
            for s in 0..<shards.count {
                let part = parts + partSize * s
                if wantWeight { weight.accumulateGradient(part, count: g.cout * g.rows) }
                if wantBias { bias.accumulateGradient(part + g.cout * g.rows, count: g.cout) }
            }
        }
        return inputGradient
    }

    /// Forward for samples `samples`, block by block: im2col of the block into col
    /// [Cin·k·k, B·L], product [Cout, B·L] = weight · col, then
    /// out[n, c, :] = product[c, j·L ..< (j+1)·L] + bias[c] for sample n = block start + j.
    private static func forwardSamples(
        x: UnsafePointer<Float>, samples: Range<Int>, g: Geometry,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>
    ) {
        let (cells, rows, cout) = (g.cells, g.rows, g.cout)
        let block = min(g.block, samples.count)
        withScratch(rows * block * cells + cout * block * cells) { col in
            let product = col + rows * block * cells
            var lo = samples.lowerBound
            while lo < samples.upperBound {
                let r = lo..<min(samples.upperBound, lo + block)
                let ld = r.count * cells
                im2col(x: x, samples: r, cin: g.cin, h: g.h, w: g.w, ho: g.ho, wo: g.wo, k: g.k, d: g.d, col: col)
                BLAS.sgemm(m: cout, n: ld, k: rows, a: weight, lda: rows, b: col, ldb: ld, beta: 0, c: product, ldc: ld)
                for j in 0..<r.count {
                    let dstSample = out + (r.lowerBound + j) * cout * cells
                    for c in 0..<cout {
                        let src = product + c * ld + j * cells
                        let dst = dstSample + c * cells
                        let b = bias[c]
                        for i in 0..<cells { dst[i] = src[i] + b }
                    }
                }
                lo = r.upperBound
            }
        }
    }

    /// Backward for samples `samples`, block by block (the column matrix is rebuilt rather than
    /// kept from forward): dY [Cout, B·L] from dOut; weightGradient [Cout, Cin·k·k] (+)= dY · colᵀ
    /// and biasGradient [Cout] (+)= row sums of dY (both overwritten by the first block);
    /// dcol = weightᵀ · dY scattered into dx by col2im.
    private static func backwardSamples(
        x: UnsafePointer<Float>, dOut: UnsafePointer<Float>, samples: Range<Int>, g: Geometry,
        weight: UnsafePointer<Float>, weightGradient: UnsafeMutablePointer<Float>?,
        biasGradient: UnsafeMutablePointer<Float>?, dx: UnsafeMutablePointer<Float>?
    ) {
        let (cells, rows, cout) = (g.cells, g.rows, g.cout)
        let block = min(g.block, samples.count)
        if let biasGradient { biasGradient.update(repeating: 0, count: cout) }
        withScratch(rows * block * cells + cout * block * cells) { col in
            let dy = col + rows * block * cells
            var lo = samples.lowerBound
            var first = true
            while lo < samples.upperBound {
                let r = lo..<min(samples.upperBound, lo + block)
                let ld = r.count * cells
                for c in 0..<cout {
                    for j in 0..<r.count {
                        let src = dOut + ((r.lowerBound + j) * cout + c) * cells
                        let dst = dy + c * ld + j * cells
                        for i in 0..<cells { dst[i] = src[i] }
                    }
                }
                if let weightGradient {
                    im2col(x: x, samples: r, cin: g.cin, h: g.h, w: g.w, ho: g.ho, wo: g.wo, k: g.k, d: g.d, col: col)
                    BLAS.sgemm(transB: true, m: cout, n: rows, k: ld, a: dy, lda: ld, b: col, ldb: ld,
                               beta: first ? 0 : 1, c: weightGradient, ldc: rows)
                }
                if let biasGradient {
                    for c in 0..<cout {
                        var sum: Float = 0
                        let row = dy + c * ld
                        for i in 0..<ld { sum += row[i] }
                        biasGradient[c] += sum
                    }
                }
                if let dx {
                    BLAS.sgemm(transA: true, m: rows, n: ld, k: cout, a: weight, lda: rows, b: dy, ldb: ld,
                               beta: 0, c: col, ldc: ld)
                    col2im(col: col, samples: r, cin: g.cin, h: g.h, w: g.w, ho: g.ho, wo: g.wo, k: g.k, d: g.d, dx: dx)
                }
                first = false
                lo = r.upperBound
            }
        }
    }

    /// col[(ci·k + i)·k + j, s·L + oy·Wo + ox] = x[n, ci, oy + i·d, ox + j·d] for the samples n of the shard.
    static func im2col(
        x: UnsafePointer<Float>, samples: Range<Int>, cin: Int, h: Int, w: Int, ho: Int, wo: Int,
        k: Int, d: Int, col: UnsafeMutablePointer<Float>
    ) {
        let ns = samples.count
        let cells = ho * wo
        let ld = ns * cells
        for ci in 0..<cin {
            for i in 0..<k {
                for j in 0..<k {
                    let row = col + ((ci * k + i) * k + j) * ld
                    for s in 0..<ns {
                        let plane = x + ((samples.lowerBound + s) * cin + ci) * h * w + i * d * w + j * d
                        let dst = row + s * cells
                        for oy in 0..<ho { copyRow(plane + oy * w, dst + oy * wo, count: wo) }
                    }
                }
            }
        }
    }

    /// dst[0..<count] = src[0..<count] with 8- or 4-lane moves (overlapping at the tail) rather than
    /// a memmove call per short row.
    @inline(__always)
    static func copyRow(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        typealias V8 = SIMD8<Float>
        typealias V4 = SIMD4<Float>
        if count >= 8 {
            var i = 0
            while i + 8 <= count {
                UnsafeMutableRawPointer(dst + i).storeBytes(of: UnsafeRawPointer(src + i).loadUnaligned(as: V8.self), as: V8.self)
                i += 8
            }
            if i < count {
                let t = count - 8
                UnsafeMutableRawPointer(dst + t).storeBytes(of: UnsafeRawPointer(src + t).loadUnaligned(as: V8.self), as: V8.self)
            }
        } else if count >= 4 {
            UnsafeMutableRawPointer(dst).storeBytes(of: UnsafeRawPointer(src).loadUnaligned(as: V4.self), as: V4.self)
            let t = count - 4
            UnsafeMutableRawPointer(dst + t).storeBytes(of: UnsafeRawPointer(src + t).loadUnaligned(as: V4.self), as: V4.self)
        } else {
            for i in 0..<count { dst[i] = src[i] }
        }
    }

    /// The adjoint of `im2col`: dx[n, ci, oy + i·d, ox + j·d] += col[(ci·k + i)·k + j, s·L + oy·Wo + ox].
    static func col2im(
        col: UnsafePointer<Float>, samples: Range<Int>, cin: Int, h: Int, w: Int, ho: Int, wo: Int,
        k: Int, d: Int, dx: UnsafeMutablePointer<Float>
    ) {
        let ns = samples.count
        let cells = ho * wo
        let ld = ns * cells
        for s in 0..<ns {
            for ci in 0..<cin {
                let plane = dx + ((samples.lowerBound + s) * cin + ci) * h * w
                for i in 0..<k {
                    for j in 0..<k {
                        let src = col + ((ci * k + i) * k + j) * ld + s * cells
                        let base = plane + i * d * w + j * d
                        for oy in 0..<ho {
                            let srow = src + oy * wo
                            let drow = base + oy * w
                            for ox in 0..<wo { drow[ox] += srow[ox] }
                        }
                    }
                }
            }
        }
    }
}
