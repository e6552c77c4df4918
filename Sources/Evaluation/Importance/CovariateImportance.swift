import Foundation
import TextFormat

/// The random forests' impurity importance per covariate and depth (`models/rf/importance.csv`), shown in
/// the report beside the permutation importance.
public struct ForestImportanceTable: Codable, Sendable, Equatable {
    /// The forest model's name.
    public var model: String
    /// The depth labels of the columns.
    public var depthLabels: [String]
    /// The covariates, by falling mean importance.
    public var covariates: [String]
    /// Per covariate, its share of the forest's impurity decrease at each depth (NaN: no forest there);
    /// each depth's shares sum to 1.
    public var values: [[Double]]
    /// Per covariate, the mean share over the depths with a forest.
    public var mean: [Double]

    /// Makes a table.
    public init(model: String, depthLabels: [String], covariates: [String], values: [[Double]], mean: [Double]) {
        self.model = model
        self.depthLabels = depthLabels
        self.covariates = covariates
        self.values = values
        self.mean = mean
    }

    enum CodingKeys: String, CodingKey {
        case model, covariates, values, mean
        case depthLabels = "depth_labels"
    }

    /// Reads a table (`null` shares as NaN).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        model = try c.decode(String.self, forKey: .model)
        depthLabels = try c.decode([String].self, forKey: .depthLabels)
        covariates = try c.decode([String].self, forKey: .covariates)
        values = try c.decode([[NullIfNaN]].self, forKey: .values).map { $0.map(\.wrappedValue) }
        mean = try c.decodeNumbers(forKey: .mean)
    }

    /// Writes a table (NaN shares as `null`).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(model, forKey: .model)
        try c.encode(depthLabels, forKey: .depthLabels)
        try c.encode(covariates, forKey: .covariates)
        try c.encode(values.map { $0.map(NullIfNaN.init(wrappedValue:)) }, forKey: .values)
        try c.encodeNumbers(mean, forKey: .mean)
    }

    /// The share of `covariate` at depth `depth` (NaN when absent).
    public func value(covariate: String, depth: String) -> Double {
        guard let k = covariates.firstIndex(of: covariate), let d = depthLabels.firstIndex(of: depth),
            d < values[k].count
        else { return .nan }
        return values[k][d]
    }
}

/// What drives the map (Han et al. 2025, Secs. 4.4-4.5): every model's permutation importance per depth
/// and covariate on the held-out folds, the random forests' impurity importance, and the partial
/// dependence of the mapped model on the most important covariates. Written as `importance.csv`,
/// `partial_dependence.csv`, two plots and a section of summary.md; in the run's report.
public struct CovariateImportance: Codable, Sendable, Equatable {
    /// The models, in the evaluation's order.
    public var models: [String]
    /// The depth labels.
    public var depthLabels: [String]
    /// The seeded permutations per covariate and fold.
    public var repeats: Int
    /// The seed stream the permutations draw from, e.g. "2025/importance".
    public var seeds: String
    /// One row per model, depth and covariate, in that order (covariates in channel order).
    public var rows: [PermutationImportanceRow]
    /// The final random forests' impurity importance, when rf is among the models.
    public var forest: ForestImportanceTable?
    /// The partial dependence of the mapped model, if computed.
    public var partialDependence: PartialDependence?

    /// Makes the section.
    public init(
        models: [String], depthLabels: [String], repeats: Int, seeds: String, rows: [PermutationImportanceRow],
        forest: ForestImportanceTable? = nil, partialDependence: PartialDependence? = nil
    ) {
        self.models = models
        self.depthLabels = depthLabels
        self.repeats = repeats
        self.seeds = seeds
        self.rows = rows
        self.forest = forest
        self.partialDependence = partialDependence
    }

    enum CodingKeys: String, CodingKey {
        case models, repeats, seeds, rows, forest
        case depthLabels = "depth_labels"
        case partialDependence = "partial_dependence"
    }

    /// The file of the rows in the evaluation folder.
    public static let csvFile = "importance.csv"
    /// The plot's file in the evaluation folder.
    public static let plotFile = "plots/permutation_importance.svg"
    /// Covariates per depth in the tables and the plot (every one is in importance.csv).
    public static let shownPerDepth = 8

    /// The row of a model, depth and covariate.
    public func row(model: String, depth: String, covariate: String) -> PermutationImportanceRow? {
        rows.first { $0.model == model && $0.depth == depth && $0.covariate == covariate }
    }

    /// The covariates of a depth by falling mean over `models` of their RMSE increase (NaN left out; ties
    /// and covariates without a finite increase by name, last).
    public func ranked(depth: String, models: [String]? = nil) -> [String] {
        let models = models ?? self.models
        var score: [String: Double] = [:]
        var order: [String] = []
        for r in rows where r.depth == depth {
            if score[r.covariate] == nil {
                order.append(r.covariate)
                score[r.covariate] = .nan
            }
        }
        for c in order {
            let values = rows.filter { $0.depth == depth && $0.covariate == c && models.contains($0.model) }
                .map(\.rmseIncrease).filter(\.isFinite)
            score[c] = values.isEmpty ? -.infinity : Statistics.mean(values)
        }
        return order.sorted { (-score[$0]!, $0) < (-score[$1]!, $1) }
    }

    /// importance.csv: `model, depth, covariate, rmse_increase, rmse_increase_sd, base_rmse, n, repeats`.
    public func csv() -> String {
        var lines = ["model,depth,covariate,rmse_increase,rmse_increase_sd,base_rmse,n,repeats"]
        for r in rows {
            lines.append(
                [
                    CSVText.field(r.model), CSVText.field(r.depth), CSVText.field(r.covariate),
                    TextFormatting.csvNumber(r.rmseIncrease), TextFormatting.csvNumber(r.rmseIncreaseSD),
                    TextFormatting.csvNumber(r.baseRMSE), String(r.n), String(repeats)
                ].joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The section of summary.md and report.md: the definition, then per depth the top covariates with
    /// every model's RMSE increase ± SD and the forest's impurity share beside them; then the partial
    /// dependence.
    public func markdown(unit: String, heading: String = "##", folder: String = "") -> String {
        let u = unit.isEmpty ? "" : " (\(unit))"
        var out = "\(heading) What drives the map: covariate importance\n\n"
        out += """
            Permutation importance: the rise in held-out RMSE\(u) of each model and depth when one covariate's \
            patch channels (a categorical covariate's one-hot channels together, with the same permutation) are \
            shuffled among the held-out samples of the depth in each fold, whole patches moving between samples. \
            Each fold's saved model predicts its own held-out samples (nothing is refitted); the RMSE is pooled \
            over all folds' held-out samples of the depth, with and without the shuffle, and the mean ± SD is over \
            \(repeats) seeded \(repeats == 1 ? "permutation" : "permutations") (seed stream `\(seeds)`). It scores \
            the models' own output: a `train.log1p` model's expm1 of its prediction, before any smearing. \
            Covariates that carry the same information share it, so each may look unimportant alone. \
            All rows: `\(folder)\(Self.csvFile)`; plot: `\(folder)\(Self.plotFile)`.
            """
        if let f = forest {
            out += """
                 The last column is the final random forest's impurity importance at the depth (its share of the \
                forests' impurity decrease, one-hot channels summed; `models/\(f.model)/importance.csv`), a \
                ranking of another kind: it counts splits on the training data, not error on held-out sites.
                """
        }
        out += "\n\n"
        for depth in depthLabels {
            let ranked = ranked(depth: depth)
            guard !ranked.isEmpty else { continue }
            out += "\(heading)# \(TextFormatting.depthDisplay(depth))\n\n"
            let forestColumn = forest.map { ["\($0.model) impurity share"] } ?? []
            let header = ["Rank", "Covariate"] + models.map { "\($0) RMSE increase\(u)" } + forestColumn
            out += "| " + header.joined(separator: " | ") + " |\n"
            out += "|---:|---|" + String(repeating: "---:|", count: models.count + forestColumn.count) + "\n"
            for (k, covariate) in ranked.prefix(Self.shownPerDepth).enumerated() {
                var cells = ["\(k + 1)", covariate]
                for m in models {
                    guard let r = row(model: m, depth: depth, covariate: covariate) else {
                        cells.append("–")
                        continue
                    }
                    cells.append(
                        PlotText.short(r.rmseIncrease)
                            + (r.rmseIncreaseSD.isFinite ? " ± " + PlotText.short(r.rmseIncreaseSD) : ""))
                }
                if let f = forest {
                    cells.append(NumberText.fixed(f.value(covariate: covariate, depth: depth), 3, nonFinite: "–"))
                }
                out += "| " + cells.joined(separator: " | ") + " |\n"
            }
            let base = models.map { m in
                rows.first { $0.model == m && $0.depth == depth }.map {
                    "\(m) \(PlotText.short($0.baseRMSE)) (n = \($0.n))"
                }
                    ?? "\(m) –"
            }
            out += "\nUnshuffled held-out RMSE\(u): " + base.joined(separator: ", ") + ".\n\n"
        }
        if let pd = partialDependence {
            out += pd.markdown(unit: unit, heading: heading, folder: folder)
        }
        return out
    }
}
