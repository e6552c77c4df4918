/// Training: forward, loss, backward and one optimizer step.
extension Network {
    /// Checks patches [N, C, P, P] and, for `.depthInput`, the depth one-hot [N, D]; returns N.
    func checkInputs(_ patches: Tensor, _ depthOneHot: Tensor?) -> Int {
        let c = config
        precondition(
            patches.rank == 4 && patches.shape[1] == c.channels && patches.shape[2] == c.patchSize
                && patches.shape[3] == c.patchSize,
            "Network: patches must be [N, \(c.channels), \(c.patchSize), \(c.patchSize)], got \(patches.shape)")
        let n = patches.shape[0]
        if c.kind == .depthInput {
            precondition(
                depthOneHot?.shape == [n, c.depths],
                "Network: depthOneHot must be [\(n), \(c.depths)], got \(depthOneHot?.shape ?? [])")
        }
        return n
    }

    /// Outputs [N, outputs] for patches [N, C, P, P] and, for `.depthInput`, the depth one-hot [N, D]
    /// (ignored by `.heads`). In training mode this is the training pass that `backward` follows;
    /// in inference mode it is `inferAll` (no caches, so no `backward`).
    public func forward(patches: Tensor, depthOneHot: Tensor?) -> Tensor {
        let n = checkInputs(patches, depthOneHot)
        guard isTraining else { return inferAll(patches: patches, depthOneHot: depthOneHot) }
        var x = patches
        for block in convBlocks { x = block.forward(x) }
        x = flatten.forward(x)
        if let append, let depthOneHot { x = append.forward(x, extra: depthOneHot) }
        let outputs = heads.map { head in head.reduce(x) { $1.forward($0) } }
        return Self.joinColumns(outputs, rows: n)
    }

    /// Backward pass for the last training `forward`, from the gradient of the outputs [N, outputs]:
    /// accumulates parameter gradients (call `zeroGradients()` first) and returns the gradient of the
    /// patches when `needsInputGradient`. Frozen blocks below every trainable block are skipped.
    @discardableResult
    public func backward(outputGradient: Tensor, needsInputGradient: Bool = false) -> Tensor? {
        precondition(isTraining, "Network.backward needs a training-mode forward: call train() before forward")
        precondition(
            outputGradient.rank == 2 && outputGradient.shape[1] == config.outputs,
            "Network.backward: gradient must be [N, \(config.outputs)], got \(outputGradient.shape)")
        let n = outputGradient.shape[0]
        let trunkTrainable = convBlocks.contains { $0.isTrainable }
        let needTrunk = trunkTrainable || needsInputGradient
        var featureGradient: Tensor?
        for (h, head) in heads.enumerated() {
            var g = Self.column(h, of: outputGradient, rows: n)
            var reached = true
            let stop = needTrunk ? 0 : (head.firstIndex { $0.isTrainable } ?? head.count)
            var i = head.count - 1
            while i >= stop {
                guard let next = head[i].backward(g, needsInputGradient: i > stop || needTrunk) else {
                    reached = false
                    break
                }
                g = next
                i -= 1
            }
            guard needTrunk, reached else { continue }
            if let append { g = append.backward(g) }
            if featureGradient == nil {
                featureGradient = g
            } else {
                featureGradient!.withMutablePointer { sum in
                    g.withPointer { add in for j in 0..<g.count { sum[j] += add[j] } }
                }
            }
        }
        guard needTrunk, var g = featureGradient else { return nil }
        g = flatten.backward(g)
        let stop = needsInputGradient ? 0 : (convBlocks.firstIndex { $0.isTrainable } ?? convBlocks.count)
        var i = convBlocks.count - 1
        while i >= stop {
            guard let next = convBlocks[i].backward(g, needsInputGradient: i > stop || needsInputGradient) else {
                return nil
            }
            g = next
            i -= 1
        }
        return needsInputGradient ? g : nil
    }

    /// One training step: zero the gradients, training forward, MSE loss against `targets`
    /// [N, outputs] (optionally weighted by `mask`, same shape, for heads whose depth a site lacks),
    /// backward, the gradient of `penalty` if any, and one step of `optimizer`. Returns the MSE loss
    /// before the step (without the penalty).
    @discardableResult
    public func trainStep(
        patches: Tensor, depthOneHot: Tensor?, targets: Tensor, mask: Tensor? = nil,
        optimizer: Adam, penalty: L2SP? = nil
    ) -> Float {
        precondition(isTraining, "Network.trainStep needs training mode: call train() first")
        optimizer.zeroGradients()
        let output = forward(patches: patches, depthOneHot: depthOneHot)
        let (loss, gradient) = MSELoss.evaluate(prediction: output, target: targets, mask: mask)
        backward(outputGradient: gradient)
        penalty?.addGradient()
        optimizer.step()
        return loss
    }

    /// Column `j` of a [rows, k] tensor as [rows, 1].
    static func column(_ j: Int, of t: Tensor, rows: Int) -> Tensor {
        let k = t.shape[1]
        if k == 1 { return t }
        return Tensor(shape: [rows, 1]) { out in for i in 0..<rows { out[i] = t.data[i * k + j] } }
    }

    /// [rows, 1] tensors side by side as [rows, k].
    static func joinColumns(_ columns: [Tensor], rows: Int) -> Tensor {
        if columns.count == 1 { return columns[0] }
        let k = columns.count
        return Tensor(shape: [rows, k]) { out in
            for (j, c) in columns.enumerated() { for i in 0..<rows { out[i * k + j] = c.data[i] } }
        }
    }
}
