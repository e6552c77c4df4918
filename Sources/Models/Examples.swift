import NeuralNet
import Patches

/// One training example: a site's patch, its depth (for the one-hot input) and scaled targets.
struct Example: Sendable {
    /// Site index in the patch data set.
    var site: Int
    /// Depth index (the one-hot input of `.depthInput` networks).
    var depth: Int
    /// Scaled targets, one per network output.
    var targets: [Float]
    /// 1 where a target exists, 0 where it is missing (heads networks), nil when all exist.
    var mask: [Float]?
}

/// Builds input tensors from examples.
enum Batch {
    /// Patches [N, C, P, P] of the examples' sites.
    static func patches(_ examples: ArraySlice<Example>, from data: PatchDataset) -> Tensor {
        let len = data.patchLength
        let p = data.patchSize
        return Tensor(shape: [examples.count, data.channels.count, p, p]) { out in
            data.patches.withUnsafeBufferPointer { src in
                for (i, e) in examples.enumerated() {
                    (out.baseAddress! + i * len).update(from: src.baseAddress! + e.site * len, count: len)
                }
            }
        }
    }

    /// Depth one-hot [N, D].
    static func depthOneHot(_ depths: [Int], count d: Int) -> Tensor {
        Tensor(shape: [depths.count, d]) { out in
            out.initialize(repeating: 0)
            for (i, k) in depths.enumerated() { out[i * d + k] = 1 }
        }
    }

    /// Targets [N, K].
    static func targets(_ examples: ArraySlice<Example>, outputs k: Int) -> Tensor {
        Tensor(shape: [examples.count, k], data: examples.flatMap(\.targets))
    }

    /// Mask [N, K], nil when no example has one.
    static func mask(_ examples: ArraySlice<Example>, outputs k: Int) -> Tensor? {
        guard examples.contains(where: { $0.mask != nil }) else { return nil }
        return Tensor(shape: [examples.count, k], data: examples.flatMap { $0.mask ?? [Float](repeating: 1, count: k) })
    }
}
