import Evaluation
import FileIO
import Foundation
import Mapping
import Patches
import RasterIO
import SoilData

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
}

/// Runs a pipeline's stages in order: stack, profiles, patches, report.
public final class PipelineRunner {
    /// The parsed pipeline.
    public let config: PipelineConfig
    let observer: PipelineObserver

    /// Creates a runner for a parsed pipeline.
    public init(config: PipelineConfig, observer: PipelineObserver = SilentObserver()) {
        self.config = config
        self.observer = observer
    }

    /// Output files this pipeline writes, relative to its output folder.
    public var outputNames: [String] { OutputLayout.entries(for: config) }

    /// The covariate stack of the pipeline (the first stage alone).
    public func buildStack() throws -> CovariateStack { try StackStage.run(config, observer: observer) }

    /// Runs every stage into a staging folder and publishes the outputs only when all stages
    /// succeeded: a failed or interrupted run leaves the earlier outputs as they were.
    /// `--overwrite` replaces the whole set of outputs an earlier run wrote.
    public func run(overwrite: Bool, command: String = "socmap run") throws -> RunSummary {
        try PreflightChecks.run(config)
        let folder = try OutputFolder(OutputLayout(config), access: .exclusive, command: command)
        defer { folder.release() }
        for line in folder.recovered { observer.note(line) }
        let entries = outputNames
        try folder.checkReplaceable(entries, overwrite: overwrite)
        let out = try folder.makeStaging()
        let (stack, profiles, data, patchReport) = try prepare()

        var evaluation: EvaluationResult?
        var modelFiles: [String] = []
        var selection: SelectionResult?
        var used = data   // with `select`: only the selected covariates' channels, for the final models, maps and patch file
        if let train = config.train {
            let all = data
            if let select = config.select, let evaluate = config.evaluate {
                let s = try SelectionStage.run(config, select, data: all, train: train, evaluate: evaluate, layout: out, observer: observer)
                selection = s
                used = all.selecting(channels: s.final.channels)
            }
            if let evaluate = config.evaluate {
                let perFold = selection.flatMap { $0.config.perFold ? $0.perFold.map(\.channels) : nil }
                evaluation = try ModelStages.evaluate(config, data: perFold == nil ? used : all, train: train, evaluate: evaluate,
                                                      stack: stack, layout: out, observer: observer, channelsOfFold: perFold)
            }
            modelFiles = try ModelStages.trainFinal(config, data: used, train: train, layout: out, observer: observer)
        }
        var maps: MapResult?
        if let predict = config.predict {
            maps = try MapStage.run(config, stack: stack, inputs: try MapStage.inputs(config, predict, layout: out, evaluation: evaluation, data: used),
                                    output: out, tiles: folder.layout.tilesFolder, replaceStaleTiles: true, observer: observer)
        }
        let report = RunReport(config: config, stack: stack, profiles: profiles, data: used, patches: patchReport,
                               evaluation: evaluation, modelFiles: modelFiles, maps: maps, recovered: folder.recovered,
                               selection: selection)
        try write { try PatchFile.write(used, to: out.patches) }
        try write { try AtomicFile.write(Data(report.profilesCSV().utf8), to: out.path(OutputLayout.profiles)) }
        try write { try AtomicFile.write(Data(report.droppedSitesCSV().utf8), to: out.path(OutputLayout.droppedSites)) }
        let markdown = report.markdown()
        try write { try AtomicFile.write(Data(markdown.utf8), to: out.path(OutputLayout.reportMarkdown)) }
        try write { try AtomicFile.write(try report.json(), to: out.path(OutputLayout.reportJSON)) }
        let html = try HTMLReport(markdown: markdown, layout: out).html()
        try write { try AtomicFile.write(Data(html.utf8), to: out.path(OutputLayout.reportHTML)) }
        try folder.publish(entries, replacingAll: true)
        let scores = evaluation.map { ScoreTables.terminal($0.table, unit: data.unit) }
            ?? ["Not cross-validated: the pipeline has no evaluate section, so there are no accuracy figures"
                + (config.predict != nil ? " (the maps say \"not evaluated\")." : ".")]
        return RunSummary(outputFolder: config.output, files: entries, report: markdown,
                          warnings: CovariateChecks.warnings(stack.covariates, config: config), scores: scores,
                          analyses: maps?.profiles.map { ProfileStage.summary($0, unit: data.unit, property: data.property) } ?? [])
    }

    /// The data stages every run and study starts with: soil tables (checked before any raster is
    /// read), the covariate stack, the checks of stocks and zones, profiles at the depths, patches.
    func prepare() throws -> (stack: CovariateStack, profiles: ProfilesResult, data: PatchDataset, patchReport: PatchReport) {
        let tables = try ProfilesStage.read(config)   // bad soil tables fail before any raster is read

        let stack = try StackStage.run(config, observer: observer)
        _ = try ProfileStage.check(config, grid: stack.grid)   // stocks' rasters and units, before any training
        try ZoneStage.check(config, stack: stack)   // a wrong evaluate.zones fails before any training
        let profiles = try ProfilesStage.run(config, tables: tables, stackCRS: stack.grid.crs, observer: observer)
        observer.stageStarted("patches")
        let (data, patchReport) = try PatchExtractor.extract(
            stack: stack, sites: profiles.sites, profiles: profiles.profiles, depths: config.depths,
            size: config.patches.size, property: config.profiles.property, unit: config.profiles.unit) { done, total in
                self.observer.progress("patches", done: done, total: total)
            }
        if data.samples.isEmpty {
            throw PipelineError(stage: "patches", file: config.sites.file, message: Self.noSamplesMessage(patchReport, sites: profiles.sites.count))
        }
        if let message = Self.emptyDepthsMessage(data, profiles: profiles.profiles, depths: config.depths,
                                                 fromHorizons: profiles.horizonCount > 0) {
            throw PipelineError(stage: "patches", file: config.profiles.file, message: message)
        }
        observer.note("patches: \(data.sites.count) sites, \(data.samples.count) samples, \(data.channels.count) x \(data.patchSize) x \(data.patchSize) each")
        return (stack, profiles, data, patchReport)
    }

    /// Maps every depth with the models an earlier run published. A whole prediction or a merge
    /// holds the output folder alone and replaces its maps folder when the maps are complete;
    /// a shard (`shard.count > 1`) shares the folder with the other shards and only adds tiles.
    public func predict(shard: Shard, merge: Bool, overwrite: Bool, command: String = "socmap predict") throws -> MapResult {
        try PreflightChecks.run(config)
        let layout = OutputLayout(config)
        let sharded = shard.count > 1 && !merge
        let folder = try OutputFolder(layout, access: sharded ? .shared : .exclusive, command: command)
        defer { folder.release() }
        for line in folder.recovered { observer.note(line) }
        if overwrite && !sharded { try? FileManager.default.removeItem(atPath: layout.tilesFolder) }
        let inputs = try MapStage.savedInputs(config, try MapStage.predictSection(config), layout: layout)
        let stack = try StackStage.run(config, observer: observer)
        _ = try ProfileStage.check(config, grid: stack.grid)
        let output = sharded ? nil : try folder.makeStaging()
        let result = try MapStage.run(config, stack: stack, inputs: inputs, output: output, tiles: layout.tilesFolder,
                                      shard: shard, merge: merge, replaceStaleTiles: !sharded && !merge, observer: observer)
        if result.assembled { try folder.publish([OutputLayout.maps], replacingAll: false) }
        return result
    }

    /// Runs a write, turning a system error into one that names the output folder.
    func write(_ body: () throws -> Void) throws {
        do { try body() } catch let e as FileWriteError {
            throw PipelineError(stage: "write", file: e.path, message: "\(e.message); check that the output folder '\(config.output)' is writable and the disk has room")
        }
    }

    /// Nil when every depth interval has a sample; else what is missing and what to do.
    static func emptyDepthsMessage(_ data: PatchDataset, profiles: [SiteProfile], depths: [DepthInterval],
                                   fromHorizons: Bool) -> String? {
        var samples = [Int](repeating: 0, count: depths.count)
        for s in data.samples { samples[s.depth] += 1 }
        let empty = depths.indices.filter { samples[$0] == 0 }
        guard !empty.isEmpty else { return nil }
        let details = empty.map { d -> String in
            let withValue = profiles.filter { $0.values[d] != nil }.count
            return withValue == 0 ? "\(depths[d].label) (no profile reaches it)"
                : "\(depths[d].label) (\(withValue) profiles have a value but none of their sites gave a patch)"
        }
        return "no site has a value at \(details.joined(separator: ", ")), so no model can be fitted or mapped there. "
            + (fromHorizons ? "Check the horizon depths (they must be in cm; use depth_scale for other units)"
                            : "Check the interval columns (profiles.intervals.columns)")
            + " or remove "
            + "\(empty.count == 1 ? "the depth" : "these depths") from 'depths' in the pipeline file"
    }

    static func noSamplesMessage(_ r: PatchReport, sites: Int) -> String {
        var parts: [String] = []
        if !r.outsideGrid.isEmpty { parts.append("\(r.outsideGrid.count) outside the covariate grid") }
        if !r.centreNodata.isEmpty { parts.append("\(r.centreNodata.count) on nodata cells") }
        if !r.sitesWithoutValues.isEmpty { parts.append("\(r.sitesWithoutValues.count) without soil values") }
        return "no usable sample: of \(sites) sites, " + parts.joined(separator: ", ")
            + ". Check sites.crs and the x/y columns (are longitude and latitude swapped?) and that the site ids match the value table."
    }
}
