import Foundation

/// Cross-validated metrics per model, per depth and over all depths, with their fold-to-fold spread.
///
/// Rows come depth by depth (the table's `depthLabels`, then `EvaluationTable.allDepths`), each
/// with one row per model in `models` order.
public struct EvaluationTable: Sendable, Codable, Equatable {
    /// The depth key of the rows that pool every depth.
    public static let allDepths = "all"

    /// One model at one depth (or over all depths).
    public struct Row: Sendable, Codable, Equatable {
        /// The model's name.
        public var model: String
        /// A depth label from `depthLabels`, or `EvaluationTable.allDepths`.
        public var depth: String
        /// Metrics over every held-out sample of the depth, pooled across folds.
        public var metrics: Metrics
        /// The standard deviation across folds of the per-fold metrics.
        public var foldSD: FoldSpread
        /// The metrics of each fold's held-out samples, indexed by fold (n = 0 for an empty fold).
        public var perFold: [Metrics]

        /// Makes a row; the spread and per-fold metrics may be left unknown.
        public init(
            model: String, depth: String, metrics: Metrics, foldSD: FoldSpread = .unknown, perFold: [Metrics] = []
        ) {
            self.model = model
            self.depth = depth
            self.metrics = metrics
            self.foldSD = foldSD
            self.perFold = perFold
        }

        private enum CodingKeys: String, CodingKey {
            case model, depth, metrics
            case foldSD = "fold_sd"
            case perFold = "per_fold"
        }
    }

    /// The model names, in report order.
    public let models: [String]
    /// The depth labels, shallow to deep; `HeldOutPrediction.depth` indexes this list.
    public let depthLabels: [String]
    /// The number of cross-validation folds.
    public let folds: Int
    /// Every row, depth by depth (all depths last), model by model.
    public let rows: [Row]
    /// How the folds were made (nil: not recorded, e.g. a metrics.json of an older version).
    public let design: FoldDesign?

    /// Makes a table from rows that are already computed (e.g. read back from metrics.json).
    public init(models: [String], depthLabels: [String], folds: Int, rows: [Row], design: FoldDesign? = nil) {
        precondition(
            design == nil || design?.folds == folds,
            "EvaluationTable: the design has \(design?.folds ?? 0) folds, the table \(folds)")
        self.models = models
        self.depthLabels = depthLabels
        self.folds = folds
        self.rows = rows
        self.design = design
    }

    /// The fold design in one sentence for every table of scores, e.g. "5-fold cross-validation,
    /// folds of randomly grouped sites (all depths of a site in one fold), seed 2025".
    public var designText: String {
        design?.description ?? "\(folds)-fold cross-validation (how the folds were made was not recorded)"
    }

    /// The rows of `depth` (a depth label or `allDepths`) in model order.
    public func rows(depth: String) -> [Row] {
        models.compactMap { row(model: $0, depth: depth) }
    }

    /// The depth keys of the rows: every depth label, then `allDepths`.
    public var depthKeys: [String] { depthLabels + [Self.allDepths] }

    /// The row of `model` at `depth` (a depth label or `allDepths`), if present.
    public func row(model: String, depth: String) -> Row? {
        rows.first { $0.model == model && $0.depth == depth }
    }

    /// Computes the table from held-out predictions of cross-validation with the folds of `design`.
    public static func build(
        predictions: [HeldOutPrediction], models: [String], depthLabels: [String], design: FoldDesign
    ) -> EvaluationTable {
        let table = build(predictions: predictions, models: models, depthLabels: depthLabels, folds: design.folds)
        return EvaluationTable(
            models: models, depthLabels: depthLabels, folds: design.folds, rows: table.rows, design: design)
    }

    /// Computes the table from held-out predictions of `folds`-fold cross-validation (fold design not recorded).
    ///
    /// For each model only samples with a finite observation and a finite prediction by that
    /// model count. Pooled metrics use every such sample of the depth; the spread is the sample
    /// standard deviation of the metrics computed fold by fold.
    /// Every prediction's `depth` must index `depthLabels` and its `fold` must lie in 0..<folds.
    public static func build(
        predictions: [HeldOutPrediction], models: [String], depthLabels: [String], folds: Int
    ) -> EvaluationTable {
        precondition(folds >= 1, "EvaluationTable.build: folds must be at least 1, got \(folds)")
        precondition(Set(models).count == models.count, "EvaluationTable.build: model names must be unique: \(models)")
        precondition(
            !depthLabels.contains(allDepths),
            "EvaluationTable.build: '\(allDepths)' is reserved and cannot be a depth label")
        precondition(
            Set(depthLabels).count == depthLabels.count,
            "EvaluationTable.build: depth labels must be unique: \(depthLabels)")
        for p in predictions {
            precondition(
                depthLabels.indices.contains(p.depth),
                "EvaluationTable.build: site \(p.siteID) has depth index \(p.depth), outside 0..<\(depthLabels.count)")
            precondition(
                (0..<folds).contains(p.fold),
                "EvaluationTable.build: site \(p.siteID) has fold \(p.fold), outside 0..<\(folds)")
        }
        var rows: [Row] = []
        for depthIndex in Array(depthLabels.indices) + [-1] {
            let selected = depthIndex < 0 ? predictions : predictions.filter { $0.depth == depthIndex }
            for model in models {
                var observed: [Double] = []
                var predicted: [Double] = []
                var foldObserved = [[Double]](repeating: [], count: folds)
                var foldPredicted = [[Double]](repeating: [], count: folds)
                for p in selected {
                    guard p.observed.isFinite, let value = p.predicted[model], value.isFinite else { continue }
                    observed.append(p.observed)
                    predicted.append(value)
                    foldObserved[p.fold].append(p.observed)
                    foldPredicted[p.fold].append(value)
                }
                let perFold = (0..<folds).map {
                    Metrics.compute(observed: foldObserved[$0], predicted: foldPredicted[$0])
                }
                rows.append(
                    Row(
                        model: model, depth: depthIndex < 0 ? allDepths : depthLabels[depthIndex],
                        metrics: Metrics.compute(observed: observed, predicted: predicted),
                        foldSD: FoldSpread(perFold: perFold), perFold: perFold))
            }
        }
        return EvaluationTable(models: models, depthLabels: depthLabels, folds: folds, rows: rows)
    }

    private enum CodingKeys: String, CodingKey {
        case models, folds, rows, design
        case depthLabels = "depth_labels"
    }
}
