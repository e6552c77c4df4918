/// The architecture of the reference network of design/model.md, with its defaults.
///
/// Blocks (ids 1...6): conv1 Conv(C, w1, k) → Swish → BN → Dropout;
/// conv2 Conv(w1, w2, k) → Swish → MaxPool(pool, pool) → BN → Dropout;
/// conv3 Conv(w2, w3, k) → Swish → BN → Dropout; flatten (+ depth one-hot);
/// fc1 Linear(·, f1) → Swish → BN1d → Dropout; fc2 Linear(f1, f2) → ReLU → BN1d → Dropout;
/// fc3 Linear(f2, f3) → ReLU; then the output Linear(f3, 1).
public struct NetworkConfig: Codable, Sendable, Equatable {
    /// How depth enters the network.
    public enum Kind: String, Codable, Sendable {
        /// One head; the depth one-hot is appended to the flattened convolutional features.
        case depthInput
        /// The convolutional trunk shared by one head per depth (fc1...output), no depth input.
        case heads
    }

    /// Depth input or one head per depth.
    public var kind: Kind
    /// Input channels (C).
    public var channels: Int
    /// Patch side (P, odd).
    public var patchSize: Int
    /// Number of depth intervals (D): one-hot width, or number of heads.
    public var depths: Int
    /// Pooling window and stride after conv2.
    public var poolSize: Int
    /// Convolution kernel side.
    public var kernelSize: Int
    /// Output channels of conv1, conv2, conv3.
    public var convWidths: [Int]
    /// Output widths of fc1, fc2, fc3.
    public var fcWidths: [Int]
    /// Dropout probability after each convolutional block.
    public var convDropout: Float
    /// Dropout probability after fc1 and fc2.
    public var fcDropout: Float

    /// The reference network for `channels` input channels (other values from design/model.md).
    public init(
        kind: Kind = .depthInput, channels: Int, patchSize: Int = 13, depths: Int = 6, poolSize: Int = 3,
        kernelSize: Int = 3, convWidths: [Int] = [32, 64, 128], fcWidths: [Int] = [128, 64, 32],
        convDropout: Float = 0.1, fcDropout: Float = 0.2
    ) {
        self.kind = kind
        self.channels = channels
        self.patchSize = patchSize
        self.depths = depths
        self.poolSize = poolSize
        self.kernelSize = kernelSize
        self.convWidths = convWidths
        self.fcWidths = fcWidths
        self.convDropout = convDropout
        self.fcDropout = fcDropout
    }

    /// Side of conv3's output (1 for the reference P = 13, pool 3).
    public var trunkOutputSide: Int { (patchSize - 2 * (kernelSize - 1)) / max(poolSize, 1) - (kernelSize - 1) }

    /// Number of flattened convolutional features (w3 · side²).
    public var trunkFeatures: Int { (convWidths.last ?? 0) * trunkOutputSide * trunkOutputSide }

    /// Number of outputs per sample: 1, or one per depth for `.heads`.
    public var outputs: Int { kind == .heads ? depths : 1 }

    /// Throws `NeuralNetError.badArchitecture` naming the first value that does not fit.
    public func validate() throws {
        func fail(_ reason: String) throws { throw NeuralNetError.badArchitecture(reason: reason) }
        if channels < 1 { try fail("channels must be at least 1, got \(channels)") }
        if depths < 1 { try fail("depths must be at least 1, got \(depths)") }
        if kernelSize < 1 { try fail("kernelSize must be at least 1, got \(kernelSize)") }
        if poolSize < 1 { try fail("poolSize must be at least 1, got \(poolSize)") }
        if convWidths.count != 3 || convWidths.contains(where: { $0 < 1 }) {
            try fail("convWidths must be three positive widths (conv1, conv2, conv3), got \(convWidths)")
        }
        if fcWidths.count != 3 || fcWidths.contains(where: { $0 < 1 }) {
            try fail("fcWidths must be three positive widths (fc1, fc2, fc3), got \(fcWidths)")
        }
        for (name, p) in [("convDropout", convDropout), ("fcDropout", fcDropout)] where !(p >= 0 && p < 1) {
            try fail("\(name) must be in [0, 1), got \(p)")
        }
        let afterConv2 = patchSize - 2 * (kernelSize - 1)
        if afterConv2 < poolSize || afterConv2 % poolSize != 0 {
            try fail(
                """
                patchSize \(patchSize) minus \(2 * (kernelSize - 1)) = \(afterConv2) must be a positive multiple of \
                poolSize \(poolSize), so that the pooling windows tile conv2's output (e.g. patchSize 13, poolSize 3)
                """
            )
        }
        if trunkOutputSide < 1 {
            try fail(
                "patchSize \(patchSize) with poolSize \(poolSize) leaves nothing for conv3 "
                    + "(needs (patchSize - \(2 * (kernelSize - 1))) / poolSize >= \(kernelSize))")
        }
    }
}
