import Configuration
import Workspace

/// What a pipeline adds to the output folder's layout: the layout of a configuration and the entries a run
/// writes (which `InputSettings` hands the preflight checks); model paths by `ModelKind` are Cartography's.
extension OutputLayout {
    /// The layout of `config`'s output folder.
    public init(_ config: PipelineConfig) {
        self.init(root: config.output, patchesFile: config.patches.file)
    }

    /// The top-level entries a run of `config` writes, in the order the summary lists them.
    public static func entries(for config: PipelineConfig) -> [String] {
        var names = [config.patches.file, profiles, droppedSites, reportMarkdown, reportHTML, reportJSON]
        if config.select != nil { names.append(selection) }
        if config.evaluate != nil { names.append(evaluation) }
        if config.train != nil { names.append(models) }
        if config.predict != nil { names.append(maps) }
        return names
    }
}
