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

    private var inputShape: [Int] = []
    private var shards: [Range<Int>] = []
    /// Column matrices of the last training forward, shard after shard.
    private var columns: [Float] = []

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

    private var geometry: (k: Int, d: Int) { (kernelSize, dilation) }

    public func infer(_ input: Tensor) -> Tensor {
        let outShape = outputShape(for: input.shape)
        let (n, h, w, ho, wo) = (input.shape[0], input.shape[2], input.shape[3], outShape[2], outShape[3])
        let rows = inChannels * kernelSize * kernelSize
        let cells = ho * wo
        // Blocks of samples whose column matrix stays near 2 MB.
        let block = max(1, min(n, (1 << 19) / max(1, rows * cells)))
        return Tensor(shape: outShape) { out in
            input.withPointer { x in
                weight.value.withPointer { wt in
                    bias.value.withPointer { b in
                        withScratch(rows * block * cells + outChannels * block * cells) { scratch in
                            var lo = 0
                            while lo < n {
                                let hi = min(n, lo + block)
                                Self.forwardShard(x: x, samples: lo..<hi, cin: inChannels, h: h, w: w,
                                                  ho: ho, wo: wo, k: kernelSize, d: dilation, cout: outChannels,
                                                  weight: wt, bias: b, col: scratch,
                                                  product: scratch + rows * block * cells, out: out.baseAddress!)
                                lo = hi
                            }
                        }
                    }
                }
            }
        }
    }

    public func forward(_ input: Tensor) -> Tensor {
        let outShape = outputShape(for: input.shape)
        let (n, h, w, ho, wo) = (input.shape[0], input.shape[2], input.shape[3], outShape[2], outShape[3])
        let rows = inChannels * kernelSize * kernelSize
        let cells = ho * wo
        inputShape = input.shape
        shards = Parallel.shards(n, workPerItem: 2 * rows * cells * outChannels)
        columns.resize(to: rows * n * cells)
        let (cin, k, d, cout, shards) = (inChannels, kernelSize, dilation, outChannels, shards)
        return Tensor(shape: outShape) { out in
            input.withPointer { x in
                weight.value.withPointer { wt in
                    bias.value.withPointer { b in
                        withScratch(cout * n * cells) { product in
                            columns.withUnsafeMutableBufferPointer { cols in
                                let colBase = cols.baseAddress!
                                let outBase = out.baseAddress!
                                Parallel.forEach(shards.count) { s in
                                    let r = shards[s]
                                    Self.forwardShard(x: x, samples: r, cin: cin, h: h, w: w, ho: ho, wo: wo,
                                                      k: k, d: d, cout: cout, weight: wt, bias: b,
                                                      col: colBase + rows * r.lowerBound * cells,
                                                      product: product + cout * r.lowerBound * cells, out: outBase)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
        precondition(!inputShape.isEmpty, "Conv2D.backward called before forward")
        let outShape = outputShape(for: inputShape)
        precondition(outputGradient.shape == outShape,
                     "Conv2D.backward: gradient shape \(outputGradient.shape), expected \(outShape)")
        let (n, h, w, ho, wo) = (inputShape[0], inputShape[2], inputShape[3], outShape[2], outShape[3])
        let (cin, k, d, cout, shards) = (inChannels, kernelSize, dilation, outChannels, shards)
        let rows = cin * k * k
        let cells = ho * wo
        let wantWeight = !weight.frozen
        let wantBias = !bias.frozen
        let partSize = cout * rows + cout
        var inputGradient = needsInputGradient ? Tensor(shape: inputShape) : nil
        withScratch(partSize * shards.count + cout * n * cells) { scratch in
            let parts = scratch
            let dyAll = scratch + partSize * shards.count
            outputGradient.withPointer { dOut in
                weight.value.withPointer { wt in
                    columns.withUnsafeMutableBufferPointer { cols in
                        let colBase = cols.baseAddress!
                        let work = { (dx: UnsafeMutablePointer<Float>?) in
                            Parallel.forEach(shards.count) { s in
                                let r = shards[s]
                                let ns = r.count
                                let ld = ns * cells
                                let col = colBase + rows * r.lowerBound * cells
                                let dy = dyAll + cout * r.lowerBound * cells
                                // dY of the shard as [Cout, Ns·L].
                                for c in 0..<cout {
                                    for j in 0..<ns {
                                        let src = dOut + ((r.lowerBound + j) * cout + c) * cells
                                        let dst = dy + c * ld + j * cells
                                        for i in 0..<cells { dst[i] = src[i] }
                                    }
                                }
                                let part = parts + partSize * s
                                if wantWeight {
                                    BLAS.sgemm(transB: true, m: cout, n: rows, k: ld, a: dy, lda: ld,
                                               b: col, ldb: ld, beta: 0, c: part, ldc: rows)
                                }
                                if wantBias {
                                    for c in 0..<cout {
                                        var sum: Float = 0
                                        let row = dy + c * ld
                                        for i in 0..<ld { sum += row[i] }
                                        part[cout * rows + c] = sum
                                    }
                                }
                                if let dx {
                                    // dcol = Wᵀ · dY, written over the columns (no longer needed).
                                    BLAS.sgemm(transA: true, m: rows, n: ld, k: cout, a: wt, lda: rows,
                                               b: dy, ldb: ld, beta: 0, c: col, ldc: ld)
                                    Self.col2im(col: col, samples: r, cin: cin, h: h, w: w, ho: ho, wo: wo,
                                                k: k, d: d, dx: dx)
                                }
                            }
                        }
                        if inputGradient != nil {
                            inputGradient!.withMutablePointer { dx in work(dx) }
                        } else {
                            work(nil)
                        }
                    }
                }
            }
            for s in 0..<shards.count {
                let part = parts + partSize * s
                if wantWeight { weight.accumulateGradient(part, count: cout * rows) }
                if wantBias { bias.accumulateGradient(part + cout * rows, count: cout) }
            }
        }
        // The columns were overwritten by dcol: a second backward needs a new forward.
        if needsInputGradient { inputShape = [] }
        return inputGradient
    }

    /// One shard of the forward pass: im2col of samples `samples` into `col` [Cin·k·k, Ns·L],
    /// `product` [Cout, Ns·L] = weight · col, then out[n, c, :] = product[c, n·L ..< (n+1)·L] + bias[c].
    static func forwardShard(
        x: UnsafePointer<Float>, samples: Range<Int>, cin: Int, h: Int, w: Int, ho: Int, wo: Int,
        k: Int, d: Int, cout: Int, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        col: UnsafeMutablePointer<Float>, product: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>
    ) {
        let ns = samples.count
        let cells = ho * wo
        let ld = ns * cells
        let rows = cin * k * k
        im2col(x: x, samples: samples, cin: cin, h: h, w: w, ho: ho, wo: wo, k: k, d: d, col: col)
        BLAS.sgemm(m: cout, n: ld, k: rows, a: weight, lda: rows, b: col, ldb: ld, beta: 0, c: product, ldc: ld)
        for j in 0..<ns {
            let dstSample = out + (samples.lowerBound + j) * cout * cells
            for c in 0..<cout {
                let src = product + c * ld + j * cells
                let dst = dstSample + c * cells
                let b = bias[c]
                for i in 0..<cells { dst[i] = src[i] + b }
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
                        for oy in 0..<ho {
                            let src = plane + oy * w
                            let drow = dst + oy * wo
                            for ox in 0..<wo { drow[ox] = src[ox] }
                        }
                    }
                }
            }
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
