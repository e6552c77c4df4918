/// Mean squared error, optionally masked.
public enum MSELoss {
    /// Loss and its gradient for predictions and targets of equal shape ([N, K]).
    ///
    /// Without a mask: mean over all N·K values of (prediction − target)², as PyTorch's
    /// mse_loss. With a mask (same shape, 0 or 1, or any non-negative weight): the
    /// weighted mean Σ m·(p − t)² / Σ m, so that the missing targets of a multi-head
    /// network contribute nothing; a mask that sums to zero gives loss 0 and gradient 0.
    public static func evaluate(
        prediction: Tensor, target: Tensor, mask: Tensor? = nil
    )
        -> (loss: Float, gradient: Tensor)
    {
        precondition(
            prediction.shape == target.shape,
            "MSELoss: prediction shape \(prediction.shape) differs from target shape \(target.shape)")
        if let mask {
            precondition(
                mask.shape == prediction.shape,
                "MSELoss: mask shape \(mask.shape) differs from prediction shape \(prediction.shape)")
        }
        let count = prediction.count
        let weights = mask?.data
        var total: Double = 0
        var weightSum: Double = 0
        for i in 0..<count {
            let m = Double(weights?[i] ?? 1)
            let d = Double(prediction.data[i] - target.data[i])
            total += m * d * d
            weightSum += m
        }
        guard weightSum > 0 else { return (0, Tensor(shape: prediction.shape)) }
        let scale = Float(2 / weightSum)
        let gradient = Tensor(shape: prediction.shape) { g in
            for i in 0..<count {
                g[i] = scale * (weights?[i] ?? 1) * (prediction.data[i] - target.data[i])
            }
        }
        return (Float(total / weightSum), gradient)
    }
}
