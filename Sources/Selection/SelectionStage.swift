import Configuration
import Evaluation
import Experiments
import Foundation
import Models
import Patches
import Randomness
import TextFormat
import Workspace

/// One covariate selection (Han et al. 2025, Sec. 2.2) on a set of training sites: the filters, the
/// ranking, the cross-validated RMSE of every candidate subset and the subset kept.
///
/// A covariate is one unit with all its channels (a categorical covariate's one-hot channels stay
/// together). Its correlation with the property is, per channel, Pearson's r between the channel's
/// centre-cell value at the sites and the property at one depth, |r| averaged over the depths (a depth
/// where the channel is constant counts 0; pooling the depths would let the depth trend, which no
/// covariate explains, shrink every r); a covariate's |r| is the largest of its channels'. The
/// correlation of two covariates is the largest |r| between their channels over the sites.
public struct CovariateSelection: Sendable {
    /// A covariate and how it fared.
    public struct Covariate: Sendable, Equatable {
        /// Its name.
        public var name: String
        /// Its channels, indices into the patch data set's channels.
        public var channels: [Int]
        /// |r| with the property (see the type's description); 0 when constant at the sites.
        public var correlation: Double
        /// The ranking score: |r| (`order: correlation`) or the forest importance; nil when dropped by a filter.
        public var score: Double?
        /// Its rank (1 = first) among the covariates the filters left; nil when dropped.
        public var rank: Int?
        /// Why a filter dropped it, nil when it was ranked.
        public var dropped: Drop?
    }

    /// Why a filter dropped a covariate.
    public enum Drop: Sendable, Equatable {
        /// |r| with the property below `min_correlation` (or constant at the sites).
        case lowCorrelation
        /// Correlated with `with` (more correlated with the property) at |r| = `r`, above `max_pair_correlation`.
        case pair(with: String, r: Double)
    }

    /// One candidate subset: the first `size` ranked covariates and their cross-validated RMSE.
    public struct Subset: Sendable, Equatable {
        /// Covariates in the subset.
        public var size: Int
        /// Input channels of the subset.
        public var channels: Int
        /// RMSE per depth (NaN where no sample was predicted).
        public var rmse: [Double]
        /// RMSE pooled over the depths (every held-out sample of every depth): what picks the subset.
        public var pooledRMSE: Double
        /// Held-out samples predicted.
        public var n: Int
    }

    /// Every covariate of the data set, in channel order.
    public var covariates: [Covariate]
    /// The candidate subsets, smallest first.
    public var subsets: [Subset]
    /// The index into `subsets` of the subset kept (lowest pooled RMSE; the smaller on a tie).
    public var best: Int
    /// The kept covariates, in rank order.
    public var selected: [String]
    /// The kept channels, indices into the patch data set's channels, ascending (the stack's order).
    public var channels: [Int]
    /// Training sites the selection saw.
    public var sites: Int

    /// Covariates dropped by the correlation with the property.
    public var droppedLow: [Covariate] { covariates.filter { $0.dropped == .lowCorrelation } }
    /// Covariates dropped by the pair filter.
    public var droppedPair: [Covariate] {
        covariates.filter { if case .pair = $0.dropped { return true } else { return false } }
    }
}

/// What the `select` section produced: the selection on all sites (used by the final models and the
/// maps) and, with `per_fold`, each evaluation fold's own selection on its training sites.
public struct SelectionResult: Sendable {
    /// The settings.
    public var config: SelectConfig
    /// The selection on every site.
    public var final: CovariateSelection
    /// Each evaluation fold's selection on its training sites (empty unless `per_fold`).
    public var perFold: [CovariateSelection]
    /// Depth labels.
    public var depthLabels: [String]
    /// Folds of the inner cross-validation that scored the subsets.
    public var folds: Int
    /// Files written, relative to the output folder.
    public var files: [String]
    /// Wall time in seconds.
    public var seconds: Double

    /// Per covariate, in how many folds' selections it is (per-fold mode).
    public var foldCounts: [(name: String, folds: Int)] {
        final.covariates.map { c in (c.name, perFold.filter { $0.selected.contains(c.name) }.count) }
    }
}

/// Runs `select`: the filters, the ranking and the subset search, on all sites and, with `per_fold`,
/// inside each evaluation fold on its training sites only; writes `selection/`.
public enum SelectionStage {
    /// What the stage's start says: "select: covariates by correlation, then subsets of ...".
    public static func startText(_ select: SelectConfig, folds: Int) -> String {
        """
        select: covariates by correlation, then subsets of \(select.groupSize) scored by \(folds)-fold CV of \
        \(select.model.rawValue)
        """
            + (select.perFold ? ", redone inside each of the \(folds) evaluation folds" : "")
    }

    /// The selection of `select` on `data`: `plan` is the evaluation's folds holding out whole sites
    /// (selection does so whatever the evaluation's split), `folds` its spec (k and block size of the
    /// per-fold selections' inner folds), `seed` the run's seed (the selection draws from its `select`
    /// stream), `settings` the models' training settings; each fit is a unit of `store`. `file` (the
    /// pipeline file) is named in errors.
    public static func run(
        _ select: SelectConfig, data: PatchDataset, settings: ModelSettings, plan outer: FoldPlan, folds: FoldSpec,
        seed: UInt64, file: String, store: UnitStore, layout: OutputLayout, observer: ExperimentObserver
    ) throws -> SelectionResult {
        let start = Date()
        let seeds = SeedStream(root: seed).child("select")
        let context = Context(data: data, select: select, settings: settings, store: store, observer: observer)
        var perFold: [CovariateSelection] = []
        if select.perFold {
            for fold in 0..<folds.folds {
                let foldSeeds = seeds.child("fold\(fold + 1)")
                let innerSpec = FoldSpec(
                    folds: folds.folds, blockSize: folds.blockSize, seed: foldSeeds.child("folds").seed)
                let inner: FoldPlan
                do { inner = try outer.nested(in: fold, data: data, spec: innerSpec) } catch let e as ExperimentError {
                    throw StageError(
                        stage: .select, file: file, message: "the inner folds of select.per_fold: \(e.message)")
                }
                let s = try self.select(
                    context, plan: inner, seeds: foldSeeds, name: "fold\(fold + 1)",
                    label: "fold \(fold + 1)/\(folds.folds) ")
                observer.note(
                    """
                    select fold \(fold + 1)/\(folds.folds): \(s.selected.count) of \(s.covariates.count) \
                    covariates on \(s.sites) training sites
                    """
                )
                perFold.append(s)
            }
        }
        let final = try self.select(
            context, plan: outer, seeds: seeds.child("all"), name: "all",
            label: select.perFold ? "all sites " : "")
        observer.note(
            "select: \(final.droppedLow.count) dropped by |r| < \(fmt(select.minCorrelation)), "
                + "\(final.droppedPair.count) by pairs above \(fmt(select.maxPairCorrelation)); "
                    + """
                    best of \(final.subsets.count) subsets: \(final.selected.count) covariates (pooled RMSE \
                    \(fmt(final.subsets[final.best].pooledRMSE)))
                    """
        )
        var result = SelectionResult(
            config: select, final: final, perFold: perFold, depthLabels: data.depths.map(\.label),
            folds: folds.folds, files: [], seconds: 0)
        result.seconds = Date().timeIntervalSince(start)
        result.files = try SelectionReport.write(result, unit: data.unit, layout: layout)
        return result
    }

    /// What every selection of a run shares: the data, the settings, and where its units are saved.
    struct Context {
        let data: PatchDataset
        let select: SelectConfig
        let settings: ModelSettings
        let store: UnitStore
        let observer: ExperimentObserver
    }

    /// The selection on the sites of `plan` (sites outside it are never read): the filters, the
    /// ranking and the cross-validation of every candidate subset on the plan's folds, each fit a
    /// unit of the store (`name` tells this selection's units apart), so a killed selection
    /// continues and parts of a run fit each unit once.
    static func select(
        _ context: Context, plan: FoldPlan, seeds: SeedStream, name: String, label: String
    ) throws -> CovariateSelection {
        let data = context.data
        let select = context.select
        let sites = data.sites.indices.filter { plan.foldOfSite[$0] >= 0 }
        let samples = plan.allSamples
        var covariates = units(data)
        let x = data.centreCells()
        let c = data.channels.count
        let column = { (ch: Int, list: [Int]) in list.map { Double(x[$0 * c + ch]) } }
        // |r| of each channel with the property, averaged over the depths.
        var channelR = [Double](repeating: 0, count: c)
        var depthsUsed = 0
        for d in data.depths.indices {
            let atDepth = samples.filter { data.samples[$0].depth == d }
            guard atDepth.count >= 3 else { continue }
            depthsUsed += 1
            let y = atDepth.map { Double(data.samples[$0].value) }
            let siteOf = atDepth.map { data.samples[$0].site }
            for ch in 0..<c {
                let r = pearson(column(ch, siteOf), y)
                channelR[ch] += r.isFinite ? abs(r) : 0
            }
        }
        if depthsUsed > 0 { channelR = channelR.map { $0 / Double(depthsUsed) } }
        for i in covariates.indices {
            covariates[i].correlation = covariates[i].channels.map { channelR[$0] }.max() ?? 0
        }

        // Filter 1: |r| with the property.
        for i in covariates.indices
        where !(covariates[i].correlation >= select.minCorrelation) || covariates[i].correlation == 0 {
            covariates[i].dropped = .lowCorrelation
        }
        // Filter 2: of each pair above max_pair_correlation, keep the one more correlated with the property.
        let byR = covariates.indices.filter { covariates[$0].dropped == nil }
            .sorted {
                covariates[$0].correlation > covariates[$1].correlation
                    || (covariates[$0].correlation == covariates[$1].correlation && $0 < $1)
            }
        var kept: [Int] = []
        for i in byR {
            var worst: (j: Int, r: Double)?
            for j in kept {
                let r = pairCorrelation(covariates[i].channels, covariates[j].channels, sites: sites, column: column)
                if r > select.maxPairCorrelation, r > (worst?.r ?? -1) { worst = (j, r) }
            }
            if let worst {
                covariates[i].dropped = .pair(with: covariates[worst.j].name, r: worst.r)
            } else {
                kept.append(i)
            }
        }
        guard !kept.isEmpty else {
            throw StageError(
                stage: .select, file: nil,
                message:
                    """
                    every covariate was dropped by select.min_correlation \(fmt(select.minCorrelation)) (the \
                    largest |r| with the property is \(fmt(covariates.map(\.correlation).max() ?? 0))); lower it
                    """
            )
        }
        // Ranking.
        var rankScore = [Int: Double]()
        switch select.order {
        case .correlation:
            for i in kept { rankScore[i] = covariates[i].correlation }
        case .forestImportance:
            let channels = kept.flatMap { covariates[$0].channels }.sorted()
            let ranking = Variant(
                name: "select_\(name)_ranking", model: .rf, settings: context.settings, channels: .fixed(channels),
                seeds: seeds.child("ranking"), keepsFinalModel: false, recordsImportance: true)
            let experiment = try self.experiment(context, plan: plan, variants: [ranking], folds: false)
            try fit(experiment, context) { _ in "select \(label)ranking" }
            let importance = try record(experiment, TrainingUnit(variant: ranking.name, fold: nil)).importance ?? []
            for i in kept {
                rankScore[i] = covariates[i].channels.map { importance[channels.firstIndex(of: $0)!] }.reduce(0, +)
            }
        }
        let ranked = kept.sorted {
            rankScore[$0]! > rankScore[$1]!
                || (rankScore[$0]! == rankScore[$1]! && kept.firstIndex(of: $0)! < kept.firstIndex(of: $1)!)
        }
        for (r, i) in ranked.enumerated() {
            covariates[i].rank = r + 1
            covariates[i].score = rankScore[i]
        }
        // Candidate subsets: the first g, 2g, ..., all ranked, each scored by k-fold CV on the plan.
        let sizes = Array(stride(from: select.groupSize, to: ranked.count, by: select.groupSize)) + [ranked.count]
        let variants = sizes.enumerated().map { n, size in
            Variant(
                name: String(format: "select_%@_subset%02d", name, n + 1), model: select.model,
                settings: context.settings,
                channels: .fixed(ranked.prefix(size).flatMap { covariates[$0].channels }.sorted()),
                seeds: seeds.child("subset").child(n + 1))
        }
        let experiment = try self.experiment(context, plan: plan, variants: variants, folds: true)
        try fit(experiment, context) { u in
            let n = variants.firstIndex { $0.name == u.variant }!
            return
                "select \(label)subset \(n + 1)/\(sizes.count) (\(sizes[n]) covariates) fold \(u.fold! + 1)/\(plan.k)"
        }
        var subsets: [CovariateSelection.Subset] = []
        for (n, size) in sizes.enumerated() {
            subsets.append(try score(experiment, variants[n], size: size, model: select.model))
        }
        var best = 0
        for (n, s) in subsets.enumerated()
        where s.pooledRMSE.isFinite && (!subsets[best].pooledRMSE.isFinite || s.pooledRMSE < subsets[best].pooledRMSE) {
            best = n
        }
        let chosen = Array(ranked.prefix(subsets[best].size))
        return CovariateSelection(
            covariates: covariates, subsets: subsets, best: best, selected: chosen.map { covariates[$0].name },
            channels: chosen.flatMap { covariates[$0].channels }.sorted(), sites: sites.count)
    }

    /// The covariates of a data set as units of channels, in channel order.
    static func units(_ data: PatchDataset) -> [CovariateSelection.Covariate] {
        var out: [CovariateSelection.Covariate] = []
        for (ch, channel) in data.channels.enumerated() {
            if let i = out.firstIndex(where: { $0.name == channel.covariate }) {
                out[i].channels.append(ch)
            } else {
                out.append(CovariateSelection.Covariate(name: channel.covariate, channels: [ch], correlation: 0))
            }
        }
        return out
    }

    /// Pearson's r (`Evaluation.Metrics`); NaN when either series is constant.
    static func pearson(_ a: [Double], _ b: [Double]) -> Double { Metrics.compute(observed: b, predicted: a).r }

    /// The largest |r| between a channel of one covariate and a channel of the other, over `sites`.
    static func pairCorrelation(_ a: [Int], _ b: [Int], sites: [Int], column: (Int, [Int]) -> [Double]) -> Double {
        var largest = 0.0
        for ca in a {
            let u = column(ca, sites)
            for cb in b {
                let r = pearson(u, column(cb, sites))
                if r.isFinite { largest = max(largest, abs(r)) }
            }
        }
        return largest
    }

    /// An experiment of the selection's variants on `plan`, saved in the run's unit store.
    static func experiment(_ context: Context, plan: FoldPlan, variants: [Variant], folds: Bool) throws -> Experiment {
        do {
            return try Experiment(
                data: context.data, plan: plan, variants: variants, folds: folds, finals: !folds, store: context.store)
        } catch let e as ExperimentError {
            throw StageError(stage: .select, file: e.path, message: e.message)
        }
    }

    /// Fits the experiment's units not saved yet (parts of a run share them through the store).
    static func fit(_ experiment: Experiment, _ context: Context, describe: @escaping (TrainingUnit) -> String) throws {
        do {
            try experiment.fit(experiment.units, observer: context.observer, owner: "this pipeline", describe: describe)
        } catch let e as ExperimentError {
            throw StageError(stage: .select, file: e.path, message: e.message)
        }
    }

    /// A saved unit's record.
    static func record(_ experiment: Experiment, _ unit: TrainingUnit) throws -> UnitRecord {
        do { return try experiment.record(unit) } catch let e as ExperimentError {
            throw StageError(stage: .select, file: e.path, message: e.message)
        }
    }

    /// The cross-validated RMSE of a subset's variant from its saved units (held-out samples in fold order).
    static func score(
        _ experiment: Experiment, _ variant: Variant, size: Int, model: ModelKind
    ) throws -> CovariateSelection.Subset {
        let data = experiment.data
        let plan = experiment.plan!
        let values: [Float]
        do { values = try experiment.heldOut(variant.name) } catch let e as ExperimentError {
            throw StageError(stage: .select, file: e.path, message: e.message)
        }
        var predictions: [HeldOutPrediction] = []
        for fold in 0..<plan.k {
            for s in plan.split(fold).heldOut where values[s].isFinite {
                let sample = data.samples[s]
                predictions.append(
                    HeldOutPrediction(
                        siteID: data.sites[sample.site].id, depth: sample.depth, fold: fold,
                        observed: Double(sample.value), predicted: [model.rawValue: Double(values[s])]))
            }
        }
        let labels = data.depths.map(\.label)
        let table = EvaluationTable.build(
            predictions: predictions, models: [model.rawValue], depthLabels: labels, folds: plan.k)
        let pooled = table.row(model: model.rawValue, depth: EvaluationTable.allDepths)?.metrics
        return CovariateSelection.Subset(
            size: size, channels: variant.channels.selectedChannels?.count ?? data.channels.count,
            rmse: labels.map { table.row(model: model.rawValue, depth: $0)?.metrics.rmse ?? .nan },
            pooledRMSE: pooled?.rmse ?? .nan, n: pooled?.n ?? 0)
    }
}

extension ChannelChoice {
    /// The channels of the final fit; nil for every channel.
    fileprivate var selectedChannels: [Int]? {
        switch self {
        case .all: return nil
        case .fixed(let c): return c
        case .perFold(_, let final): return final
        }
    }
}

/// A number as the reports write it.
func fmt(_ v: Double) -> String { NumberText.compact(v) }
