import Foundation
import NeuralNet
import Patches

/// The training samples of one fit (indices into a patch data set) and how to split them.
public struct TrainingData: Sendable {
    /// The patch data set.
    public let data: PatchDataset
    /// Indices into `data.samples` used for training.
    public let samples: [Int]

    /// Wraps a data set and the sample indices to train on.
    public init(data: PatchDataset, samples: [Int]) {
        self.data = data
        self.samples = samples
    }

    /// Splits the training sites: `fraction` of them (at least one when there are 10 or more) for early stopping.
    func validationSites(fraction: Double, seed: UInt64) -> Set<Int> {
        var sites = Array(Set(samples.map { data.samples[$0].site })).sorted()
        guard sites.count >= 10, fraction > 0 else { return [] }
        var rng = SeededGenerator(seed: seed)
        sites.shuffle(using: &rng)
        let n = max(1, Int((Double(sites.count) * fraction).rounded()))
        return Set(sites.prefix(n))
    }

    /// Sample indices at one depth.
    func samples(atDepth d: Int) -> [Int] { samples.filter { data.samples[$0].depth == d } }
}

/// A training step report: which fit, epoch, epochs and losses.
public struct TrainingEvent: Sendable {
    /// What is being trained, e.g. "transfer pre-train" or "cnn 30-60cm".
    public var stage: String
    /// Epoch finished.
    public var epoch: Int
    /// Maximum epochs.
    public var epochs: Int
    /// Mean training loss of the epoch (scaled targets).
    public var trainLoss: Float
    /// Validation loss (NaN without validation set).
    public var validationLoss: Float
    /// A ready-made detail for progress displays, when losses do not describe the step.
    public var detail: String? = nil
}
