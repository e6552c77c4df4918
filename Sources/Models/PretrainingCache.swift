import Foundation
import NeuralNet

/// Pre-trained networks kept for reuse by transfer models whose pre-training would be identical
/// (same pre-training settings, seed and training samples) and that differ only in fine-tuning:
/// the variants of a study on one fold share one pre-training.
public final class PretrainingCache: @unchecked Sendable {
    private var entries: [String: (network: Network, log: FitLog)] = [:]
    private let lock = NSLock()
    /// Pre-trainings reused instead of run.
    public private(set) var hits = 0

    /// An empty cache.
    public init() {}

    /// The cached network and log for `key`, counting a hit.
    func lookup(_ key: String) -> (network: Network, log: FitLog)? {
        lock.lock()
        defer { lock.unlock() }
        guard let found = entries[key] else { return nil }
        hits += 1
        return found
    }

    /// Keeps a pre-training under `key`.
    func store(_ key: String, network: Network, log: FitLog) {
        lock.lock()
        defer { lock.unlock() }
        entries[key] = (network, log)
    }

    /// Forgets every entry (e.g. when a fold is done), keeping the hit count.
    public func removeAll() {
        lock.lock()
        defer { lock.unlock() }
        entries.removeAll()
    }

    /// The key of a pre-training: the settings that shape it (fine-tuning's own keys reset), the
    /// seed and the training samples.
    static func key(settings: ModelSettings, seed: UInt64, samples: [Int]) -> String {
        var s = settings
        let defaults = ModelSettings()
        s.freeze = defaults.freeze
        s.fineTuneLearningRate = defaults.fineTuneLearningRate
        s.fineTuneEpochs = defaults.fineTuneEpochs
        s.fineTuneBatchSize = defaults.fineTuneBatchSize
        s.scorePretrained = defaults.scorePretrained
        s.l2SP = defaults.l2SP
        s.headFirstEpochs = defaults.headFirstEpochs
        s.fineTuneBatchNorm = defaults.fineTuneBatchNorm
        s.trees = defaults.trees
        s.maxFeatures = defaults.maxFeatures
        s.minSamplesLeaf = defaults.minSamplesLeaf
        s.tuningTrees = defaults.tuningTrees
        s.ensemble = defaults.ensemble  // an ensemble's members share its first member's pre-training
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = (try? encoder.encode(s)).map { String(decoding: $0, as: UTF8.self) } ?? "\(s)"
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for i in samples { hash = (hash ^ UInt64(i)) &* 0x0000_0100_0000_01B3 }
        return "\(text)|\(seed)|\(samples.count)|\(hash)"
    }
}
