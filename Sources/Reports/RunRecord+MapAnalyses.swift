import Evaluation
import Foundation

extension RunRecord {
    /// The area of applicability: threshold, rule, weights, training sites and the share of cells inside.
    public struct Applicability: Codable, Equatable, Sendable {
        /// The DI threshold and the training sites' mean pairwise distance.
        public var threshold = 0.0, meanDistance = 0.0
        /// The threshold rule ("cast", "trimmed_max") and the weights ("rf", "equal").
        public var rule = "", weights = ""
        /// Training sites, and those above the threshold.
        public var trainingSites = 0, trainingSitesAbove = 0
        /// Mapped cells inside the area, and in all.
        public var cellsInside = 0, cellsMapped = 0
        /// cellsInside / cellsMapped (NaN without mapped cells).
        @NullIfNaN public var shareInside: Double = .nan
        /// Channels left out (the same at every training site).
        public var constantChannels: [String] = []
        /// The DI map and the 1/0 mask's file names in maps/.
        public var dissimilarityMap = "", applicabilityMap = ""
        /// The mapped model's interval coverage per depth for held-out sites inside and outside the area
        /// (by their cross-validation DI); empty when not measured.
        public var intervalCoverage: [PredictionIntervals.Coverage] = []
        /// Per depth, the expected RMSE against the DI (CAST's errorProfiles); empty when not fitted.
        public var errorProfiles: [ErrorProfile] = []
        /// The expected-RMSE maps' file names in maps/, one per depth (empty: none).
        public var expectedErrorMaps: [String] = []

        /// One depth's error profile: the expected RMSE at DI points, and at the AOA threshold.
        public struct ErrorProfile: Codable, Equatable, Sendable {
            /// The depth label.
            public var depth = ""
            /// Held-out samples fitted.
            public var samples = 0
            /// The DI of each point, increasing, and the expected RMSE there, non-decreasing.
            public var di: [Double] = [], rmse: [Double] = []
            /// The expected RMSE at the AOA threshold.
            @NullIfNaN public var rmseAtThreshold: Double = .nan

            /// An empty profile for a builder to fill.
            public init() {}

            enum CodingKeys: String, CodingKey {
                case depth, samples, di, rmse
                case rmseAtThreshold = "rmse_at_threshold"
            }
        }

        /// An empty section for a builder to fill.
        public init() {}

        enum CodingKeys: String, CodingKey {
            case threshold, rule, weights
            case meanDistance = "mean_distance"
            case trainingSites = "training_sites"
            case trainingSitesAbove = "training_sites_above"
            case cellsInside = "cells_inside"
            case cellsMapped = "cells_mapped"
            case shareInside = "share_inside"
            case constantChannels = "constant_channels"
            case dissimilarityMap = "dissimilarity_map"
            case applicabilityMap = "applicability_map"
            case intervalCoverage = "interval_coverage"
            case errorProfiles = "error_profiles"
            case expectedErrorMaps = "expected_error_maps"
        }
    }

    /// Depth inversions of the maps: per pair of adjacent depths, the largest rises, the monotone correction.
    public struct DepthConsistency: Codable, Equatable, Sendable {
        /// The mapped model and the map counting inverted pairs per cell.
        public var model = "", inversionsMap = ""
        /// The rise (in the property's unit) above which a pair counts as inverted.
        public var threshold = 0.0
        /// Cells with values at every depth, and those with an inverted pair.
        public var cellsValid = 0, cellsInverted = 0
        /// cellsInverted / cellsValid.
        @NullIfNaN public var shareCellsInverted: Double = .nan
        /// The maps were rewritten monotone (`monotone` says how).
        public var corrected = false
        /// Each pair of adjacent depths.
        public var pairs: [Pair] = []
        /// The largest rises with their cells.
        public var largest: [Rise] = []
        /// The monotone correction (`enforce_monotone`).
        public var monotone: Monotone?

        /// An empty section for a builder to fill.
        public init() {}

        /// One pair of adjacent depths.
        public struct Pair: Codable, Equatable, Sendable {
            /// The upper and deeper depth labels.
            public var upper: String, lower: String
            /// Cells with both values, and those inverted.
            public var cells: Int, inverted: Int
            /// inverted / cells.
            @NullIfNaN public var share: Double
            /// The largest rise (NaN: none).
            @NullIfNaN public var largestRise: Double

            /// One pair.
            public init(upper: String, lower: String, cells: Int, inverted: Int, share: Double, largestRise: Double) {
                (self.upper, self.lower, self.cells, self.inverted) = (upper, lower, cells, inverted)
                self.share = share
                self.largestRise = largestRise
            }

            enum CodingKeys: String, CodingKey {
                case upper, lower, cells, inverted, share
                case largestRise = "largest_rise"
            }
        }

        /// One of the largest rises: the pair, both values, the rise and the cell.
        public struct Rise: Codable, Equatable, Sendable {
            /// The pair's depth labels.
            public var upperDepth: String, lowerDepth: String
            /// The values at the upper and deeper depth, and the rise.
            public var upper: Double, lower: Double, rise: Double
            /// The cell (column, row) and its centre in the grid's CRS.
            public var col: Int, row: Int, x: Double, y: Double

            /// One rise.
            public init(
                upperDepth: String, lowerDepth: String, upper: Double, lower: Double, rise: Double,
                col: Int, row: Int, x: Double, y: Double
            ) {
                (self.upperDepth, self.lowerDepth, self.upper, self.lower, self.rise) = (
                    upperDepth, lowerDepth, upper, lower, rise
                )
                (self.col, self.row, self.x, self.y) = (col, row, x, y)
            }

            enum CodingKeys: String, CodingKey {
                case upper, lower, rise, col, row, x, y
                case upperDepth = "upper_depth"
                case lowerDepth = "lower_depth"
            }
        }

        /// The monotone correction: cells lowered, per depth below the first.
        public struct Monotone: Codable, Equatable, Sendable {
            /// Cells with values, and cells lowered at some depth.
            public var cellsValid = 0, cellsChanged = 0
            /// The metadata key each changed map carries.
            public var metadataKey = ""
            /// Each depth below the first.
            public var depths: [Change] = []

            /// An empty correction for a builder to fill.
            public init() {}

            /// The cells lowered at one depth.
            public struct Change: Codable, Equatable, Sendable {
                /// The depth label and its cells lowered.
                public var depth: String, cells: Int
                /// Mean and largest decrease.
                @NullIfNaN public var meanDecrease: Double
                /// Largest decrease.
                @NullIfNaN public var largestDecrease: Double

                /// One depth's change.
                public init(depth: String, cells: Int, meanDecrease: Double, largestDecrease: Double) {
                    (self.depth, self.cells) = (depth, cells)
                    self.meanDecrease = meanDecrease
                    self.largestDecrease = largestDecrease
                }

                enum CodingKeys: String, CodingKey {
                    case depth, cells
                    case meanDecrease = "mean_decrease"
                    case largestDecrease = "largest_decrease"
                }
            }

            enum CodingKeys: String, CodingKey {
                case depths
                case cellsValid = "cells_valid"
                case cellsChanged = "cells_changed"
                case metadataKey = "metadata_key"
            }
        }

        enum CodingKeys: String, CodingKey {
            case model, threshold, corrected, pairs, largest, monotone
            case inversionsMap = "inversions_map"
            case cellsValid = "cells_valid"
            case cellsInverted = "cells_inverted"
            case shareCellsInverted = "share_cells_inverted"
        }
    }

    /// The SOC stocks: formula, inputs, and per layer (and summed layer) the total.
    public struct Stocks: Codable, Equatable, Sendable {
        /// The formula, the map unit ("t/ha") and the totals' unit ("Tg").
        public var formula = "", unit = "t/ha", totalUnit = "Tg"
        /// The bulk density raster and its unit (nil: the record was built without the `stocks` section).
        public var bulkDensity: Raster?
        /// The coarse fragments: a constant fraction or a raster.
        public var coarseFragments: CoarseFragments?
        /// How the interval bounds are combined (nil: no bounds).
        public var bounds: String?
        /// The plausible bulk density range in g/cm3.
        public var plausibleBulkDensity: [Double] = []
        /// Cells with a SOC value left without a stock, by reason.
        public var cellsWithoutBulkDensity = 0, cellsImplausibleBulkDensity = 0, cellsWithoutCoarseFragments = 0
        /// Sums the depths do not tile from the surface.
        public var sumsNotCovered: [String] = []
        /// Each depth and summed layer.
        public var layers: [Layer] = []

        /// An empty section for a builder to fill.
        public init() {}

        /// A raster input and its unit.
        public struct Raster: Codable, Equatable, Sendable {
            /// Its path and unit.
            public var raster: String, unit: String
            /// The nodata value the pipeline gives in place of the file's own, as text ("255", "nan"; nil: the file's).
            public var nodata: String?

            /// A raster input.
            public init(raster: String, unit: String, nodata: String? = nil) {
                (self.raster, self.unit, self.nodata) = (raster, unit, nodata)
            }
        }

        /// The coarse fragments: `constant_fraction`, or `raster` with `unit`.
        public struct CoarseFragments: Codable, Equatable, Sendable {
            /// A constant volume fraction.
            public var constantFraction: Double?
            /// A raster and its unit.
            public var raster: String?, unit: String?
            /// The raster's nodata value the pipeline gives in place of the file's own, as text (nil: the file's).
            public var nodata: String?

            /// Coarse fragments.
            public init(
                constantFraction: Double? = nil, raster: String? = nil, unit: String? = nil, nodata: String? = nil
            ) {
                (self.constantFraction, self.raster, self.unit, self.nodata) = (constantFraction, raster, unit, nodata)
            }

            enum CodingKeys: String, CodingKey {
                case raster, unit, nodata
                case constantFraction = "constant_fraction"
            }
        }

        /// One layer's map and totals.
        public struct Layer: Codable, Equatable, Sendable {
            /// The depth label; a sum of layers (0-30cm, 0-100cm) or not.
            public var depth: String, sum: Bool
            /// The map, relative to the output folder.
            public var map: String
            /// Cells with a stock, their area, the mean per hectare and the total.
            public var cells: Int, areaKm2: Double
            /// Mean per hectare.
            @NullIfNaN public var meanTHa: Double
            /// Total in Tg, and the interval bounds' totals.
            public var totalTg: Double, lowerTg: Double?, upperTg: Double?

            /// One layer.
            public init(
                depth: String, sum: Bool, map: String, cells: Int, areaKm2: Double, meanTHa: Double, totalTg: Double,
                lowerTg: Double?, upperTg: Double?
            ) {
                (self.depth, self.sum, self.map, self.cells, self.areaKm2) = (depth, sum, map, cells, areaKm2)
                self.meanTHa = meanTHa
                (self.totalTg, self.lowerTg, self.upperTg) = (totalTg, lowerTg, upperTg)
            }

            enum CodingKeys: String, CodingKey {
                case depth, sum, map, cells
                case areaKm2 = "area_km2"
                case meanTHa = "mean_t_ha"
                case totalTg = "total_tg"
                case lowerTg = "lower_tg"
                case upperTg = "upper_tg"
            }
        }

        enum CodingKeys: String, CodingKey {
            case formula, unit, bounds, layers
            case totalUnit = "total_unit"
            case bulkDensity = "bulk_density"
            case coarseFragments = "coarse_fragments"
            case plausibleBulkDensity = "plausible_bulk_density"
            case cellsWithoutBulkDensity = "cells_without_bulk_density"
            case cellsImplausibleBulkDensity = "cells_implausible_bulk_density"
            case cellsWithoutCoarseFragments = "cells_without_coarse_fragments"
            case sumsNotCovered = "sums_not_covered"
        }
    }
}
