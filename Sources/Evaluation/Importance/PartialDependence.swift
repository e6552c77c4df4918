import Foundation
import TextFormat

/// The partial dependence of one model's prediction at one depth on one covariate: the mean prediction
/// over the depth's samples with the covariate set to each value of a grid.
public struct PartialDependenceCurve: Codable, Sendable, Equatable {
    /// The depth label.
    public var depth: String
    /// The covariate.
    public var covariate: String
    /// Its rank at the depth by the model's permutation importance (1: the most important).
    public var rank: Int
    /// Whether the covariate is categorical (the grid is its classes).
    public var categorical: Bool
    /// The grid in the covariate's own units (class codes for a categorical covariate), ascending.
    public var values: [Double]
    /// The mean prediction over the depth's samples at each grid value, in the property's unit.
    public var predictions: [Double]
    /// The samples averaged.
    public var n: Int

    /// Makes a curve.
    public init(
        depth: String, covariate: String, rank: Int, categorical: Bool, values: [Double], predictions: [Double],
        n: Int
    ) {
        self.depth = depth
        self.covariate = covariate
        self.rank = rank
        self.categorical = categorical
        self.values = values
        self.predictions = predictions
        self.n = n
    }

    enum CodingKeys: String, CodingKey {
        case depth, covariate, rank, categorical, values, predictions, n
    }

    /// Reads a curve (`null` predictions as NaN).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        depth = try c.decode(String.self, forKey: .depth)
        covariate = try c.decode(String.self, forKey: .covariate)
        rank = try c.decode(Int.self, forKey: .rank)
        categorical = try c.decode(Bool.self, forKey: .categorical)
        values = try c.decodeNumbers(forKey: .values)
        predictions = try c.decodeNumbers(forKey: .predictions)
        n = try c.decode(Int.self, forKey: .n)
    }

    /// Writes a curve (NaN as `null`).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(depth, forKey: .depth)
        try c.encode(covariate, forKey: .covariate)
        try c.encode(rank, forKey: .rank)
        try c.encode(categorical, forKey: .categorical)
        try c.encodeNumbers(values, forKey: .values)
        try c.encodeNumbers(predictions, forKey: .predictions)
        try c.encode(n, forKey: .n)
    }

    /// The largest minus the smallest mean prediction of the curve (NaN without a finite one).
    public var range: Double {
        let finite = predictions.filter(\.isFinite)
        guard let lo = finite.min(), let hi = finite.max() else { return .nan }
        return hi - lo
    }
}

/// The partial dependence of a model on the most important covariates of each depth.
public struct PartialDependence: Codable, Sendable, Equatable {
    /// The model.
    public var model: String
    /// Which of its fits was varied, e.g. "final model (models/transfer/)".
    public var fit: String
    /// Curves in depth order, then by rank.
    public var curves: [PartialDependenceCurve]

    /// Makes the set.
    public init(model: String, fit: String, curves: [PartialDependenceCurve]) {
        self.model = model
        self.fit = fit
        self.curves = curves
    }

    /// Grid values of a continuous covariate.
    public static let gridSize = 20
    /// Covariates per depth, by falling permutation importance.
    public static let covariatesPerDepth = 3
    /// The plot's file in the evaluation folder.
    public static let plotFile = "plots/partial_dependence.svg"
    /// The curves' file in the evaluation folder.
    public static let csvFile = "partial_dependence.csv"

    /// The grid of a continuous covariate: the quantiles (R's type 7) of `values` at probabilities
    /// (i + 0.5) / `count`, i = 0 ..< count, with repeated values once; non-finite values are left out.
    public static func grid(_ values: [Double], count: Int = gridSize) -> [Double] {
        let sorted = values.filter(\.isFinite).sorted()
        guard !sorted.isEmpty, count > 0 else { return [] }
        var out: [Double] = []
        for i in 0..<count {
            let q = Statistics.quantile(sorted: sorted, (Double(i) + 0.5) / Double(count))
            if out.last != q { out.append(q) }
        }
        return out
    }

    /// partial_dependence.csv: `model, depth, rank, covariate, categorical, value, prediction, n`, a line per
    /// grid value.
    public func csv() -> String {
        var lines = ["model,depth,rank,covariate,categorical,value,prediction,n"]
        for c in curves {
            for (v, p) in zip(c.values, c.predictions) {
                lines.append(
                    [
                        CSVText.field(model), CSVText.field(c.depth), String(c.rank), CSVText.field(c.covariate),
                        c.categorical ? "true" : "false", TextFormatting.csvNumber(v), TextFormatting.csvNumber(p),
                        String(c.n)
                    ].joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The definition, the plot and per curve the grid's span and the range of the mean prediction.
    public func markdown(unit: String, heading: String = "##", folder: String = "") -> String {
        guard !curves.isEmpty else { return "" }
        let u = unit.isEmpty ? "" : " (\(unit))"
        var out = "\(heading) Partial dependence (\(model), \(fit))\n\n"
        out += """
            The mean prediction over all samples of a depth with one covariate set to each value of a grid, for \
            the \(Self.covariatesPerDepth) covariates of highest permutation importance of \(model) at the depth. \
            A continuous covariate's grid is \(Self.gridSize) quantiles of its centre-cell values over the depth's \
            samples; at each value every sample's patch channel is shifted by (value − its centre value), so the \
            centre cell takes the value and the patch keeps its local texture. A categorical covariate's grid is \
            the classes the depth's samples are in (at their centre cell): every cell of the patch is set to the \
            class. The curves show what the model does, not \
            cause and effect; correlated covariates are set to values they rarely take together. Plot: \
            `\(folder)\(Self.plotFile)`; the curves: `\(folder)\(Self.csvFile)`.\n\n
            """
        out +=
            "| Depth | Rank | Covariate | Grid | Mean prediction from the grid's first to last value\(u) | Range\(u) |\n"
        out += "|---|---:|---|---|---|---:|\n"
        for c in curves {
            let grid =
                c.categorical
                ? "\(c.values.count) classes"
                : "\(NumberText.significant(c.values.first ?? .nan, 4)) to \(NumberText.significant(c.values.last ?? .nan, 4))"
            let finite = c.predictions.filter(\.isFinite)
            let span =
                finite.isEmpty
                ? "–"
                : c.categorical
                    ? "\(PlotText.short(finite.min()!)) to \(PlotText.short(finite.max()!)) (lowest to highest class)"
                    : "\(PlotText.short(c.predictions.first ?? .nan)) to \(PlotText.short(c.predictions.last ?? .nan))"
            out +=
                "| \(TextFormatting.depthDisplay(c.depth)) | \(c.rank) | \(c.covariate) | \(grid) | \(span) | "
                + "\(PlotText.short(c.range)) |\n"
        }
        return out
    }
}
