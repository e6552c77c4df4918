import Forest
import Foundation
import Patches
import TextFormat

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

    /// The impurity importance of each of `channels` channels averaged over the depth forests (zeros
    /// when no forest has one per channel): the area of applicability's weights and the covariate
    /// selection's record.
    public func meanImportance(channels: Int) -> [Double] {
        var sum = [Double](repeating: 0, count: channels)
        var n = 0
        for f in forests.compactMap({ $0 }) where f.featureImportance.count == channels {
            for ch in 0..<channels { sum[ch] += f.featureImportance[ch] }
            n += 1
        }
        return n > 0 ? sum.map { $0 / Double(n) } : sum
    }

    /// The file beside the forests that holds their importance (`importanceCSV`).
    public static let importanceFile = "importance.csv"

    /// The forests' impurity importance per covariate (a categorical covariate's one-hot channels summed):
    /// the covariates by falling mean over the depths with a forest (ties by name), each one's share at every
    /// depth (nil: no forest there; each depth's shares sum to 1) and that mean.
    public func importanceTable(
        channels: [PatchChannel]
    ) -> (covariates: [String], byDepth: [[Double]?], mean: [Double]) {
        var covariates: [String] = []
        for c in channels where !covariates.contains(c.covariate) { covariates.append(c.covariate) }
        let index = Dictionary(uniqueKeysWithValues: covariates.enumerated().map { ($1, $0) })
        var byDepth: [[Double]?] = []
        for forest in forests {
            guard let forest, forest.featureImportance.count == channels.count else {
                byDepth.append(nil)
                continue
            }
            var sums = [Double](repeating: 0, count: covariates.count)
            for (ch, c) in channels.enumerated() { sums[index[c.covariate]!] += forest.featureImportance[ch] }
            byDepth.append(sums)
        }
        let fitted = byDepth.compactMap { $0 }
        let mean = (0..<covariates.count).map { k in
            fitted.isEmpty ? 0 : fitted.reduce(0) { $0 + $1[k] } / Double(fitted.count)
        }
        let order = covariates.indices.sorted { (-mean[$0], covariates[$0]) < (-mean[$1], covariates[$1]) }
        return (
            order.map { covariates[$0] }, byDepth.map { d in d.map { v in order.map { v[$0] } } },
            order.map { mean[$0] }
        )
    }

    /// `importanceTable` as CSV: `covariate`, one column per depth label, and `mean` over the depths with a
    /// forest; a depth without a forest is empty.
    public func importanceCSV(channels: [PatchChannel], depths: [String]) -> String {
        let table = importanceTable(channels: channels)
        func number(_ x: Double) -> String { String(format: "%.6f", x) }
        var csv = (["covariate"] + depths.prefix(forests.count) + ["mean"]).map(CSVText.field).joined(separator: ",")
        csv += "\n"
        for (k, covariate) in table.covariates.enumerated() {
            let cells =
                [CSVText.field(covariate)] + table.byDepth.map { $0.map { number($0[k]) } ?? "" }
                + [number(table.mean[k])]
            csv += cells.joined(separator: ",") + "\n"
        }
        return csv
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
