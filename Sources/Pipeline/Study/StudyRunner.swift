import Assessment
import Configuration
import Foundation
import Inputs
import Runtime
import Workspace

/// Runs a study, a client of the experiment engine (`Assessment.StudyTraining`): every variant on the
/// pipeline's folds (reading the covariates the pipeline's `select` keeps), one unit (fold x variant) at a
/// time, each saved in the study folder's unit store so an interrupted study continues where it stopped
/// and `--part i/n` shares the units out; then the table, the paired bootstrap differences and the plots.
public final class StudyRunner {
    /// The parsed study.
    public let study: StudyConfig
    let observer: PipelineObserver

    /// Creates a runner for a parsed study.
    public init(study: StudyConfig, observer: PipelineObserver = SilentObserver()) {
        self.study = study
        self.observer = observer
    }

    /// Runs every unit not already saved with the same fingerprint (with `merge`, none: every unit
    /// must be saved by the parts), then writes the study's files.
    public func run(merge: Bool = false, command: String = "socmap study") throws -> StudySummary {
        let start = Date()
        let (folder, training) = try open(access: .exclusive, command: command)
        defer { folder.release() }
        let total = training.units.count
        var trained = 0
        var reused = total
        if merge {
            try training.checkComplete()
            observer.note("merge: every one of the \(total) units is saved")
        } else {
            let folds = study.pipeline.evaluate!.folds
            observer.stageStarted(
                "study: \(study.variants.count) variants x \(folds) folds = \(total) units (\(study.output))")
            (trained, reused) = try training.fit(training.units, observer: observer)
        }
        return try training.report(trained: trained, reused: reused, start: start)
    }

    /// Fits part `part` of the study's units (`socmap study --part i/n`), beside the other parts
    /// (the processes of a job array share the folder); `--merge` writes the study when every part is done.
    public func runPart(_ part: Share, command: String = "socmap study --part") throws -> PartSummary {
        let start = Date()
        let (folder, training) = try open(access: .shared, command: command)
        defer { folder.release() }
        try training.startPart(part)
        let mine = training.experiment.units(of: part)
        let labels = mine.map(\.label).joined(separator: ", ")
        observer.stageStarted("study: part \(part) of \(training.units.count) units: \(mine.count) units (\(labels))")
        let (trained, reused) = try training.fit(mine, observer: observer)
        return PartSummary(
            part: part.description, units: mine.map(\.label), trained: trained, reused: reused,
            total: training.units.count, seconds: Date().timeIntervalSince(start))
    }

    /// Takes the study's folder (a study folder, locked like a run's output folder), runs the
    /// pipeline's data stages and its covariate selection, and makes the study's experiment.
    func open(access: OutputFolder.Access, command: String) throws -> (OutputFolder, StudyTraining) {
        let config = study.pipeline
        try PreflightChecks.run(InputSettings(config))
        try StudyTraining.claimFolder(study)
        let layout = OutputLayout(root: study.output, patchesFile: OutputLayout.defaultPatchesFile)
        let folder = try OutputFolder(layout, access: access, command: command)
        do {
            let inputs = try PipelineRunner(config: config, observer: observer).prepare(
                statisticsFile: layout.stackStatisticsFile)
            return (
                folder,
                try StudyTraining(
                    study, settings: AssessmentSettings(config), inputs: inputs, layout: layout, observer: observer)
            )
        } catch {
            folder.release()
            throw error
        }
    }
}
