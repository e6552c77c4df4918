import Configuration
import Foundation
import Patches
import RasterIO
import SoilData

/// The data a run starts from: the covariate stack, the profiles at the depth intervals and the patches.
public struct RunInputs {
    /// The covariate stack on the reference grid.
    public var stack: CovariateStack
    /// Sites in the stack CRS and their values at the depth intervals.
    public var profiles: ProfilesResult
    /// The patches around the sites (every depth interval has a sample).
    public var data: PatchDataset
    /// What patch extraction dropped, and why.
    public var patchReport: PatchReport
    /// Wall times in seconds: reading the soil tables, the stack (with `checkStack`), locating the
    /// profiles, extracting the patches.
    public var seconds: (tables: Double, stack: Double, profiles: Double, patches: Double)
}

/// The data stages every run and study starts with.
public enum InputStages {
    /// Soil tables (checked before any raster is read), the covariate stack, `checkStack` (the
    /// checks of later stages that need the stack, e.g. stocks and zones, before any training),
    /// profiles at the depths, patches (a depth interval without samples stops the run here).
    /// `statisticsFile`: where the stack's statistics are kept between processes (`StackStage.run`).
    public static func prepare(
        _ settings: InputSettings, observer: StageObserver, statisticsFile: String? = nil,
        checkStack: (CovariateStack) throws -> Void = { _ in }
    ) throws -> RunInputs {
        var last = Date()
        func lap() -> Double {
            let now = Date()
            defer { last = now }
            return now.timeIntervalSince(last)
        }
        let tables = try ProfilesStage.read(settings)  // bad soil tables fail before any raster is read
        let readSeconds = lap()

        let stack = try StackStage.run(settings, observer: observer, statisticsFile: statisticsFile)
        try checkStack(stack)
        let stackSeconds = lap()
        let profiles = try ProfilesStage.run(settings, tables: tables, stackCRS: stack.grid.crs, observer: observer)
        let profilesSeconds = lap()
        observer.stageStarted("patches")
        let (data, patchReport) = try PatchExtractor.extract(
            stack: stack, sites: profiles.sites, profiles: profiles.profiles, depths: settings.depths,
            size: settings.patches.size, property: settings.profiles.property, unit: settings.profiles.unit
        ) { done, total in
            observer.progress("patches", done: done, total: total)
        }
        if data.samples.isEmpty {
            throw StageError(
                stage: .patches, file: settings.sites.file,
                message: noSamplesMessage(patchReport, sites: profiles.sites.count))
        }
        if let message = emptyDepthsMessage(
            data, profiles: profiles.profiles, depths: settings.depths,
            fromHorizons: profiles.horizonCount > 0)
        {
            throw StageError(stage: .patches, file: settings.profiles.file, message: message)
        }
        observer.note(
            """
            patches: \(data.sites.count) sites, \(data.samples.count) samples, \(data.channels.count) x \
            \(data.patchSize) x \(data.patchSize) each
            """
        )
        return RunInputs(
            stack: stack, profiles: profiles, data: data, patchReport: patchReport,
            seconds: (readSeconds, stackSeconds, profilesSeconds, lap()))
    }

    /// Nil when every depth interval has a sample; else what is missing and what to do.
    static func emptyDepthsMessage(
        _ data: PatchDataset, profiles: [SiteProfile], depths: [DepthInterval],
        fromHorizons: Bool
    ) -> String? {
        var samples = [Int](repeating: 0, count: depths.count)
        for s in data.samples { samples[s.depth] += 1 }
        let empty = depths.indices.filter { samples[$0] == 0 }
        guard !empty.isEmpty else { return nil }
        let details = empty.map { d -> String in
            let withValue = profiles.filter { $0.values[d] != nil }.count
            return withValue == 0
                ? "\(depths[d].label) (no profile reaches it)"
                : "\(depths[d].label) (\(withValue) profiles have a value but none of their sites gave a patch)"
        }
        return "no site has a value at \(details.joined(separator: ", ")), so no model can be fitted or mapped there. "
            + (fromHorizons
                ? "Check the horizon depths (they must be in cm; use depth_scale for other units)"
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
            + """
            . Check sites.crs and the x/y columns (are longitude and latitude swapped?) and that the site ids \
            match the value table.
            """
    }
}
