import Evaluation
import Foundation

extension RunRecord {
    /// The covariate selection (Han et al. 2025, Sec. 2.2): its settings, the selection on all sites and,
    /// with `per_fold`, one per evaluation fold.
    public struct Selection: Codable, Equatable, Sendable {
        /// Each evaluation fold selects on its own training sites (`select.per_fold`).
        public var perFold = false
        /// The ranking ("correlation", "forest_importance") and the scoring model.
        public var order = "", model = ""
        /// The filters' thresholds.
        public var minCorrelation = 0.0, maxPairCorrelation = 0.0
        /// Covariates added per subset, and the folds scoring a subset.
        public var groupSize = 0, folds = 0
        /// The depth labels of the RMSE columns.
        public var depths: [String] = []
        /// The selection on all sites (the final models' and the maps').
        public var allSites = Run()
        /// Each fold's selection, with `per_fold`.
        public var perFoldRuns: [Run]?

        /// An empty section for a builder to fill.
        public init() {}

        /// Per covariate of the selection on all sites, in how many folds' selections it is.
        public var foldCounts: [(name: String, folds: Int)] {
            allSites.covariates.map { c in (c.name, (perFoldRuns ?? []).filter { $0.selected.contains(c.name) }.count) }
        }

        enum CodingKeys: String, CodingKey {
            case variant, order, model, folds, depths
            case minCorrelation = "min_correlation"
            case maxPairCorrelation = "max_pair_correlation"
            case groupSize = "group_size"
            case allSites = "all_sites"
            case perFoldRuns = "per_fold"
            case foldCounts = "fold_counts"
        }

        /// Reads a selection ("fold_counts" is derived, so it is not read).
        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            perFold = try c.decode(String.self, forKey: .variant) == "per_fold"
            order = try c.decode(String.self, forKey: .order)
            model = try c.decode(String.self, forKey: .model)
            minCorrelation = try c.decode(Double.self, forKey: .minCorrelation)
            maxPairCorrelation = try c.decode(Double.self, forKey: .maxPairCorrelation)
            groupSize = try c.decode(Int.self, forKey: .groupSize)
            folds = try c.decode(Int.self, forKey: .folds)
            depths = try c.decode([String].self, forKey: .depths)
            allSites = try c.decode(Run.self, forKey: .allSites)
            perFoldRuns = try c.decodeIfPresent([Run].self, forKey: .perFoldRuns)
        }

        /// Writes the selection; with `per_fold`, each fold's selection and the fold counts.
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(perFold ? "per_fold" : "all_data", forKey: .variant)
            try c.encode(order, forKey: .order)
            try c.encode(model, forKey: .model)
            try c.encode(minCorrelation, forKey: .minCorrelation)
            try c.encode(maxPairCorrelation, forKey: .maxPairCorrelation)
            try c.encode(groupSize, forKey: .groupSize)
            try c.encode(folds, forKey: .folds)
            try c.encode(depths, forKey: .depths)
            try c.encode(allSites, forKey: .allSites)
            if perFold {
                try c.encodeIfPresent(perFoldRuns, forKey: .perFoldRuns)
                try c.encode(
                    Dictionary(foldCounts.map { ($0.name, $0.folds) }, uniquingKeysWith: { a, _ in a }),
                    forKey: .foldCounts)
            }
        }

        /// One selection: every covariate's |r| and fate, the subsets' RMSE, the one kept.
        public struct Run: Codable, Equatable, Sendable {
            /// Sites it was made on.
            public var sites = 0
            /// The covariates kept, in rank order, and their channels.
            public var selected: [String] = []
            /// Channels of the covariates kept.
            public var channels = 0
            /// Every covariate, in the stack's order.
            public var covariates: [Candidate] = []
            /// The subsets scored, smallest first.
            public var subsets: [Subset] = []
            /// The index of the subset kept.
            public var best = 0

            /// An empty selection for a builder to fill.
            public init() {}

            /// The covariates dropped by low correlation, and by pairs.
            public var droppedLow: [Candidate] { covariates.filter { $0.dropped == Candidate.lowCorrelation } }
            /// The covariates dropped by pairs.
            public var droppedPair: [Candidate] { covariates.filter { $0.dropped == Candidate.pair } }

            enum CodingKeys: String, CodingKey {
                case sites, selected, channels, covariates, subsets, correlation
                case droppedLow = "dropped_low_correlation"
                case droppedPair = "dropped_pair"
            }

            /// A dropped pair for report.json.
            struct Dropped: Encodable {
                var covariate: String, with: String?, r: Double?
            }

            /// Reads a selection; the kept subset is the one marked `chosen`.
            public init(from decoder: Decoder) throws {
                let c = try decoder.container(keyedBy: CodingKeys.self)
                sites = try c.decode(Int.self, forKey: .sites)
                selected = try c.decode([String].self, forKey: .selected)
                channels = try c.decode(Int.self, forKey: .channels)
                covariates = try c.decode([Candidate].self, forKey: .covariates)
                subsets = try c.decode([Subset].self, forKey: .subsets)
                best = subsets.firstIndex { $0.chosen } ?? 0
            }

            /// Writes a selection with today's keys (dropped lists, |r| by name) and its covariates.
            public func encode(to encoder: Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(sites, forKey: .sites)
                try c.encode(selected, forKey: .selected)
                try c.encode(channels, forKey: .channels)
                try c.encode(covariates, forKey: .covariates)
                var marked = subsets
                for i in marked.indices { marked[i].chosen = i == best }
                try c.encode(marked, forKey: .subsets)
                try c.encode(droppedLow.map(\.name), forKey: .droppedLow)
                try c.encode(
                    droppedPair.map { Dropped(covariate: $0.name, with: $0.with, r: $0.r) }, forKey: .droppedPair)
                try c.encode(
                    Dictionary(
                        covariates.map { ($0.name, NullIfNaN(wrappedValue: $0.correlation)) },
                        uniquingKeysWith: { a, _ in a }), forKey: .correlation)
            }
        }

        /// One covariate of a selection: its channels, |r|, ranking score and rank, and why it was dropped.
        public struct Candidate: Codable, Equatable, Sendable {
            /// `dropped` of a covariate under the |r| threshold, and of one dropped by a correlated pair.
            public static let lowCorrelation = "low_correlation", pair = "pair"
            /// The covariate's name and its number of channels.
            public var name: String, channels: Int
            /// Mean |r| against the property over the depths.
            @NullIfNaN public var correlation: Double
            /// The ranking score (forest importance) and the rank.
            public var score: Double?, rank: Int?
            /// "low_correlation", "pair" or nil (kept for ranking).
            public var dropped: String?
            /// The covariate it was dropped for, and their r.
            public var with: String?, r: Double?

            /// One covariate.
            public init(
                name: String, channels: Int, correlation: Double, score: Double?, rank: Int?, dropped: String?,
                with: String? = nil, r: Double? = nil
            ) {
                (self.name, self.channels) = (name, channels)
                self.correlation = correlation
                (self.score, self.rank, self.dropped, self.with, self.r) = (score, rank, dropped, with, r)
            }
        }

        /// One subset size: its covariates and channels, RMSE per depth and pooled, held-out samples.
        public struct Subset: Codable, Equatable, Sendable {
            /// Covariates and channels of the subset.
            public var covariates: Int, channels: Int
            /// RMSE per depth.
            public var rmse: [Double]
            /// RMSE pooled over the depths.
            @NullIfNaN public var rmsePooled: Double
            /// Held-out samples.
            public var n: Int
            /// The subset kept (written from the run's `best`).
            public var chosen = false

            /// One subset.
            public init(covariates: Int, channels: Int, rmse: [Double], rmsePooled: Double, n: Int) {
                (self.covariates, self.channels, self.rmse, self.n) = (covariates, channels, rmse, n)
                self.rmsePooled = rmsePooled
            }

            enum CodingKeys: String, CodingKey {
                case covariates, channels, rmse, n, chosen
                case rmsePooled = "rmse_pooled"
            }

            /// Reads a subset (null RMSE as NaN).
            public init(from decoder: Decoder) throws {
                let c = try decoder.container(keyedBy: CodingKeys.self)
                covariates = try c.decode(Int.self, forKey: .covariates)
                channels = try c.decode(Int.self, forKey: .channels)
                rmse = try c.decodeNumbers(forKey: .rmse)
                rmsePooled = try c.decode(NullIfNaN.self, forKey: .rmsePooled).wrappedValue
                n = try c.decode(Int.self, forKey: .n)
                chosen = try c.decode(Bool.self, forKey: .chosen)
            }

            /// Writes a subset (NaN RMSE as null).
            public func encode(to encoder: Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(covariates, forKey: .covariates)
                try c.encode(channels, forKey: .channels)
                try c.encodeNumbers(rmse, forKey: .rmse)
                try c.encode(_rmsePooled, forKey: .rmsePooled)
                try c.encode(n, forKey: .n)
                try c.encode(chosen, forKey: .chosen)
            }
        }
    }
}
