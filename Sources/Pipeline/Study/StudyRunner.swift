import Assessment
import Configuration
import Evaluation
import Experiments
import FileIO
import Foundation
import Inputs
import Models
import Patches
import Randomness
import RasterIO
import Runtime
import Selection
import TextFormat
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

/// Runs a study, a client of the experiment engine: every variant on the pipeline's folds (reading the
/// covariates the pipeline's `select` keeps), one unit (fold x variant) at a time, each saved in the
/// study folder's unit store so an interrupted study continues where it stopped and `--part i/n`
/// shares the units out; then the table, the paired bootstrap differences and the plots.
public final class StudyRunner {
    /// The parsed study.
    public let study: StudyConfig
    let observer: PipelineObserver

    /// The marker file that makes a folder a study folder (a study refuses to write into any other non-empty folder).
    static let marker = ".socmap-study"

    /// Creates a runner for a parsed study.
    public init(study: StudyConfig, observer: PipelineObserver = SilentObserver()) {
        self.study = study
        self.observer = observer
    }

    /// Runs every unit not already saved with the same fingerprint (with `merge`, none: every unit
    /// must be saved by the parts), then writes the study's files.
    public func run(merge: Bool = false, command: String = "socmap study") throws -> StudySummary {
        let start = Date()
        let (folder, experiment, selection) = try open(access: .exclusive, command: command)
        defer { folder.release() }
        let evaluate = study.pipeline.evaluate!
        let total = experiment.units.count
        var trained = 0
        var reused = total
        if merge {
            do { try experiment.checkComplete(file: study.file, command: partCommand) } catch let e as ExperimentError {
                throw StageError(stage: .study, file: e.path, message: e.message)
            }
            observer.note("merge: every one of the \(total) units is saved")
        } else {
            observer.stageStarted(
                "study: \(study.variants.count) variants x \(evaluate.folds) folds = \(total) units (\(study.output))")
            (trained, reused) = try fit(experiment, experiment.units)
        }
        return try report(experiment, selection: selection, trained: trained, reused: reused, start: start)
    }

    /// Fits part `part` of the study's units (`socmap study --part i/n`), beside the other parts
    /// (the processes of a job array share the folder); `--merge` writes the study when every part is done.
    public func runPart(_ part: Share, command: String = "socmap study --part") throws -> PartSummary {
        let start = Date()
        let (folder, experiment, _) = try open(access: .shared, command: command)
        defer { folder.release() }
        do { try experiment.startPart(part, file: study.file) } catch let e as ExperimentError {
            throw StageError(stage: .study, file: e.path, message: e.message)
        }
        let mine = experiment.units(of: part)
        observer.stageStarted(
            "study: part \(part) of \(experiment.units.count) units: \(mine.count) units (\(mine.map(\.label).joined(separator: ", ")))"
        )
        let (trained, reused) = try fit(experiment, mine)
        return PartSummary(
            part: part.description, units: mine.map(\.label), trained: trained, reused: reused,
            total: experiment.units.count, seconds: Date().timeIntervalSince(start))
    }

    /// The command a part runs, without its `--part`.
    var partCommand: String { "socmap study \(study.pipeline.file) \(study.file)" }

    /// Takes the study's folder (a study folder, locked like a run's output folder), runs the
    /// pipeline's data stages and its covariate selection, and makes the study's experiment.
    func open(access: OutputFolder.Access, command: String) throws -> (OutputFolder, Experiment, SelectionResult?) {
        let config = study.pipeline
        try PreflightChecks.run(InputSettings(config))
        try claimFolder()
        let layout = OutputLayout(root: study.output, patchesFile: OutputLayout.defaultPatchesFile)
        let folder = try OutputFolder(layout, access: access, command: command)
        do {
            let runner = PipelineRunner(config: config, observer: observer)
            let (_, _, data, _) = try runner.prepare(statisticsFile: layout.stackStatisticsFile)
            let evaluate = config.evaluate!
            let store = UnitStore(folder: layout.unitsFolder, tag: try Self.tag(study))
            // The pipeline's covariate selection, when it has one: its units go into the study's store.
            var selection: SelectionResult?
            var channels = ChannelChoice.all
            if let select = config.select {
                let s = try PipelineRunner.select(
                    config, select, data: data, train: config.train!, evaluate: evaluate, store: store,
                    layout: layout, observer: observer)
                selection = s
                channels =
                    select.perFold
                    ? .perFold(s.perFold.map(\.channels), final: s.final.channels) : .fixed(s.final.channels)
            }
            let plan = try RunTraining.plan(config, evaluate, data: data)
            let variants = study.variants.map {
                Experiments.Variant(
                    name: $0.name, model: $0.model, settings: $0.settings, channels: channels,
                    seeds: SeedStream(root: $0.seed).child("train"))
            }
            do {
                return (
                    folder, try Experiment(data: data, plan: plan, variants: variants, finals: false, store: store),
                    selection
                )
            } catch let e as ExperimentError {
                throw StageError(stage: .study, file: e.path ?? study.pipeline.file, message: e.message)
            }
        } catch {
            folder.release()
            throw error
        }
    }

    /// Fits `todo`'s units not saved yet.
    func fit(_ experiment: Experiment, _ todo: [TrainingUnit]) throws -> (trained: Int, reused: Int) {
        do { return try experiment.fit(todo, observer: observer, owner: "this study") } catch let e as ExperimentError {
            throw StageError(stage: .study, file: e.path, message: e.message)
        }
    }

    /// The tag of the study's units: the pipeline file's and the study file's bytes (parts of one
    /// study must share both).
    static func tag(_ study: StudyConfig) throws -> String {
        var h: UInt64 = 0
        for path in [study.pipeline.file, study.file] {
            guard let bytes = FileManager.default.contents(atPath: path) else {
                throw StageError(
                    stage: .study, file: path, message: "cannot read the file again to tag the study's units")
            }
            h = SplitMix64.mix(h ^ bytes.withUnsafeBytes { FNV1a.hash64($0) })
        }
        return String(format: "%016llx", h)
    }

    /// The comparison, table, plots and report from the saved units.
    func report(
        _ experiment: Experiment, selection: SelectionResult?, trained: Int, reused: Int, start: Date
    ) throws -> StudySummary {
        let config = study.pipeline
        let data = experiment.data
        let plan = experiment.plan!
        let variants = study.variants
        var predictions = [String: [Float]]()
        var seconds = [String: Double]()
        do {
            for v in variants {
                predictions[v.name] = try experiment.heldOut(v.name)
                seconds[v.name] = try (0..<plan.k).reduce(0) {
                    $0 + (try experiment.record(TrainingUnit(variant: v.name, fold: $1))).seconds
                }
            }
        } catch let e as ExperimentError {
            throw StageError(stage: .study, file: e.path, message: e.message)
        }
        let total = experiment.units.count
        var notes: [String] = []
        if !study.common.isEmpty {
            notes.append("Every variant: \(study.common) (the study's own keys, over the pipeline's).")
        }
        if let selection {
            let f = selection.final
            notes.append(
                "Every variant reads the covariates the pipeline's `select` kept: \(f.selected.count) of \(f.covariates.count) (\(f.selected.joined(separator: ", ")))"
                    + (selection.config.perFold ? ", selected again inside each fold on its training sites" : "")
                    + "; see selection/selection.md.")
        }
        if reused > 0 {
            notes.append(
                "\(reused) of \(total) units reused from an earlier run of this study (same data, folds, settings and seed)"
            )
        }
        if experiment.sharedPretrainings > 0 {
            notes.append(
                "\(experiment.sharedPretrainings) transfer pre-trainings shared between variants that differ only in fine-tuning"
            )
        }
        let held = Self.heldOut(
            data, foldOfSample: plan.foldOfSample, predictions: predictions, variants: variants.map(\.name))
        let comparison = StudyComparison.build(
            predictions: held, variants: variants.map(\.name), baselines: study.baselines,
            depthLabels: data.depths.map(\.label), design: plan.design, resamples: study.resamples,
            seed: config.seed)
        let wall = Date().timeIntervalSince(start)
        let context = StudyReport.Context(
            title: "\(config.name): \(data.property)", unit: data.unit,
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

    /// Creates the study folder with its marker, or accepts it when it is a study folder or empty.
    func claimFolder() throws {
        let fm = FileManager.default
        let markerPath = (study.output as NSString).appendingPathComponent(Self.marker)
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
                    message:
                        "the folder '\(study.output)' holds files a study did not write; set 'output' in the study file to a new or empty folder"
                )
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

    /// The held-out predictions of every variant, one record per sample.
    static func heldOut(
        _ data: PatchDataset, foldOfSample: [Int], predictions: [String: [Float]],
        variants: [String]
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
