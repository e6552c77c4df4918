import Compute

/// Inference: patch-wise prediction in parallel chunks, and dense (fully convolutional) maps.
extension Network {
    /// Samples per chunk of patch-wise inference (each chunk runs through the whole network on one core).
    static let inferenceChunk = 64

    /// Brings every layer's derived weights up to date (before inference from several threads).
    func prepareForInference() {
        for block in convBlocks { block.prepareForInference() }
        for head in heads { for block in head { block.prepareForInference() } }
    }

    /// Inference outputs [N, outputs] of one chunk, on the calling thread.
    func inferOutputs(_ patches: Tensor, _ depthOneHot: Tensor?) -> Tensor {
        let n = patches.shape[0]
        var x = patches
        for block in convBlocks { x = block.infer(x) }
        x = flatten.infer(x)
        if let append, let depthOneHot { x = append.infer(x, extra: depthOneHot) }
        let outputs = heads.map { head in head.reduce(x) { $1.infer($0) } }
        return Self.joinColumns(outputs, rows: n)
    }

    /// Inference outputs [N, outputs] for any N, in chunks spread over the cores (whatever the mode).
    public func inferAll(patches: Tensor, depthOneHot: Tensor?) -> Tensor {
        let n = checkInputs(patches, depthOneHot)
        prepareForInference()
        let chunk = Self.inferenceChunk
        if n <= chunk { return inferOutputs(patches, depthOneHot) }
        let k = config.outputs
        let sampleSize = patches.count / n
        let d = config.depths
        let chunks = (n + chunk - 1) / chunk
        return Tensor(shape: [n, k]) { out in
            let outBase = out.baseAddress!
            patches.withPointer { x in
                Parallel.forEach(chunks) { c in
                    let lo = c * chunk
                    let hi = min(n, lo + chunk)
                    let part = Tensor(shape: [hi - lo] + patches.shape.dropFirst()) { buffer in
                        buffer.baseAddress!.update(from: x + lo * sampleSize, count: (hi - lo) * sampleSize)
                    }
                    let depth = depthOneHot.map { t in
                        Tensor(shape: [hi - lo, d], data: Array(t.data[(lo * d)..<(hi * d)]))
                    }
                    let y = self.inferOutputs(part, self.config.kind == .depthInput ? depth : nil)
                    y.withPointer { (outBase + lo * k).update(from: $0, count: (hi - lo) * k) }
                }
            }
        }
    }

    /// One prediction per patch [N, C, P, P] in inference mode (whatever the current mode).
    /// `depthOneHot` [N, D] is the depth input of `.depthInput`; for `.heads` it selects each
    /// sample's head (the index of its largest entry).
    public func predict(patches: Tensor, depthOneHot: Tensor) -> [Float] {
        let n = checkInputs(patches, depthOneHot)
        precondition(
            depthOneHot.shape == [n, config.depths],
            "Network.predict: depthOneHot must be [\(n), \(config.depths)], got \(depthOneHot.shape)")
        let y = inferAll(patches: patches, depthOneHot: depthOneHot)
        if config.kind == .depthInput { return y.data }
        let d = config.depths
        return (0..<n).map { i in
            let row = depthOneHot.data[(i * d)..<((i + 1) * d)]
            let head = row.indices.max { row[$0] < row[$1] }! - i * d
            return y.data[i * d + head]
        }
    }

    /// Every head's prediction [N, D] for `.heads` (inference mode).
    public func predictHeads(patches: Tensor) -> Tensor {
        precondition(
            config.kind == .heads, "Network.predictHeads needs a .heads network; use predict(patches:depthOneHot:)")
        return inferAll(patches: patches, depthOneHot: nil)
    }

    /// The dense inference map [H − P + 1, W − P + 1] of a tile [C, H, W] for depth `depthIndex`:
    /// cell (i, j) is the prediction for the patch whose top-left corner is (i, j). Runs the trunk
    /// fully convolutionally (pooling as a stride-1 window, later layers dilated by the pool size,
    /// the fully connected layers as convolutions with the depth one-hot folded into fc1's bias),
    /// over output chunks of at most `chunkSize` × `chunkSize` cells spread over the cores.
    /// `DenseMapper` maps several depths at once, sharing the blocks they have in common.
    public func denseMap(tile: Tensor, depthIndex: Int, chunkSize: Int = 48) -> Tensor {
        let maps = DenseMapper(members: [(self, depthIndex)]).maps(tile: tile, chunkSize: chunkSize)
        return maps.reshaped(Array(maps.shape.dropFirst()))
    }

    /// The dense form of the network for one depth: a list of inference layers on [1, ·, H, W].
    func denseLayers(depthIndex: Int) -> [any Layer] {
        let c = config
        let pool = c.poolSize
        func conv(_ l: any Layer, dilation: Int) -> Conv2D {
            let conv = l as! Conv2D
            return Conv2D(weight: conv.weight.value, bias: conv.bias.value, dilation: dilation)
        }
        let b1 = convBlocks[0].layers
        let b2 = convBlocks[1].layers
        let b3 = convBlocks[2].layers
        var layers: [any Layer] = [
            conv(b1[0], dilation: 1), Swish(), b1[2],
            conv(b2[0], dilation: 1), Swish(), MaxPool2D(kernelSize: pool, stride: 1), b2[3],
            conv(b3[0], dilation: pool), Swish(), b3[2]
        ]
        let head = heads[c.kind == .heads ? depthIndex : 0]
        // fc1 as a side × side convolution (dilated by the pool size) over conv3's channels.
        let fc1 = head[0].layers[0] as! Linear
        let side = c.trunkOutputSide
        let w3 = c.convWidths[2]
        let f1 = fc1.outFeatures
        let trunk = c.trunkFeatures
        var weight = [Float](repeating: 0, count: f1 * trunk)
        var bias = fc1.bias.value.data
        for o in 0..<f1 {
            for i in 0..<trunk { weight[o * trunk + i] = fc1.weight.value.data[o * fc1.inFeatures + i] }
            if c.kind == .depthInput { bias[o] += fc1.weight.value.data[o * fc1.inFeatures + trunk + depthIndex] }
        }
        layers.append(
            Conv2D(
                weight: Tensor(shape: [f1, w3, side, side], data: weight),
                bias: Tensor(shape: [f1], data: bias), dilation: pool))
        layers += [head[0].layers[1], head[0].layers[2]]
        for block in head.dropFirst() {
            for layer in block.layers {
                if let linear = layer as? Linear {
                    layers.append(
                        Conv2D(
                            weight: linear.weight.value.reshaped([linear.outFeatures, linear.inFeatures, 1, 1]),
                            bias: linear.bias.value))
                } else if !(layer is Dropout) {
                    layers.append(layer)
                }
            }
        }
        return layers.filter { !($0 is Dropout) }
    }
}
