import Configuration
import Evaluation
import Experiments
import FileIO
import Foundation
import Inputs
import Models
import Patches
import Randomness
import Runtime
import Selection
import Workspace

/// What a study produced.
public struct StudySummary: Sendable {
    /// The study's output folder.
    public var outputFolder: String
    /// Files written (absolute paths).
    public var files: [String]
    /// The comparison (metrics and paired differences).
    public var comparison: StudyComparison
    /// Units (fold x variant) trained in this process and reused from an earlier, interrupted or finished study.
    public var trained: Int, reused: Int
    /// Pre-trainings shared between variants instead of run again.
    public var sharedPretrainings: Int
    /// Wall time in seconds.
    public var seconds: Double
}

/// A study's training as an experiment (`Experiments.Experiment`): every variant on the pipeline's
/// folds, one unit (fold x variant) at a time in the study folder's unit store, then the table, the
/// paired bootstrap differences and the plots from the saved units. Failures are `StageError`s of the
/// `study` stage.
public final class StudyTraining {
    /// The parsed study.
    public let study: StudyConfig
    /// What the study reads of its pipeline: its covariate selection, folds, seed, name and file.
    let settings: AssessmentSettings
    /// The study's units.
    public let experiment: Experiment
    /// The sites' locations in the grid's CRS, with its metric (what kriged variants krige between).
    let points: SpatialPoints

    /// The marker file that makes a folder a study folder (a study refuses to write into any other non-empty folder).
    public static let marker = ".socmap-study"

    /// The pipeline's covariate selection every variant reads (nil: the pipeline has none).
    public let selection: SelectionResult?

    /// The study's experiment on the pipeline's data: first the pipeline's covariate selection (when it has
    /// one, its units in the study's store), then every variant on the pipeline's folds reading the
    /// covariates it keeps; the units go into `layout`'s units folder. `settings` are the study's pipeline's.
    public init(
        _ study: StudyConfig, settings: AssessmentSettings, inputs: RunInputs, layout: OutputLayout,
        observer: StageObserver & ExperimentObserver
    ) throws {
        self.study = study
        self.settings = settings
        let data = inputs.data
        let store = UnitStore(folder: layout.unitsFolder, tag: try Self.tag(study, pipelineFile: settings.file))
        let domain = try RunTraining.domain(settings, stack: inputs.stack)
        let selected = try RunTraining.selectCovariates(
            settings, data: data, store: store, layout: layout, domain: domain, observer: observer)
        selection = selected.selection
        let plan = try RunTraining.plan(settings, settings.evaluate!, data: data, domain: domain)
        // Combined and kriged variants train nothing; the members of a nested one (nnls weights, kriging) also fit
        // its inner folds (the study file's parser checked that each member is asked for one count).
        var inner: [String: Int] = [:]
        for v in study.variants {
            if let c = v.combine, c.weights == .nnls { for m in c.members { inner[m] = c.innerFolds } }
            if let k = v.krige, let target = study.variants.first(where: { $0.name == k.of }) {
                for m in target.combine?.members ?? [target.name] { inner[m] = k.innerFolds }
            }
        }
        let variants = study.variants.filter { $0.combine == nil && $0.krige == nil }.map {
            var v = Experiments.Variant(
                name: $0.name, model: $0.model, settings: $0.settings, channels: selected.channels,
                seeds: SeedStream(root: $0.seed).child("train"))
            v.innerFolds = inner[$0.name] ?? 0
            return v
        }
        let crs = inputs.stack.grid.crs
        points = SpatialPoints(
            x: data.sites.map(\.x), y: data.sites.map(\.y), metric: crs.isGeographic ? .greatCircle : .euclidean)
        experiment = try Self.studyStage(file: settings.file) {
            try Experiment(data: data, plan: plan, variants: variants, finals: false, store: store)
        }
    }

    /// The study's units.
    public var units: [TrainingUnit] { experiment.units }

    /// The command a part runs, without its `--part`.
    var partCommand: String { "socmap study \(settings.file) \(study.file)" }

    /// Fits `todo`'s units not saved yet.
    public func fit(_ todo: [TrainingUnit], observer: ExperimentObserver) throws -> (trained: Int, reused: Int) {
        try Self.studyStage { try experiment.fit(todo, observer: observer, owner: "this study") }
    }

    /// Records that part `part` runs (parts of one study must share its files).
    public func startPart(_ part: Share) throws {
        try Self.studyStage { try experiment.startPart(part, file: study.file) }
    }

    /// Checks that the parts saved every unit (`--merge`).
    public func checkComplete() throws {
        try Self.studyStage { try experiment.checkComplete(file: study.file, command: partCommand) }
    }

    /// Runs `body`, turning the engine's errors into the study stage's.
    static func studyStage<T>(file: String? = nil, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as ExperimentError {
            throw StageError(stage: .study, file: e.path ?? file, message: e.message)
        }
    }

    /// The tag of the study's units: the pipeline file's and the study file's bytes (parts of one
    /// study must share both).
    static func tag(_ study: StudyConfig, pipelineFile: String) throws -> String {
        var h: UInt64 = 0
        for path in [pipelineFile, study.file] {
            guard let bytes = FileManager.default.contents(atPath: path) else {
                throw StageError(
                    stage: .study, file: path, message: "cannot read the file again to tag the study's units")
            }
            h = SplitMix64.mix(h ^ bytes.withUnsafeBytes { FNV1a.hash64($0) })
        }
        return String(format: "%016llx", h)
    }

    /// Creates the study folder with its marker, or accepts it when it is a study folder or empty.
    public static func claimFolder(_ study: StudyConfig) throws {
        let fm = FileManager.default
        let markerPath = (study.output as NSString).appendingPathComponent(marker)
        var isFolder: ObjCBool = false
        if fm.fileExists(atPath: study.output, isDirectory: &isFolder) {
            guard isFolder.boolValue else {
                throw StageError(
                    stage: .study, file: study.file,
                    message: "the study's output '\(study.output)' is a file; set 'output' to a folder")
            }
            let entries = (try? fm.contentsOfDirectory(atPath: study.output)) ?? []
            if !entries.isEmpty && !fm.fileExists(atPath: markerPath) {
                throw StageError(
                    stage: .study, file: study.file,
                    message: """
                        the folder '\(study.output)' holds files a study did not write; set 'output' in the study \
                        file to a new or empty folder
                        """)
            }
        }
        do {
            try fm.createDirectory(atPath: study.output, withIntermediateDirectories: true)
            if !fm.fileExists(atPath: markerPath) {
                try AtomicFile.write(
                    "A SOCMap study folder: `socmap study` continues the units saved here.\n", to: markerPath)
            }
        } catch {
            throw StageError(
                stage: .study, file: study.output,
                message: "cannot create the study folder: \(SystemError.reason(error))")
        }
    }

    /// The comparison, table, plots and report from the saved units.
    public func report(trained: Int, reused: Int, start: Date) throws -> StudySummary {
        let data = experiment.data
        let plan = experiment.plan!
        let variants = study.variants
        var predictions = [String: [Float]]()
        var seconds = [String: Double]()
        var krigingNotes: [String] = []
        try Self.studyStage {
            for v in variants where v.combine == nil && v.krige == nil {
                predictions[v.name] = try experiment.heldOut(v.name)
                seconds[v.name] = try (0..<plan.k).reduce(0) {
                    $0 + (try experiment.record(TrainingUnit(variant: v.name, fold: $1))).seconds
                }
            }
            // A combination's time is its weights': the members' inner folds (none for equal weights).
            for v in variants {
                if let c = v.combine {
                    let weights = try experiment.combinationWeights(members: c.members, method: c.weights)
                    predictions[v.name] = try experiment.combinedHeldOut(weights)
                    seconds[v.name] = try experiment.units.filter {
                        c.weights == .nnls && $0.inner != nil && c.members.contains($0.variant)
                    }
                    .reduce(0) { $0 + (try experiment.record($1)).seconds }
                }
            }
            // A kriged variant: each fold's residuals from its target's inner folds (combined with the fold's
            // weights for a combination), kriged to the fold's held-out sites; its time is those inner folds'.
            for v in variants {
                guard let k = v.krige, let target = variants.first(where: { $0.name == k.of }) else { continue }
                let members = target.combine?.members ?? [target.name]
                let weights = try target.combine.map {
                    try experiment.combinationWeights(members: $0.members, method: $0.weights)
                }
                let inner = { (fold: Int) -> [Float] in
                    let each = try members.map { try self.experiment.innerHeldOut($0, fold: fold) }
                    guard let weights else { return each[0] }
                    return data.samples.indices.map { s in
                        Stacking.combine(each.map { $0[s] }, weights: weights.folds[fold][data.samples[s].depth])
                    }
                }
                let kriged = try experiment.krigedHeldOut(
                    heldOut: predictions[target.name]!, inner: inner, points: points, neighbours: k.neighbours)
                predictions[v.name] = kriged.predictions
                seconds[v.name] = try experiment.units.filter { $0.inner != nil && members.contains($0.variant) }
                    .reduce(0) { $0 + (try experiment.record($1)).seconds }
                krigingNotes.append(
                    "\(v.name): \(kriged.fits) residual variograms fitted (fold x depth), \(kriged.pureNugget) of them a "
                        + "pure nugget (kriging then gives the mean of the \(k.neighbours) nearest residuals)"
                        + (kriged.unfitted > 0 ? ", \(kriged.unfitted) with too few residuals (not kriged)" : "")
                        + (kriged.coincident > 0
                            ? "; \(kriged.coincident) residuals at a site location already held, averaged into it" : "")
                        + ".")
            }
        }
        let total = experiment.units.count
        var notes: [String] = []
        if !study.common.isEmpty {
            notes.append("Every variant: \(study.common) (the study's own keys, over the pipeline's).")
        }
        notes += krigingNotes
        if let selection {
            let f = selection.final
            let kept = "\(f.selected.count) of \(f.covariates.count) (\(f.selected.joined(separator: ", ")))"
            notes.append(
                "Every variant reads the covariates the pipeline's `select` kept: \(kept)"
                    + (selection.config.perFold ? ", selected again inside each fold on its training sites" : "")
                    + "; see selection/selection.md.")
        }
        if reused > 0 {
            notes.append(
                """
                \(reused) of \(total) units reused from an earlier run of this study (same data, folds, \
                settings and seed)
                """
            )
        }
        if experiment.sharedPretrainings > 0 {
            notes.append(
                """
                \(experiment.sharedPretrainings) transfer pre-trainings shared between variants that differ \
                only in fine-tuning
                """
            )
        }
        let held = Self.heldOut(
            data, foldOfSample: plan.foldOfSample, predictions: predictions, variants: variants.map(\.name))
        let comparison = StudyComparison.build(
            predictions: held, variants: variants.map(\.name), baselines: study.baselines,
            depthLabels: data.depths.map(\.label), design: plan.design, resamples: study.resamples,
            seed: settings.seed)
        let wall = Date().timeIntervalSince(start)
        let context = StudyReport.Context(
            title: "\(settings.name): \(data.property)", unit: data.unit,
            variants: variants.map {
                StudyReport.Variant(
                    name: $0.name, model: $0.model.rawValue,
                    changes: $0.changes.isEmpty ? "as the pipeline" : $0.changes,
                    seed: $0.seed, seconds: seconds[$0.name] ?? 0)
            },
            seedPairs: study.seedPairs, wallSeconds: wall, notes: notes, reference: study.reference)
        var files: [String]
        do {
            files = try StudyReport.write(comparison, predictions: held, context: context, to: study.output)
        } catch let e as EvaluationError {
            throw StageError(stage: .study, file: e.path, message: e.message)
        }
        files += (selection?.files ?? []).map { (study.output as NSString).appendingPathComponent($0) }
        return StudySummary(
            outputFolder: study.output, files: files, comparison: comparison, trained: trained, reused: reused,
            sharedPretrainings: experiment.sharedPretrainings, seconds: wall)
    }

    /// The held-out predictions of every variant, one record per sample.
    static func heldOut(
        _ data: PatchDataset, foldOfSample: [Int], predictions: [String: [Float]], variants: [String]
    ) -> [HeldOutPrediction] {
        data.samples.enumerated().map { s, sample in
            var predicted: [String: Double] = [:]
            for v in variants {
                let x = predictions[v]![s]
                if x.isFinite { predicted[v] = Double(x) }
            }
            return HeldOutPrediction(
                siteID: data.sites[sample.site].id, depth: sample.depth, fold: foldOfSample[s],
                observed: Double(sample.value), predicted: predicted)
        }
    }
}
