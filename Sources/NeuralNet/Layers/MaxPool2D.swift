import Compute

/// Max pooling over square windows with a stride (no padding, floor mode, like PyTorch's MaxPool2d).
///
/// Shapes: input [N, C, H, W] → output [N, C, (H − k)/s + 1, (W − k)/s + 1].
/// Ties go to the first maximum in row-major window order, as in PyTorch; the
/// gradient flows to that one input only.
public final class MaxPool2D: Layer {
    /// Window side (k).
    public let kernelSize: Int
    /// Step between windows (s); 1 for dense sliding windows.
    public let stride: Int

    private var inputShape: [Int] = []
    /// Flat input index (within the sample plane) of each output's maximum.
    private var argmax: [Int32] = []

    /// Max pooling with window `kernelSize` and step `stride` (PyTorch's default stride is the window).
    public init(kernelSize: Int, stride: Int? = nil) {
        precondition(kernelSize >= 1, "MaxPool2D: kernel size must be at least 1, got \(kernelSize)")
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        precondition(self.stride >= 1, "MaxPool2D: stride must be at least 1, got \(self.stride)")
    }

    /// Output shape for an input shape [N, C, H, W].
    public func outputShape(for shape: [Int]) -> [Int] {
        precondition(shape.count == 4, "MaxPool2D: input must be [N, C, H, W], got \(shape)")
        precondition(
            shape[2] >= kernelSize && shape[3] >= kernelSize,
            "MaxPool2D: input \(shape[2])x\(shape[3]) is smaller than the window \(kernelSize)")
        return [shape[0], shape[1], (shape[2] - kernelSize) / stride + 1, (shape[3] - kernelSize) / stride + 1]
    }

    /// A new layer with the same window and stride.
    public func copy() -> any Layer { MaxPool2D(kernelSize: kernelSize, stride: stride) }

    /// The window maxima.
    public func infer(_ input: Tensor) -> Tensor { run(input, recordArgmax: nil) }

    /// The window maxima, keeping where each came from.
    public func forward(_ input: Tensor) -> Tensor {
        inputShape = input.shape
        let outShape = outputShape(for: input.shape)
        var indices = [Int32](repeating: 0, count: outShape.reduce(1, *))
        let out = indices.withUnsafeMutableBufferPointer { run(input, recordArgmax: $0.baseAddress!) }
        argmax = indices
        return out
    }

    private func run(_ input: Tensor, recordArgmax: UnsafeMutablePointer<Int32>?) -> Tensor {
        let outShape = outputShape(for: input.shape)
        let planes = input.shape[0] * input.shape[1]
        let (h, w, ho, wo, k, s) = (input.shape[2], input.shape[3], outShape[2], outShape[3], kernelSize, stride)
        precondition(h * w <= Int(Int32.max), "MaxPool2D: plane \(h)x\(w) too large")
        let parts =
            recordArgmax == nil
            ? [0..<planes] : Parallel.shards(planes, nanosecondsPerItem: 1.3 * Double(ho * wo * k * k))
        return Tensor(shape: outShape) { out in
            input.withPointer { x in
                let outBase = out.baseAddress!
                Parallel.forEach(parts.count) { p in
                    for plane in parts[p] {
                        let src = x + plane * h * w
                        let dst = outBase + plane * ho * wo
                        for oy in 0..<ho {
                            for ox in 0..<wo {
                                let corner = (oy * s) * w + ox * s
                                // Branch-free maximum (selects); the sum reveals a NaN in the window.
                                var best = -Float.infinity
                                var bestIndex = corner
                                var sum: Float = 0
                                for i in 0..<k {
                                    let row = corner + i * w
                                    for j in 0..<k {
                                        let v = src[row + j]
                                        let greater = v > best
                                        best = greater ? v : best
                                        bestIndex = greater ? row + j : bestIndex
                                        sum += v
                                    }
                                }
                                if sum.isNaN { (best, bestIndex) = Self.nanWindow(src, corner: corner, k: k, w: w) }
                                dst[oy * wo + ox] = best
                                if let recordArgmax { recordArgmax[plane * ho * wo + oy * wo + ox] = Int32(bestIndex) }
                            }
                        }
                    }
                }
            }
        }
    }

    /// PyTorch's rule for a window that holds a NaN (or +inf and -inf): the last NaN wins.
    private static func nanWindow(_ src: UnsafePointer<Float>, corner: Int, k: Int, w: Int) -> (Float, Int) {
        var best = -Float.infinity
        var bestIndex = corner
        for i in 0..<k {
            for j in 0..<k {
                let v = src[corner + i * w + j]
                if v > best || v.isNaN {
                    best = v
                    bestIndex = corner + i * w + j
                }
            }
        }
        return (best, bestIndex)
    }

    /// Each output gradient added to the input its maximum came from.
    public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
        precondition(!inputShape.isEmpty, "MaxPool2D.backward called before forward")
        precondition(
            outputGradient.shape == outputShape(for: inputShape),
            "MaxPool2D.backward: gradient shape \(outputGradient.shape), expected \(outputShape(for: inputShape))")
        guard needsInputGradient else { return nil }
        let planes = inputShape[0] * inputShape[1]
        let planeIn = inputShape[2] * inputShape[3]
        let planeOut = outputGradient.count / max(planes, 1)
        var dx = Tensor(shape: inputShape)
        let parts = Parallel.shards(planes, nanosecondsPerItem: 0.5 * Double(planeIn))
        dx.withMutablePointer { dxp in
            outputGradient.withPointer { dy in
                argmax.withUnsafeBufferPointer { argBuffer in
                    let arg = argBuffer.baseAddress!
                    Parallel.forEach(parts.count) { p in
                        for plane in parts[p] {
                            for o in 0..<planeOut {
                                dxp[plane * planeIn + Int(arg[plane * planeOut + o])] += dy[plane * planeOut + o]
                            }
                        }
                    }
                }
            }
        }
        return dx
    }
}
