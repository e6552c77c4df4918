import Evaluation
import Foundation
import Models
import Patches
import Randomness

/// The patch channels of one covariate: a continuous covariate's channel, or a categorical one's one-hot
/// channels (which a perturbation always moves together).
public struct CovariateChannels: Sendable, Equatable {
    /// The covariate's name (`PatchChannel.covariate`).
    public var covariate: String
    /// Its channels' indices, ascending.
    public var channels: [Int]
    /// Whether its channels are one-hot classes.
    public var categorical: Bool

    /// Makes a record.
    public init(covariate: String, channels: [Int], categorical: Bool) {
        self.covariate = covariate
        self.channels = channels
        self.categorical = categorical
    }

    /// The covariates of `channels`, in the order of their first channel.
    public static func of(_ channels: [PatchChannel]) -> [CovariateChannels] {
        var out: [CovariateChannels] = []
        for (i, c) in channels.enumerated() {
            if let k = out.firstIndex(where: { $0.covariate == c.covariate }) {
                out[k].channels.append(i)
            } else {
                out.append(CovariateChannels(covariate: c.covariate, channels: [i], categorical: c.classValue != nil))
            }
        }
        return out
    }
}

/// What drives a model, measured by changing covariates in the patches and predicting again (nothing is
/// refitted): permutation importance on held-out samples, and partial dependence.
public enum ChannelPerturbation {
    /// One fold of a model's cross-validation: its saved model, the data the model reads (its channels of
    /// the experiment's data) and the fold's held-out samples (indices into `data.samples`).
    public struct Fold {
        /// The fold's model.
        public var model: TrainedModel
        /// The data set in the model's channels.
        public var data: PatchDataset
        /// The held-out samples.
        public var heldOut: [Int]

        /// Makes a fold.
        public init(model: TrainedModel, data: PatchDataset, heldOut: [Int]) {
            self.model = model
            self.data = data
            self.heldOut = heldOut
        }
    }

    /// The permutation of `count` positions that a shuffle draws from `stream` (Fisher-Yates with
    /// xoshiro256**).
    public static func seededPermutation(_ count: Int, _ stream: SeedStream) -> [Int] {
        var order = Array(0..<count)
        var rng = Xoshiro256(seed: stream.seed)
        rng.shuffle(&order)
        return order
    }

    /// `samples` of `data` as a data set of their own with one site per sample, holding its site's patch,
    /// in the order given: a shuffle then moves patches between samples, not between sites (other depths of
    /// a site are other samples).
    static func perSample(_ data: PatchDataset, samples: [Int]) -> PatchDataset {
        let length = data.patchLength
        var patches = [Float](repeating: 0, count: samples.count * length)
        patches.withUnsafeMutableBufferPointer { out in
            data.patches.withUnsafeBufferPointer { source in
                for (i, s) in samples.enumerated() {
                    let site = data.samples[s].site
                    for k in 0..<length { out[i * length + k] = source[site * length + k] }
                }
            }
        }
        var copy = data
        copy.sites = samples.map { data.sites[data.samples[$0].site] }
        copy.samples = samples.enumerated().map { i, s in
            PatchSample(site: i, depth: data.samples[s].depth, value: data.samples[s].value)
        }
        copy.patches = patches
        return copy
    }

    /// Copies `channels` of the patches of `source` into `target` (same sites and channels): at position
    /// `positions[i]` of `target`, the patch of position `positions[permutation[i]]` of `source`. The
    /// identity permutation copies each patch onto itself.
    static func move(
        _ channels: [Int], positions: [Int], permutation: [Int], from source: PatchDataset,
        into target: inout PatchDataset
    ) {
        precondition(permutation.count == positions.count, "ChannelPerturbation.move: a position per permutation entry")
        let area = source.patchSize * source.patchSize
        let length = source.patchLength
        target.patches.withUnsafeMutableBufferPointer { out in
            source.patches.withUnsafeBufferPointer { from in
                for (i, to) in positions.enumerated() {
                    let donor = positions[permutation[i]]
                    for c in channels {
                        let a = to * length + c * area
                        let b = donor * length + c * area
                        for k in 0..<area { out[a + k] = from[b + k] }
                    }
                }
            }
        }
    }

    /// The permutation importance of one model over its folds: for every covariate (by name; one that a
    /// fold's model does not read changes nothing there) and repeat r, each fold's held-out samples of each
    /// depth d swap the covariate's channels by `permutation(count, seeds/<covariate>/<r>/<fold>/<d>)`;
    /// the fold's model predicts them, and per depth the RMSE of every fold's shuffled predictions is
    /// compared with the unshuffled one's (`PermutationImportanceRow.measure`). Rows by depth, then covariate.
    public static func permutationImportance(
        model: String, folds: [Fold], covariates: [String], depthLabels: [String], repeats: Int, seeds: SeedStream,
        permutation: (Int, SeedStream) -> [Int] = seededPermutation
    ) -> [PermutationImportanceRow] {
        let depths = depthLabels.count
        var observed = [[Double]](repeating: [], count: depths)
        var base = [[Double]](repeating: [], count: depths)
        // shuffled[covariate][repeat][depth]: the pooled predictions in the order of `observed`.
        var shuffled = [[[[Double]]]](
            repeating: [[[Double]]](repeating: [[Double]](repeating: [], count: depths), count: repeats),
            count: covariates.count)
        for (f, fold) in folds.enumerated() {
            let original = perSample(fold.data, samples: fold.heldOut)
            let all = Array(original.samples.indices)
            let unshuffled = fold.model.predict(original, samples: all)
            let groups = (0..<depths).map { d in all.filter { original.samples[$0].depth == d } }
            for d in 0..<depths {
                observed[d] += groups[d].map { Double(original.samples[$0].value) }
                base[d] += groups[d].map { Double(unshuffled[$0]) }
            }
            let own = CovariateChannels.of(fold.data.channels)
            var working = original
            for (c, name) in covariates.enumerated() {
                for r in 0..<repeats {
                    var predicted = unshuffled
                    if let channels = own.first(where: { $0.covariate == name })?.channels {
                        for d in 0..<depths where groups[d].count > 1 {
                            let stream = seeds.child(name).child(r).child(f).child(d)
                            move(
                                channels, positions: groups[d], permutation: permutation(groups[d].count, stream),
                                from: original, into: &working)
                        }
                        predicted = fold.model.predict(working, samples: all)
                        move(channels, positions: all, permutation: Array(all.indices), from: original, into: &working)
                    }
                    for d in 0..<depths { shuffled[c][r][d] += groups[d].map { Double(predicted[$0]) } }
                }
            }
        }
        var rows: [PermutationImportanceRow] = []
        for (d, label) in depthLabels.enumerated() where !observed[d].isEmpty {
            for (c, name) in covariates.enumerated() {
                rows.append(
                    PermutationImportanceRow.measure(
                        model: model, depth: label, covariate: name, observed: observed[d], base: base[d],
                        shuffled: shuffled[c].map { $0[d] }))
            }
        }
        return rows
    }

    /// The partial dependence of `model` at depth `depth` on `covariate` (channels of `data`, the data the
    /// model reads), averaged over every sample of `data` at the depth: a continuous covariate on
    /// `PartialDependence.grid` of the samples' centre-cell values, each patch channel shifted by (grid
    /// value − its centre value); a categorical covariate at each class that some sample of the depth is in (at
    /// its centre cell), every cell of the patch set to it.
    /// The values are in the covariate's units (the channel's scaling undone) or class codes.
    public static func partialDependence(
        model: TrainedModel, data: PatchDataset, depth: Int, covariate: CovariateChannels
    ) -> (values: [Double], predictions: [Double], n: Int) {
        let samples = data.samples.indices.filter { data.samples[$0].depth == depth }
        guard !samples.isEmpty, !covariate.channels.isEmpty else { return ([], [], 0) }
        let original = perSample(data, samples: samples)
        let all = Array(original.samples.indices)
        var working = original
        func meanPrediction() -> Double {
            let p = model.predict(working, samples: all).map(Double.init).filter(\.isFinite)
            return p.isEmpty ? .nan : p.reduce(0, +) / Double(p.count)
        }
        if covariate.categorical {
            // The classes some sample of the depth is in (at its centre cell): another class set everywhere
            // would ask the model about patches it never saw.
            let classes = covariate.channels.filter { c in centreValues(c, of: original).contains { $0 > 0.5 } }
                .sorted { (data.channels[$0].classValue ?? 0, $0) < (data.channels[$1].classValue ?? 0, $1) }
            var predictions: [Double] = []
            for chosen in classes {
                setClass(chosen, of: covariate.channels, in: &working)
                predictions.append(meanPrediction())
            }
            return (classes.map { Double(data.channels[$0].classValue ?? 0) }, predictions, samples.count)
        }
        let channel = covariate.channels[0]
        let centres = centreValues(channel, of: original)
        let grid = PartialDependence.grid(centres.map(Double.init))
        var predictions: [Double] = []
        for g in grid {
            shift(channel, to: Float(g), from: original, into: &working)
            predictions.append(meanPrediction())
        }
        let c = data.channels[channel]
        return (grid.map { c.min + $0 * (c.max - c.min) }, predictions, samples.count)
    }

    /// The centre-cell value of `channel` in every patch of `data`.
    static func centreValues(_ channel: Int, of data: PatchDataset) -> [Float] {
        let area = data.patchSize * data.patchSize
        let centre = (data.patchSize / 2) * data.patchSize + data.patchSize / 2
        return data.sites.indices.map { data.patches[$0 * data.patchLength + channel * area + centre] }
    }

    /// Every patch of `target` gets `source`'s channel `channel` shifted by (`value` − its centre value):
    /// the centre takes the value, the other cells keep their differences to it.
    static func shift(_ channel: Int, to value: Float, from source: PatchDataset, into target: inout PatchDataset) {
        let area = source.patchSize * source.patchSize
        let length = source.patchLength
        let centres = centreValues(channel, of: source)
        target.patches.withUnsafeMutableBufferPointer { out in
            source.patches.withUnsafeBufferPointer { from in
                for i in source.sites.indices {
                    let delta = value - centres[i]
                    let a = i * length + channel * area
                    for k in 0..<area { out[a + k] = from[a + k] + delta }
                }
            }
        }
    }

    /// Every cell of every patch of `data` in class `chosen`: that one-hot channel 1, the covariate's other
    /// `channels` 0.
    static func setClass(_ chosen: Int, of channels: [Int], in data: inout PatchDataset) {
        let area = data.patchSize * data.patchSize
        let length = data.patchLength
        let sites = data.sites.count
        data.patches.withUnsafeMutableBufferPointer { out in
            for i in 0..<sites {
                for c in channels {
                    let v: Float = c == chosen ? 1 : 0
                    for k in 0..<area { out[i * length + c * area + k] = v }
                }
            }
        }
    }
}
