import Configuration
import Inputs
import Workspace

/// What the data stages (the `Inputs` module) take from the pipeline.
extension InputSettings {
    /// The data stages' settings of `config`.
    public init(_ config: PipelineConfig) {
        self.init(
            sites: config.sites, profiles: config.profiles, covariates: config.covariates, patches: config.patches,
            depths: config.depths, file: config.file, baseDirectory: config.baseDirectory,
            output: OutputLayout(config), written: OutputLayout.entries(for: config),
            mapTileSize: config.predict?.tileSize, widestLayer: config.train?.settings.convWidths.max(),
            errorAt: config.errorAt)
    }
}
