import Evaluation
import Foundation

extension RunRecord {
    /// report.json's "evaluation": the string "not evaluated", or the cross-validation.
    public enum EvaluationSection: Codable, Equatable, Sendable {
        /// The pipeline has no `evaluate` section.
        case notEvaluated
        /// The cross-validated scores.
        case evaluated(CrossValidation)

        /// The wire text of `notEvaluated`.
        public static let notEvaluatedText = "not evaluated"

        /// The cross-validation, if any.
        public var crossValidation: CrossValidation? {
            if case .evaluated(let cv) = self { return cv }
            return nil
        }

        /// Reads "not evaluated" or an object.
        public init(from decoder: Decoder) throws {
            if let text = try? decoder.singleValueContainer().decode(String.self) {
                guard text == Self.notEvaluatedText else {
                    throw DecodingError.dataCorrupted(
                        .init(
                            codingPath: decoder.codingPath,
                            debugDescription: "expected \"\(Self.notEvaluatedText)\" or an object"))
                }
                self = .notEvaluated
            } else {
                self = .evaluated(try CrossValidation(from: decoder))
            }
        }

        /// Writes "not evaluated" or the object.
        public func encode(to encoder: Encoder) throws {
            switch self {
            case .notEvaluated:
                var c = encoder.singleValueContainer()
                try c.encode(Self.notEvaluatedText)
            case .evaluated(let cv): try cv.encode(to: encoder)
            }
        }
    }

    /// The cross-validation: the fold design, the scores per depth and pooled, the zones.
    public struct CrossValidation: Codable, Equatable, Sendable {
        /// Folds, and the fold design in one sentence.
        public var folds = 0, foldDesignText = ""
        /// How the folds were made (nil: not recorded).
        public var foldDesign: FoldDesign?
        /// The models and depth labels of the tables, in report order.
        public var models: [String] = [], depthLabels: [String] = []
        /// The rows of each depth, then the rows pooled over depths.
        public var perDepth: [ScoreRow] = [], pooledOverDepths: [ScoreRow] = []
        /// Held-out samples without a prediction, per model.
        public var unpredicted: [String: Int] = [:]
        /// The scores per zone of `evaluate.zones`.
        public var zones: Zones?
        /// The nearest-neighbour distances of the sites, the folds and the prediction cells (geodist).
        public var geodist: GeodistTable?
        /// The variograms of each model's held-out residuals per depth.
        public var residualVariograms: ResidualVariograms?
        /// The combined model's weights per fold and depth, if the run has one.
        public var combination: CombinationWeights?
        /// The covariate importance and partial dependence (`evaluate.importance`).
        public var importance: CovariateImportance?

        /// An empty section for a builder to fill.
        public init() {}

        /// The scores as `Evaluation`'s table (what `ScoreTables` renders).
        public var table: EvaluationTable {
            EvaluationTable(
                models: models, depthLabels: depthLabels, folds: folds,
                rows: (perDepth + pooledOverDepths).map(\.row), design: foldDesign)
        }

        enum CodingKeys: String, CodingKey {
            case folds, models, unpredicted, zones, geodist, combination, importance
            case residualVariograms = "residual_variograms"
            case foldDesignText = "fold_design_text"
            case foldDesign = "fold_design"
            case depthLabels = "depth_labels"
            case perDepth = "per_depth"
            case pooledOverDepths = "pooled_over_depths"
        }
    }

    /// One model's scores at one depth: model, depth, n and every metric side by side, with `fold_sd`.
    public struct ScoreRow: Codable, Equatable, Sendable {
        /// The table's row.
        public var row: EvaluationTable.Row

        /// Wraps a row.
        public init(_ row: EvaluationTable.Row) { self.row = row }

        enum CodingKeys: String, CodingKey {
            case model, depth
            case foldSD = "fold_sd"
        }

        /// Reads the metrics beside the row's own keys.
        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            row = EvaluationTable.Row(
                model: try c.decode(String.self, forKey: .model), depth: try c.decode(String.self, forKey: .depth),
                metrics: try Metrics(from: decoder), foldSD: try c.decode(FoldSpread.self, forKey: .foldSD))
        }

        /// Writes the metrics beside the row's own keys (the per-fold metrics are in evaluation/metrics.json).
        public func encode(to encoder: Encoder) throws {
            try row.metrics.encode(to: encoder)
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(row.model, forKey: .model)
            try c.encode(row.depth, forKey: .depth)
            try c.encode(row.foldSD, forKey: .foldSD)
        }
    }

    /// The scores per zone: the source, the marking threshold, the sites on nodata, every zone, and a
    /// row per model, depth and zone with n, every metric and `too_few`.
    public struct Zones: Codable, Equatable, Sendable {
        /// The breakdown.
        public var breakdown: ZoneBreakdown

        /// Wraps a breakdown.
        public init(_ breakdown: ZoneBreakdown) { self.breakdown = breakdown }

        enum CodingKeys: String, CodingKey {
            case source, zones, rows, models, samples
            case minimumCount = "minimum_count"
            case nodataSites = "nodata_sites"
            case nodataSamples = "nodata_samples"
            case depthLabels = "depth_labels"
        }

        enum RowKeys: String, CodingKey {
            case model, depth, zone, label
            case tooFew = "too_few"
        }

        /// One row: its keys beside the metrics.
        struct Row: Codable {
            var row: ZoneBreakdown.Row

            init(_ row: ZoneBreakdown.Row) { self.row = row }

            init(from decoder: Decoder) throws {
                let c = try decoder.container(keyedBy: RowKeys.self)
                row = ZoneBreakdown.Row(
                    model: try c.decode(String.self, forKey: .model), depth: try c.decode(String.self, forKey: .depth),
                    zone: try c.decode(Int.self, forKey: .zone), label: try c.decode(String.self, forKey: .label),
                    metrics: try Metrics(from: decoder), tooFew: try c.decode(Bool.self, forKey: .tooFew))
            }

            func encode(to encoder: Encoder) throws {
                try row.metrics.encode(to: encoder)
                var c = encoder.container(keyedBy: RowKeys.self)
                try c.encode(row.model, forKey: .model)
                try c.encode(row.depth, forKey: .depth)
                try c.encode(row.zone, forKey: .zone)
                try c.encode(row.label, forKey: .label)
                try c.encode(row.tooFew, forKey: .tooFew)
            }
        }

        /// Reads the breakdown.
        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            breakdown = ZoneBreakdown(
                source: try c.decode(String.self, forKey: .source),
                minimumCount: try c.decode(Int.self, forKey: .minimumCount),
                models: try c.decode([String].self, forKey: .models),
                depthLabels: try c.decode([String].self, forKey: .depthLabels),
                zones: try c.decode([ZoneBreakdown.Zone].self, forKey: .zones),
                rows: try c.decode([Row].self, forKey: .rows).map(\.row),
                samples: try c.decode([[Int]].self, forKey: .samples),
                nodataSites: try c.decode(Int.self, forKey: .nodataSites),
                nodataSamples: try c.decode(Int.self, forKey: .nodataSamples))
        }

        /// Writes the breakdown.
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            let b = breakdown
            try c.encode(b.source, forKey: .source)
            try c.encode(b.minimumCount, forKey: .minimumCount)
            try c.encode(b.models, forKey: .models)
            try c.encode(b.depthLabels, forKey: .depthLabels)
            try c.encode(b.zones, forKey: .zones)
            try c.encode(b.rows.map(Row.init), forKey: .rows)
            try c.encode(b.samples, forKey: .samples)
            try c.encode(b.nodataSites, forKey: .nodataSites)
            try c.encode(b.nodataSamples, forKey: .nodataSamples)
        }
    }

    /// The prediction intervals: level, the maps' method, the coverage over all depths per model and
    /// method, and the mapped (or swept) model's coverage per depth.
    public struct PredictionIntervals: Codable, Equatable, Sendable {
        /// The nominal level and the maps' method.
        public var level = 0.0, method = ""
        /// The model whose coverage report.md shows.
        public var sweepModel = ""
        /// Coverage over all depths, per model and method.
        public var coverageAllDepths: [Coverage] = []
        /// The sweep model's coverage per depth (and "all") and method.
        public var sweepModelCoverage: [Coverage] = []
        /// The sweep model's coverage per depth, method and fifth of the predicted value (1: lowest).
        public var sweepModelByFifth: [Coverage] = []
        /// The sweep model's coverage of the maps' method per depth and zone of `evaluate.zones`.
        public var sweepModelByZone: [Coverage] = []

        /// An empty section for a builder to fill.
        public init() {}

        /// The coverage (PICP) and mean width of one model, method and depth.
        public struct Coverage: Codable, Equatable, Sendable {
            /// The model (in `coverage_all_depths`) or the depth (in `sweep_model_coverage`).
            public var model: String?, depth: String?
            /// The fifth of the predicted value, 1 (lowest) to 5 (in `sweep_model_by_fifth`).
            public var fifth: Int? = nil
            /// The group of held-out samples: a zone, or inside / outside the area of applicability.
            public var group: String? = nil
            /// Held-out samples tried (in the groups' rows).
            public var n: Int? = nil
            /// The interval method.
            public var method: String
            /// The share of held-out samples inside the interval.
            @NullIfNaN public var picp: Double
            /// The interval's mean width.
            @NullIfNaN public var meanWidth: Double

            /// One coverage figure.
            public init(
                model: String? = nil, depth: String? = nil, fifth: Int? = nil, method: String, picp: Double,
                meanWidth: Double
            ) {
                self.model = model
                self.depth = depth
                self.fifth = fifth
                self.method = method
                self.picp = picp
                self.meanWidth = meanWidth
            }

            enum CodingKeys: String, CodingKey {
                case model, depth, fifth, group, n, method, picp
                case meanWidth = "mean_width"
            }
        }

        enum CodingKeys: String, CodingKey {
            case level, method
            case sweepModel = "sweep_model"
            case coverageAllDepths = "coverage_all_depths"
            case sweepModelCoverage = "sweep_model_coverage"
            case sweepModelByFifth = "sweep_model_by_fifth"
            case sweepModelByZone = "sweep_model_by_zone"
        }
    }
}

extension RunRecord.PredictionIntervals.Coverage {
    /// The coverage of one group's row (a zone, or inside / outside the area of applicability) of `method`.
    public init(group row: GroupCoverage, method: String) {
        self.init(depth: row.depth, method: method, picp: row.picp, meanWidth: row.meanWidth)
        (group, n) = (row.group, row.n)
    }
}
