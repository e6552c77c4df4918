import Forest
import Foundation
import Patches

/// A random forest per depth on the centre-cell covariate values (one-hot channels included).
public struct ForestModel: Sendable {
    /// One forest per depth (nil where a depth had too few training samples).
    public let forests: [RandomForest?]
    /// Out-of-bag tuning table per depth: (max_features, min_samples_leaf, OOB MSE).
    public let tuning: [[(maxFeatures: Int, minSamplesLeaf: Int, oobMSE: Double)]]
    /// Whether targets were log1p-transformed.
    public let log1p: Bool
    /// Patch edge P of the patches it was trained on (the forest reads their centre cell; maps mask by the patch).
    public let patchSize: Int

    /// The centre-cell feature row of each site: one value per channel.
    static func features(_ data: PatchDataset, sites: [Int]) -> [Float] {
        let p = data.patchSize
        let c = data.channels.count
        let centre = (p / 2) * p + p / 2
        var x = [Float](repeating: 0, count: sites.count * c)
        for (i, s) in sites.enumerated() {
            for ch in 0..<c { x[i * c + ch] = data.patches[s * data.patchLength + ch * p * p + centre] }
        }
        return x
    }

    /// The (max_features, min_samples_leaf) candidates: max_features capped at the feature count, duplicates removed.
    static func grid(_ settings: ModelSettings, features: Int) -> [(Int, Int)] {
        var seen = Set<Int>()
        let mf = settings.maxFeatures.map { min($0, features) }.filter { seen.insert($0).inserted }
        return mf.flatMap { m in settings.minSamplesLeaf.map { (m, $0) } }
    }

    /// Predictions in property units for the given samples.
    public func predict(_ data: PatchDataset, samples: [Int]) -> [Float] {
        var out = [Float](repeating: .nan, count: samples.count)
        for (d, forest) in forests.enumerated() {
            guard let forest else { continue }
            let positions = samples.indices.filter { data.samples[samples[$0]].depth == d }
            guard !positions.isEmpty else { continue }
            let x = Self.features(data, sites: positions.map { data.samples[samples[$0]].site })
            let y = forest.predict(x: x, n: positions.count)
            for (i, p) in positions.enumerated() { out[p] = log1p ? Float(expm1(Double(y[i]))) : y[i] }
        }
        return out
    }
}

/// Passes training events from the forest's worker threads (which call it one at a time, in order).
private final class EventSink: @unchecked Sendable {
    let send: (TrainingEvent) -> Void
    init(_ send: @escaping (TrainingEvent) -> Void) { self.send = send }
}

/// Trains the random forests.
public enum ForestTrainer {
    /// One forest per depth; max_features and min_samples_leaf chosen by out-of-bag error over the settings' grid.
    public static func fit(
        _ t: TrainingData, settings: ModelSettings, seed: UInt64,
        progress: ((TrainingEvent) -> Void)? = nil
    ) -> ForestModel {
        let c = t.data.channels.count
        var forests: [RandomForest?] = []
        var tables: [[(maxFeatures: Int, minSamplesLeaf: Int, oobMSE: Double)]] = []
        for d in 0..<t.data.depths.count {
            let label = t.data.depths[d].label
            let indices = t.samples(atDepth: d)
            guard indices.count >= 2 else {
                forests.append(nil)
                tables.append([])
                continue
            }
            let x = ForestModel.features(t.data, sites: indices.map { t.data.samples[$0].site })
            let y = indices.map { i -> Float in
                let v = t.data.samples[i].value
                return settings.log1p ? Float(Foundation.log1p(Double(max(v, 0)))) : v
            }
            let candidates = ForestModel.grid(settings, features: c)
            var table: [(maxFeatures: Int, minSamplesLeaf: Int, oobMSE: Double)] = []
            var best = (m: candidates[0].0, leaf: candidates[0].1, mse: Double.infinity)
            if candidates.count > 1 {
                for (i, (m, leaf)) in candidates.enumerated() {
                    let f = RandomForest.fit(
                        x: x, n: indices.count, p: c, y: y,
                        parameters: ForestParameters(
                            trees: settings.tuningTrees, maxFeatures: m,
                            minSamplesLeaf: leaf, seed: seed &+ UInt64(d)))
                    let mse = f.oobMSE ?? .infinity
                    table.append((m, leaf, mse))
                    if mse < best.mse { best = (m, leaf, mse) }
                    progress?(
                        TrainingEvent(
                            stage: "rf tuning \(label)", epoch: i + 1, epochs: candidates.count,
                            trainLoss: Float(mse), validationLoss: Float(best.mse),
                            detail: String(
                                format: "OOB MSE %.4g, best %.4g (max_features %d, min_samples_leaf %d)",
                                mse, best.mse, best.m, best.leaf)))
                }
            }
            // The final forest reports each tree (from a worker thread, in order), so its bar moves.
            let box = progress.map(EventSink.init)
            let forest = RandomForest.fit(
                x: x, n: indices.count, p: c, y: y,
                parameters: ForestParameters(
                    trees: settings.trees, maxFeatures: best.m,
                    minSamplesLeaf: best.leaf, seed: seed &+ 1000 &+ UInt64(d)),
                progress: box.map { sink in
                    { @Sendable done, total in
                        sink.send(
                            TrainingEvent(
                                stage: "rf \(label)", epoch: done, epochs: total, trainLoss: .nan,
                                validationLoss: .nan, detail: "trees"))
                    }
                })
            progress?(
                TrainingEvent(
                    stage: "rf \(label)", epoch: settings.trees, epochs: settings.trees,
                    trainLoss: Float(forest.oobMSE ?? .nan),
                    validationLoss: .nan,
                    detail: String(format: "%d trees, OOB MSE %.4g", settings.trees, forest.oobMSE ?? .nan)))
            forests.append(forest)
            tables.append(table)
        }
        return ForestModel(forests: forests, tuning: tables, log1p: settings.log1p, patchSize: t.data.patchSize)
    }
}
