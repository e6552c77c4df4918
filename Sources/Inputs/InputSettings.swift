import Configuration
import SoilData
import Workspace

/// What the data stages read of a pipeline: its input sections, depth intervals, file and output folder.
public struct InputSettings: Sendable {
    /// The `sites` section.
    public var sites: SitesConfig
    /// The `profiles` section.
    public var profiles: ProfilesConfig
    /// The `covariates` section.
    public var covariates: CovariatesConfig
    /// The `patches` section.
    public var patches: PatchesConfig
    /// The pipeline's depth intervals (`depths`).
    public var depths: [DepthInterval]
    /// The pipeline file, named in messages.
    public var file: String
    /// The pipeline file's folder, which covariate warnings give paths relative to.
    public var baseDirectory: String
    /// The run's output folder (`output`), its root named in messages.
    public var output: OutputLayout
    /// The output folder's top-level entries the run writes and replaces, which preflight keeps every input out of.
    public var written: [String]
    /// `predict.tile_size`, for the memory estimate (nil: no `predict` section).
    public var mapTileSize: Int?
    /// The largest of `train.conv_widths`, for the memory estimate (nil: no `train` section).
    public var widestLayer: Int?
    /// Makes the error of a key of the pipeline file at its line and column.
    public var errorAt: KeyErrorMaker

    /// Creates the settings.
    public init(
        sites: SitesConfig, profiles: ProfilesConfig, covariates: CovariatesConfig, patches: PatchesConfig,
        depths: [DepthInterval], file: String, baseDirectory: String, output: OutputLayout, written: [String],
        mapTileSize: Int?, widestLayer: Int?, errorAt: @escaping KeyErrorMaker
    ) {
        self.sites = sites
        self.profiles = profiles
        self.covariates = covariates
        self.patches = patches
        self.depths = depths
        self.file = file
        self.baseDirectory = baseDirectory
        self.output = output
        self.written = written
        self.mapTileSize = mapTileSize
        self.widestLayer = widestLayer
        self.errorAt = errorAt
    }
}
