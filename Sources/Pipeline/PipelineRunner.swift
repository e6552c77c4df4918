import Foundation
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
    public var outputNames: [String] {
        var names = [config.patches.file, "profiles.csv", "dropped_sites.csv", "report.md", "report.json"]
        if config.evaluate != nil { names.append("evaluation") }
        if config.train != nil { names.append("models") }
        if config.predict != nil { names.append("maps") }
        return names
    }

    /// The covariate stack of the pipeline (the first stage alone).
    public func buildStack() throws -> CovariateStack { try StackStage.run(config, observer: observer) }

    /// Runs every stage; outputs are written only when all stages succeeded.
    public func run(overwrite: Bool) throws -> RunSummary {
        let fm = FileManager.default
        let existing = outputNames.filter { fm.fileExists(atPath: (config.output as NSString).appendingPathComponent($0)) }
        if !existing.isEmpty && !overwrite {
            throw PipelineError(stage: "run", file: config.output,
                                message: "holds outputs of an earlier run (\(existing.joined(separator: ", "))); pass --overwrite to replace them or change 'output'")
        }
        let tables = try ProfilesStage.read(config)   // bad soil tables fail before any raster is read
        let stack = try StackStage.run(config, observer: observer)
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

        let out = { (name: String) in (self.config.output as NSString).appendingPathComponent(name) }
        try fm.createDirectory(atPath: config.output, withIntermediateDirectories: true)
        var evaluation: EvaluationResult?
        var modelFiles: [String] = []
        if let train = config.train {
            if let evaluate = config.evaluate {
                evaluation = try ModelStages.evaluate(config, data: data, train: train, evaluate: evaluate,
                                                      folder: out("evaluation"), observer: observer)
            }
            modelFiles = try ModelStages.trainFinal(config, data: data, train: train, folder: out("models"), observer: observer)
        }
        var maps: MapResult?
        if config.predict != nil {
            maps = try MapStage.run(config, stack: stack, observer: observer)
        }
        let report = RunReport(config: config, stack: stack, profiles: profiles, data: data, patches: patchReport,
                               evaluation: evaluation, modelFiles: modelFiles, maps: maps)
        try PatchFile.write(data, to: out(config.patches.file))
        try AtomicFile.write(Data(report.profilesCSV().utf8), to: out("profiles.csv"))
        try AtomicFile.write(Data(report.droppedSitesCSV().utf8), to: out("dropped_sites.csv"))
        let markdown = report.markdown()
        try AtomicFile.write(Data(markdown.utf8), to: out("report.md"))
        try AtomicFile.write(try report.json(), to: out("report.json"))
        return RunSummary(outputFolder: config.output, files: outputNames, report: markdown)
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
