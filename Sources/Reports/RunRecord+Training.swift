import Foundation

extension RunRecord {
    /// The training: the models, the protocol's changed keys, and every unit with its own training time.
    public struct Training: Codable, Equatable, Sendable {
        /// The models trained.
        public var models: [String] = []
        /// The `train` keys that differ from their defaults, e.g. "epochs: 60".
        public var changedSettings: [String] = []
        /// Wall time of this run's training stage (0 for a merge, which trains nothing).
        public var wallSeconds = 0.0
        /// The units were trained by `--part` processes and assembled by `--merge`.
        public var merged = false
        /// Every unit: the cross-validation folds' fits, then the final fits.
        public var units: [Unit] = []

        /// An empty section for a builder to fill.
        public init() {}

        /// One training unit: a model on a fold, or its final fit.
        public struct Unit: Codable, Equatable, Sendable {
            /// The unit's name in the unit store ("cv_fold01_rf", "final_rf") and its model (variant).
            public var name: String, model: String
            /// The 1-based fold; nil for a final fit.
            public var fold: Int?
            /// Its training time, recorded when it was saved (by whichever process fitted it).
            public var seconds: Double
            /// Fitted by this run's process (false: reused from an earlier run or fitted by a part).
            public var fittedHere: Bool

            /// One unit.
            public init(name: String, model: String, fold: Int?, seconds: Double, fittedHere: Bool) {
                self.name = name
                self.model = model
                self.fold = fold
                self.seconds = seconds
                self.fittedHere = fittedHere
            }

            enum CodingKeys: String, CodingKey {
                case name, model, fold, seconds
                case fittedHere = "fitted_here"
            }
        }

        /// The cross-validation folds' units.
        public var crossValidationUnits: [Unit] { units.filter { $0.fold != nil } }
        /// The final fits' units.
        public var finalUnits: [Unit] { units.filter { $0.fold == nil } }

        enum CodingKeys: String, CodingKey {
            case models, merged, units
            case changedSettings = "changed_settings"
            case wallSeconds = "wall_seconds"
        }
    }

    /// Wall time in seconds of each stage this run went through (absent: the stage did not run).
    public struct Timings: Codable, Equatable, Sendable {
        /// The covariate stack (with the covariates' and zones' checks).
        public var stack = 0.0
        /// The soil tables read and the profiles at the depth intervals.
        public var profiles = 0.0
        /// The patches cut around the sites.
        public var patches = 0.0
        /// The covariate selection (`select`).
        public var selection: Double?
        /// The training units fitted (or checked, for a merge) in this process.
        public var training: Double?
        /// The evaluation assembled from the saved units (tables, plots, held-out sites).
        public var evaluation: Double?
        /// The final models copied out of the saved units.
        public var finalModels: Double?
        /// The maps and their analyses.
        public var maps: Double?
        /// The patch file, profiles.csv, dropped_sites.csv and this record (not the rendering of the reports).
        public var report = 0.0
        /// From the first stage to the report.
        public var total = 0.0

        /// No time yet.
        public init() {}

        enum CodingKeys: String, CodingKey {
            case stack, profiles, patches, selection, training, evaluation, maps, report, total
            case finalModels = "final_models"
        }
    }

    /// The map stage's products and speed.
    public struct Maps: Codable, Equatable, Sendable {
        /// The files of maps/, relative to the output folder's maps folder.
        public var files: [String] = []
        /// Tiles in all, cells predicted, seconds of prediction, peak memory in bytes.
        public var tiles = 0, cells = 0
        /// Seconds of prediction.
        public var seconds = 0.0
        /// Peak memory in bytes.
        public var peakMemoryBytes = 0
        /// What the tiles computed once for all depths (nil: nothing shared).
        public var sharedBlocks: String?
        /// The files written by the analyses of the maps (depth consistency, stocks).
        public var analysisFiles: [String] = []

        /// An empty section for a builder to fill.
        public init() {}

        enum CodingKeys: String, CodingKey {
            case files, tiles, cells, seconds
            case peakMemoryBytes = "peak_memory_bytes"
            case sharedBlocks = "shared_blocks"
            case analysisFiles = "analysis_files"
        }
    }
}
