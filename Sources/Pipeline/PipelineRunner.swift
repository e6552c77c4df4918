import Assessment
import Cartography
import Configuration
import Foundation
import Inputs
import Reports
import Runtime
import Workspace

/// What a run produced.
public struct RunSummary: Sendable {
    /// Output folder.
    public var outputFolder: String
    /// Files written, relative to the output folder.
    public var files: [String]
    /// The Markdown report's text.
    public var report: String
    /// Covariate warnings (also in the report's "Covariate checks"), each naming the file and the fix.
    public var warnings: [String] = []
    /// The cross-validated scores for the terminal: the fold design, per depth and model, then pooled
    /// over depths (`ScoreTables.terminal`); or one line saying the run was not evaluated.
    public var scores: [String] = []
    /// The analyses of the maps for the terminal: depth consistency and total carbon stocks (empty: none).
    public var analyses: [String] = []
    /// The reference grid, "width x height".
    public var grid = ""
    /// Cells the map stage predicted, and its seconds of prediction (0 without maps).
    public var mapCells = 0, mapSeconds = 0.0
}

/// What one part of a run's training did (`socmap run --part i/n`).
public struct PartSummary: Sendable {
    /// "i/n".
    public var part: String
    /// The units of this part, as messages name them ("fold 2 transfer", "final rf").
    public var units: [String]
    /// Units trained by this process, and units an earlier process of this part had saved.
    public var trained: Int, reused: Int
    /// Units of the whole run.
    public var total: Int
    /// Wall time in seconds.
    public var seconds: Double
}

/// Runs a pipeline's stages in order: stack, profiles, patches, report.
public final class PipelineRunner {
    /// The parsed pipeline.
    public let config: PipelineConfig
    let observer: PipelineObserver
    /// What the data stages read of the pipeline.
    let inputSettings: InputSettings
    /// What the training and evaluation stages read of the pipeline.
    let assessmentSettings: AssessmentSettings

    /// Creates a runner for a parsed pipeline.
    public init(config: PipelineConfig, observer: PipelineObserver = SilentObserver()) {
        self.config = config
        self.observer = observer
        self.inputSettings = InputSettings(config)
        self.assessmentSettings = AssessmentSettings(config)
    }

    /// Output files this pipeline writes, relative to its output folder.
    public var outputNames: [String] { OutputLayout.entries(for: config) }

    /// Runs every stage into a staging folder and publishes the outputs only when all stages
    /// succeeded: a failed or interrupted run leaves the earlier outputs as they were.
    /// `--overwrite` replaces the whole set of outputs an earlier run wrote. Training goes unit by
    /// unit, each saved when done: a killed run continues with the units not yet saved. `merge`
    /// trains nothing and needs every unit saved by the parts (`runPart`); without `maps` the map
    /// stage is left to `socmap predict`.
    public func run(
        overwrite: Bool, command: String = "socmap run", merge: Bool = false, maps: Bool = true
    ) throws -> RunSummary {
        try PreflightChecks.run(inputSettings)
        let folder = try OutputFolder(OutputLayout(config), access: .exclusive, command: command)
        defer { folder.release() }
        for line in folder.recovered { observer.note(line) }
        let entries = maps ? outputNames : outputNames.filter { $0 != OutputLayout.maps }
        try folder.checkReplaceable(entries, overwrite: overwrite)
        let out = try folder.makeStaging()
        let clock = StageClock()
        let inputs = try prepare(statisticsFile: folder.layout.stackStatisticsFile, clock: clock)
        let stack = inputs.stack
        let store = try RunTraining.store(assessmentSettings, layout: folder.layout)
        var unitNotes: [String] = []
        if !merge, let line = RunTraining.discardOtherPipelines(store) {
            observer.note(line)
            unitNotes.append(line)
        }
        let (used, selection, training) = try RunTraining.prepare(
            assessmentSettings, inputs: inputs, store: store, layout: out, observer: observer)
        let selectionSeconds = clock.lap()
        if selection != nil { clock.timings.selection = selectionSeconds }

        var evaluation: EvaluationResult?
        var modelFiles: [String] = []
        var record = RunRecord()
        if let training {
            // The units saved before this process fits any: reused, not fitted here.
            var fittedHere = Set(training.experiment.units.filter { training.experiment.saved($0) == nil })
            if merge {
                try training.checkComplete()
                fittedHere = []
                observer.note("merge: every one of the \(training.experiment.units.count) training units is saved")
            } else {
                observer.stageStarted("train: \(training.unitsText), each saved when done")
                let (trained, reused) = try training.fit(training.experiment.units, observer: observer)
                if reused > 0 {
                    unitNotes.append(
                        "\(reused) of \(trained + reused) training units were saved by an earlier, interrupted run "
                            + "and reused")
                }
            }
            clock.record(\.training)
            record.training = try training.record(
                fittedHere: fittedHere, wallSeconds: clock.timings.training ?? 0, merged: merge)
            if let evaluate = config.evaluate {
                evaluation = try ModelStages.evaluate(
                    assessmentSettings, training: training, evaluate: evaluate, stack: stack, layout: out,
                    observer: observer)
                clock.record(\.evaluation)
            }
            modelFiles = try ModelStages.trainFinal(training, layout: out)
            clock.record(\.finalModels)
        }
        var mapResult: MapResult?
        if let predict = config.predict, maps {
            let settings = MapSettings(config, predict)
            let result = try publishedTerms(staging: out, folder: folder) {
                try MapStage.run(
                    settings, stack: stack,
                    inputs: try MapStage.inputs(
                        settings, layout: out, evaluation: evaluation.map { MapEvaluation($0) }, data: used.data),
                    output: out, tiles: folder.layout.tilesFolder, replaceStaleTiles: true, observer: observer)
            }
            result.record(into: &record, settings: settings)
            mapResult = result
            clock.record(\.maps)
        }
        observer.stageStarted("report: patch file, profiles, report.md, report.html, report.json")
        try inputs.writeTables(used.data, property: config.profiles.property, to: out, output: config.output)
        let warnings = CovariateChecks.warnings(stack.covariates, settings: inputSettings)
        inputs.record(
            into: &record, sitesFile: config.sites.file, validRange: config.profiles.validRange.map { "\($0)" },
            patchesFile: config.patches.file, warnings: warnings)
        RunRecordBuilder.fill(
            &record, config: config, evaluation: evaluation, selection: selection, modelFiles: modelFiles,
            recovered: folder.recovered + unitNotes, mapsLeftToPredict: config.predict != nil && !maps)
        clock.record(\.report)
        clock.timings.total = clock.total
        record.timings = clock.timings
        // report.json is the record; report.md and report.html are rendered from it alone.
        let markdown = try StageError.writing(into: config.output) { try ReportFiles.write(record, to: out) }
        try folder.publish(entries, replacingAll: true)
        // The units are the run's training, now in its outputs (an interrupted run's of a pipeline
        // without 'train' go too).
        store.removeAll()
        let scores =
            evaluation.map { $0.terminalScores(unit: inputs.data.unit) }
            ?? [
                "Not cross-validated: the pipeline has no evaluate section, so there are no accuracy figures"
                    + (config.predict != nil ? " (the maps say \"not evaluated\")." : ".")
            ]
        return RunSummary(
            outputFolder: config.output, files: entries, report: markdown,
            warnings: warnings, scores: scores,
            analyses: mapResult?.profiles.map {
                ProfileStage.summary($0, unit: inputs.data.unit, property: inputs.data.property)
            } ?? [],
            grid: "\(stack.grid.width) x \(stack.grid.height)", mapCells: mapResult?.cells ?? 0,
            mapSeconds: mapResult?.seconds ?? 0)
    }

    /// Trains part `part` of the run's training units and saves them in the output folder, beside
    /// the other parts (processes of a job array share the folder); `socmap run --merge` continues
    /// once every part is done. `overwrite` is checked as the merge will check it, so that a part
    /// fails at once when the merge could not publish.
    public func runPart(
        _ part: Share, overwrite: Bool, maps: Bool = true, command: String = "socmap run --part"
    ) throws -> PartSummary {
        try PreflightChecks.run(inputSettings)
        guard config.train != nil else {
            throw StageError(
                stage: .run, file: config.file,
                message:
                    """
                    --part shares the training units of a run between processes, and this pipeline has no \
                    'train' section; run it without --part
                    """
            )
        }
        let start = Date()
        let folder = try OutputFolder(OutputLayout(config), access: .shared, command: command)
        defer { folder.release() }
        try folder.checkReplaceable(
            maps ? outputNames : outputNames.filter { $0 != OutputLayout.maps }, overwrite: overwrite)
        // the covariate selection's files (every part selects the same); removed on release
        let scratch = try folder.makeStaging()
        let inputs = try prepare(statisticsFile: folder.layout.stackStatisticsFile)
        let store = try RunTraining.store(assessmentSettings, layout: folder.layout)
        let training = try RunTraining.prepare(
            assessmentSettings, inputs: inputs, store: store, layout: scratch, observer: observer
        ).training!
        try training.startPart(part)
        let mine = training.experiment.units(of: part)
        let labels = mine.map(\.label).joined(separator: ", ")
        observer.stageStarted("train: part \(part) of \(training.unitsText): \(mine.count) units (\(labels))")
        let (trained, reused) = try training.fit(mine, observer: observer)
        return PartSummary(
            part: part.description, units: mine.map(\.label), trained: trained, reused: reused,
            total: training.experiment.units.count,
            seconds: Date().timeIntervalSince(start))
    }

    /// The data stages every run and study starts with (`InputStages.prepare`), with the checks of
    /// stocks and zones on the stack before any training. `statisticsFile`: where the stack's
    /// statistics are kept between processes (`StackStage.run`). `clock`, if given, gets the stack's,
    /// profiles' and patches' wall times.
    func prepare(statisticsFile: String? = nil, clock: StageClock? = nil) throws -> RunInputs {
        let config = config
        let assessment = assessmentSettings
        let inputs = try InputStages.prepare(
            inputSettings, observer: observer, statisticsFile: statisticsFile
        ) { stack in
            // stocks' rasters and units, before any training
            _ = try ProfileStage.check(
                config.stocks, grid: stack.grid, tileSize: config.covariates.tileSize, errorAt: config.errorAt)
            try ZoneStage.check(assessment, stack: stack)  // a wrong evaluate.zones fails before any training
        }
        if let clock {
            clock.timings.stack = inputs.seconds.stack
            clock.timings.profiles = inputs.seconds.profiles + inputs.seconds.tables
            clock.timings.patches = inputs.seconds.patches
            clock.restart()
        }
        return inputs
    }

    /// Maps every depth with the models an earlier run published. A whole prediction or a merge
    /// holds the output folder alone and replaces its maps folder when the maps are complete;
    /// a shard (`shard.count > 1`) shares the folder with the other shards and only adds tiles.
    /// `tilesOnly` (a `--shard i/n` of a job array, even 1/1) predicts tiles and leaves the maps to `--merge`.
    public func predict(
        shard: Share, merge: Bool, overwrite: Bool, tilesOnly: Bool = false,
        command: String = "socmap predict"
    ) throws -> MapResult {
        try PreflightChecks.run(inputSettings)
        let layout = OutputLayout(config)
        let sharded = (shard.count > 1 || tilesOnly) && !merge
        let folder = try OutputFolder(layout, access: sharded ? .shared : .exclusive, command: command)
        defer { folder.release() }
        for line in folder.recovered { observer.note(line) }
        if !sharded { try folder.checkRecord() }  // publishing needs a record it can trust
        if overwrite && !sharded { try? FileManager.default.removeItem(atPath: layout.tilesFolder) }
        let predict = try MapStage.predictSection(config)
        let stack = try StackStage.run(
            inputSettings, observer: observer, statisticsFile: layout.stackStatisticsFile)
        let inputs = try MapStage.savedInputs(config, layout: layout, stack: stack)
        _ = try ProfileStage.check(
            config.stocks, grid: stack.grid, tileSize: config.covariates.tileSize, errorAt: config.errorAt)
        let output = sharded ? nil : try folder.makeStaging()
        let result = try publishedTerms(staging: output, folder: folder) {
            try MapStage.run(
                MapSettings(config, predict), stack: stack, inputs: inputs, output: output, tiles: layout.tilesFolder,
                shard: shard, merge: merge, replaceStaleTiles: !sharded && !merge, observer: observer)
        }
        if result.assembled { try folder.publish([OutputLayout.maps], replacingAll: false) }
        return result
    }

    /// Runs the map stage writing into `staging`; a write that runs out of space is told by the output
    /// folder, which stays, not the staging folder, which goes on exit (`FullDisk.error`).
    private func publishedTerms<T>(staging: OutputLayout?, folder: OutputFolder, _ body: () throws -> T) throws -> T {
        do { return try body() } catch {
            guard let staging, let e = FullDisk.error(error, staging: staging.root, output: folder.layout.root)
            else { throw error }
            throw e
        }
    }
}
