import Foundation

/// The weights of the combined model on a cross-validation's folds (`train.combine`): each outer fold's, with
/// which its held-out samples are combined, and the final model's; in metrics.json (`combination`), summary.md
/// and the report.
public struct CombinationWeights: Sendable, Equatable, Codable {
    /// The members' model names, in summation order.
    public var members: [String]
    /// How the weights were chosen: `equal`, or `nnls` (non-negative least squares per depth, rescaled to sum to 1).
    public var method: String
    /// Folds of the inner cross-validation inside each outer fold that `nnls` weights were fitted on (nil: equal).
    public var innerFolds: Int?
    /// The depth labels of the weights' rows.
    public var depthLabels: [String]
    /// Each outer fold's weights per depth and member ([fold][depth][member]): equal, or fitted on the fold's
    /// inner held-out predictions of its training sites only (nested), so a fold's held-out samples never shape
    /// the weights that combine them.
    public var folds: [[[Double]]]
    /// The final model's weights per depth and member: equal, or fitted on every outer held-out prediction.
    public var final: [[Double]]
    /// Fits (a fold's or the final one, per depth) where NNLS had too few samples or no positive solution, and
    /// equal weights were used instead.
    public var fallbacks: Int
    /// Fits made (a fold's or the final one, per depth), so `fallbacks` reads as a share.
    public var fits: Int

    enum CodingKeys: String, CodingKey {
        case members, method, folds, final, fallbacks, fits
        case innerFolds = "inner_folds"
        case depthLabels = "depth_labels"
    }

    /// Creates the record.
    public init(
        members: [String], method: String, innerFolds: Int?, depthLabels: [String], folds: [[[Double]]],
        final: [[Double]], fallbacks: Int, fits: Int
    ) {
        self.members = members
        self.method = method
        self.innerFolds = innerFolds
        self.depthLabels = depthLabels
        self.folds = folds
        self.final = final
        self.fallbacks = fallbacks
        self.fits = fits
    }

    /// Whether the weights were fitted (not equal).
    public var isFitted: Bool { innerFolds != nil }

    /// One sentence on how the weights were chosen and cross-validated.
    public var methodText: String {
        let names = members.joined(separator: " and ")
        guard let inner = innerFolds else {
            return "The combined model is the plain average of \(names) (equal weights at every depth)."
        }
        return """
            The combined model sums \(names) with weights per depth fitted by non-negative least squares \
            (rescaled to sum to 1). In cross-validation each outer fold's weights were fitted on \(inner)-fold \
            inner held-out predictions of that fold's training sites only (nested), so its scores are not \
            flattered by the weights; the final model's weights were fitted on every outer held-out prediction.
            """
                + (fallbacks > 0 ? " \(fallbacks) of \(fits) fits had too few samples and used equal weights." : "")
    }

    /// summary.md's section (report.md's with `heading` "###"): how the weights were chosen, and per depth the
    /// final weights with the range of the folds' weights of each member.
    public func markdown(heading: String = "##") -> String {
        var md = "\n\(heading) Combined model\n\n\(methodText)\n\n"
        md +=
            "| depth | " + members.map { "\($0) weight" + (isFitted ? " (folds' range)" : "") }.joined(separator: " | ")
            + " |\n"
        md += "|---|" + String(repeating: "---:|", count: members.count) + "\n"
        for (d, label) in depthLabels.enumerated() {
            md += "| \(label) | "
            md += members.indices.map { m in
                let w = String(format: "%.2f", final[d][m])
                guard isFitted, !folds.isEmpty else { return w }
                let range = folds.map { $0[d][m] }
                return w + String(format: " (%.2f-%.2f)", range.min()!, range.max()!)
            }.joined(separator: " | ")
            md += " |\n"
        }
        return md
    }
}
