import Evaluation
import Foundation

/// One run's record: what went in, what was kept and dropped, the scores, the maps' analyses and
/// the stages' times. Encoded (`json()`), it is report.json; report.md (`MarkdownReport`) and
/// report.html (`HTMLReport`) are rendered from it. Every section is a plain Codable value with
/// report.json's snake_case keys; a field that was `null` in report.json is NaN here (`NullIfNaN`).
public struct RunRecord: Codable, Equatable, Sendable {
    /// The pipeline's name.
    public var name = ""
    /// The pipeline file's path.
    public var pipeline = ""
    /// The pipeline's seed.
    public var seed: UInt64 = 0
    /// The mapped soil property and its unit.
    public var property = "", unit = ""
    /// The reference grid.
    public var grid = Grid()
    /// Every covariate raster of the stack.
    public var covariates: [Covariate] = []
    /// The input channels, in order.
    public var channels: [String] = []
    /// Covariate warnings the run went on with, each naming the file and the fix.
    public var covariateWarnings: [String] = []
    /// What happened to the rows of the sites table.
    public var sites = Sites()
    /// Problems found in the soil tables, counted by kind.
    public var issues: [String: Int] = [:]
    /// The data checks' lines and the valid range.
    public var dataChecks = DataChecks()
    /// The samples of each depth interval.
    public var depths: [DepthSamples] = []
    /// Samples (site, depth, value) in all.
    public var samples = 0
    /// The patch file.
    public var patches = Patches()
    /// The cross-validation, or "not evaluated".
    public var evaluation = EvaluationSection.notEvaluated
    /// The prediction intervals' measured coverage (with `evaluate`).
    public var predictionIntervals: PredictionIntervals?
    /// The covariate selection (`select`).
    public var covariateSelection: Selection?
    /// The training units and the protocol (with `train`).
    public var training: Training?
    /// The final models' files, relative to the output folder.
    public var modelFiles: [String]?
    /// The maps (with `predict`, unless left to `socmap predict`).
    public var maps: Maps?
    /// The pipeline has a `predict` section but this run left the maps to `socmap predict` (`--no-maps`).
    public var mapsLeftToPredict = false
    /// The area of applicability (`predict.aoa`).
    public var areaOfApplicability: Applicability?
    /// The depth consistency of the maps.
    public var depthConsistency: DepthConsistency?
    /// The carbon stocks (`stocks`).
    public var stocks: Stocks?
    /// What this run cleared or finished for an interrupted earlier run in the output folder.
    public var recovered: [String]?
    /// Wall time of each stage of this run.
    public var timings = Timings()

    /// An empty record for a builder to fill.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case name, pipeline, seed, property, unit, grid, covariates, channels, sites, issues, depths, samples, patches
        case evaluation, training, maps, stocks, recovered, timings
        case covariateWarnings = "covariate_warnings"
        case dataChecks = "data_checks"
        case predictionIntervals = "prediction_intervals"
        case covariateSelection = "covariate_selection"
        case modelFiles = "model_files"
        case mapsLeftToPredict = "maps_left_to_predict"
        case areaOfApplicability = "area_of_applicability"
        case depthConsistency = "depth_consistency"
    }

    /// report.json: the record with sorted keys, pretty printed.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    /// Reads a record from report.json's bytes.
    public static func read(_ data: Data) throws -> RunRecord { try JSONDecoder().decode(RunRecord.self, from: data) }

    /// The reference grid: CRS, size, geotransform, cell size and extent.
    public struct Grid: Codable, Equatable, Sendable {
        /// The CRS as the report prints it.
        public var crs = ""
        /// "EPSG:n" of the grid's CRS (or its display name), to compare with a covariate's source CRS.
        public var crsCode = ""
        /// Size in cells.
        public var width = 0, height = 0
        /// GDAL's six geotransform coefficients.
        public var geotransform: [Double] = []
        /// Cell width and height (positive), in CRS units.
        public var cellSize: [Double] = []
        /// minX, minY, maxX, maxY.
        public var extent: [Double] = []

        /// An empty grid for a builder to fill.
        public init() {}

        enum CodingKeys: String, CodingKey {
            case crs, width, height, geotransform, extent
            case crsCode = "crs_code"
            case cellSize = "cell_size"
        }
    }

    /// One covariate raster (or band) of the stack and its statistics on the grid.
    public struct Covariate: Codable, Equatable, Sendable {
        /// Its name, kind ("continuous", "categorical") and source file.
        public var name = "", kind = "", source = ""
        /// The band of the source file.
        public var band = 1
        /// The nodata value used (NaN: none).
        @NullIfNaN public var nodata: Double = .nan
        /// The nodata value came from the pipeline's `nodata:`.
        public var nodataFromPipeline = false
        /// The nodata as the report prints it: "-9999 (set by nodata:)", "none".
        public var nodataText = ""
        /// The source file's CRS ("EPSG:n" or its name) and cell width.
        public var sourceCRS = ""
        /// The source file's cell width.
        @NullIfNaN public var sourceCellSize: Double = .nan
        /// Statistics on the grid.
        @NullIfNaN public var min: Double = .nan
        /// Statistics on the grid.
        @NullIfNaN public var max: Double = .nan
        /// Statistics on the grid.
        @NullIfNaN public var mean: Double = .nan
        /// Cells with data on the grid.
        public var validCells = 0
        /// The classes of a categorical covariate.
        public var classes: [Class] = []

        /// An empty covariate for a builder to fill.
        public init() {}

        /// One class of a categorical covariate.
        public struct Class: Codable, Equatable, Sendable {
            /// The class code, its label and its cells on the grid.
            public var value: Int, label: String, cells: Int

            /// A class.
            public init(value: Int, label: String, cells: Int) {
                self.value = value
                self.label = label
                self.cells = cells
            }
        }

        enum CodingKeys: String, CodingKey {
            case name, kind, source, band, nodata, min, max, mean, classes
            case nodataFromPipeline = "nodata_from_pipeline"
            case nodataText = "nodata_text"
            case sourceCRS = "source_crs"
            case sourceCellSize = "source_cell_size"
            case validCells = "valid_cells"
        }
    }

    /// The rows of the sites table and what became of them.
    public struct Sites: Codable, Equatable, Sendable {
        /// The sites table's file name and its rows.
        public var table = "", rows = 0
        /// Counts of the sites table's rows and sites.
        public var read = 0, repeatedRows = 0, skippedRows = 0, untransformable = 0, withoutValues = 0
        /// Counts of sites dropped at the patches, used, padded, and value profiles without a site row.
        public var outsideGrid = 0, centreNodata = 0, used = 0, paddedAtEdge = 0, profilesWithoutSite = 0

        /// Empty counts for a builder to fill.
        public init() {}

        enum CodingKeys: String, CodingKey {
            case table, rows, read, untransformable, used
            case repeatedRows = "repeated_rows"
            case skippedRows = "skipped_rows"
            case withoutValues = "without_values"
            case outsideGrid = "outside_grid"
            case centreNodata = "centre_nodata"
            case paddedAtEdge = "padded_at_edge"
            case profilesWithoutSite = "profiles_without_site"
        }
    }

    /// The soil tables' checks.
    public struct DataChecks: Codable, Equatable, Sendable {
        /// One line per kind of problem, with its CSV lines.
        public var lines: [String] = []
        /// The valid range of the values as the report prints it (nil: none for the unit).
        public var validRange: String?
        /// Horizons harmonised to the depth intervals (0: the table gave intervals).
        public var harmonisedHorizons = 0

        /// No problem yet.
        public init() {}

        enum CodingKeys: String, CodingKey {
            case lines
            case validRange = "valid_range"
            case harmonisedHorizons = "harmonised_horizons"
        }
    }

    /// The samples of one depth interval.
    public struct DepthSamples: Codable, Equatable, Sendable {
        /// The depth's label.
        public var depth = ""
        /// Its samples.
        public var samples = 0
        /// Mean, standard deviation, minimum and maximum of the values (NaN without samples).
        @NullIfNaN public var mean: Double = .nan
        /// Standard deviation.
        @NullIfNaN public var sd: Double = .nan
        /// Minimum.
        @NullIfNaN public var min: Double = .nan
        /// Maximum.
        @NullIfNaN public var max: Double = .nan

        /// An empty depth for a builder to fill.
        public init() {}
    }

    /// The patch file: name, patches (one per site) and their size.
    public struct Patches: Codable, Equatable, Sendable {
        /// The file name, relative to the output folder.
        public var file = ""
        /// Patches (sites) in it, and their size in cells.
        public var sites = 0, size = 0

        /// An empty entry for a builder to fill.
        public init() {}
    }
}
