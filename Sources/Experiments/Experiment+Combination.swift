import Evaluation
import Foundation
import Models

extension Experiment {
    /// The weights that combine `members` (variants of this experiment, on its folds) by `method`: `nnls`
    /// needs each member's inner folds (`Variant.innerFolds`) saved, `equal` reads nothing.
    public func combinationWeights(members: [String], method: CombineWeights) throws -> CombinationWeights {
        let depths = data.depths.count
        let equal = [[Double]](repeating: Stacking.equal(members.count), count: depths)
        let k = plan?.k ?? 0
        guard method == .nnls else {
            return CombinationWeights(
                members: members, method: method.rawValue, innerFolds: nil, depthLabels: data.depths.map(\.label),
                folds: [[[Double]]](repeating: equal, count: k), final: equal, fallbacks: 0, fits: 0)
        }
        var fallbacks = 0
        var fits = 0
        func fit(_ predictions: [[Float]]) -> [[Double]] {
            (0..<depths).map { d in
                let samples = data.samples.indices.filter { s in
                    data.samples[s].depth == d && predictions.allSatisfy { $0[s].isFinite }
                }
                fits += 1
                let x = predictions.map { p in samples.map { Double(p[$0]) } }
                if let w = Stacking.nnls(x, samples.map { Double(data.samples[$0].value) }) { return w }
                fallbacks += 1
                return Stacking.equal(members.count)
            }
        }
        let folds = try (0..<k).map { fold in try fit(members.map { try innerHeldOut($0, fold: fold) }) }
        let final = try fit(members.map { try heldOut($0) })
        return CombinationWeights(
            members: members, method: method.rawValue, innerFolds: variant(members[0]).innerFolds,
            depthLabels: data.depths.map(\.label), folds: folds, final: final, fallbacks: fallbacks, fits: fits)
    }

    /// Each sample's held-out prediction by the combination: its members' held-out predictions summed with the
    /// weights of the sample's fold and depth (NaN where a weighted member has none).
    public func combinedHeldOut(_ weights: CombinationWeights) throws -> [Float] {
        guard let plan else { return [] }
        let values = try weights.members.map { try heldOut($0) }
        return data.samples.indices.map { s in
            let fold = plan.foldOfSample[s]
            guard fold >= 0 else { return .nan }
            return Stacking.combine(values.map { $0[s] }, weights: weights.folds[fold][data.samples[s].depth])
        }
    }

    /// Every fold's combined prediction of every sample (`everyFoldPrediction` of each member, summed with that
    /// fold's weights): the spread of the other folds' combinations is the adaptive interval's difficulty.
    public func combinedEveryFoldPrediction(_ weights: CombinationWeights) throws -> [[Float]] {
        let byMember = try weights.members.map { try everyFoldPrediction($0) }
        guard let first = byMember.first else { return [] }
        return first.indices.map { fold in
            data.samples.indices.map { s in
                Stacking.combine(byMember.map { $0[fold][s] }, weights: weights.folds[fold][data.samples[s].depth])
            }
        }
    }
}
