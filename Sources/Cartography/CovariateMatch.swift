import Foundation
import Patches
import RasterIO
import TextFormat

/// How the covariates of `covariates.files` today meet the ones a model was trained on (`model.json`'s
/// `covariates`): each trained covariate is found by name, else (renamed) by its values on the grid;
/// the stack is then read in the model's order under the model's names. A covariate whose values changed,
/// one missing, or one listed that the model does not read (unless the pipeline selects covariates) is
/// an error that names each of them and says how it changed.
struct CovariateMatch {
    /// Per trained covariate in the model's order: the index in the stack and the model's name for it.
    let order: [(index: Int, name: String)]
    /// Trained covariates found under another name: (the model's name, the name in `covariates.files`).
    let renamed: [(trained: String, now: String)]
    /// True when `covariates.files` lists the trained covariates in another order.
    let reordered: Bool

    /// Matches `trained` to the stack's `current` covariates; `selects`: the pipeline selects
    /// covariates, so covariates the model does not read are expected. Throws `Mismatch`.
    init(trained: [PatchCovariate], current: [Covariate], selects: Bool) throws {
        var claimed = Set<Int>()
        var problems: [String] = []
        var order: [(index: Int, name: String)] = []
        var renamed: [(trained: String, now: String)] = []
        let trainedNames = Set(trained.map(\.name))
        for t in trained {
            if let i = current.firstIndex(where: { $0.name == t.name }) {
                let c = current[i]
                claimed.insert(i)
                if let change = Self.change(from: t, to: c) {
                    problems.append("'\(t.name)' (\(Self.source(c.sourcePath, c.band))): \(change)")
                } else {
                    order.append((i, t.name))
                }
            } else if let i = current.indices.first(where: {
                !claimed.contains($0) && !trainedNames.contains(current[$0].name)
                    && current[$0].gridSHA256 == t.gridSHA256 && current[$0].kind.rawValue == t.kind
            }) {
                claimed.insert(i)
                order.append((i, t.name))
                renamed.append((t.name, current[i].name))
            } else {
                problems.append(
                    """
                    '\(t.name)': not in covariates.files, under this name or another (the model read it from \
                    \(Self.source(t.file, t.band)))
                    """)
            }
        }
        if !selects {
            for (i, c) in current.enumerated() where !claimed.contains(i) {
                problems.append(
                    "'\(c.name)' (\(Self.source(c.sourcePath, c.band))): listed, but the model was not trained on it")
            }
        }
        guard problems.isEmpty else { throw Mismatch(problems: problems) }
        self.order = order
        self.renamed = renamed
        let indices = order.map(\.index)
        reordered = indices != indices.sorted()
    }

    /// Why the covariates do not fit the model: one line per covariate.
    struct Mismatch: Error {
        let problems: [String]
    }

    /// A line for the user when the stack is read otherwise than listed (renamed or reordered), else nil.
    var note: String? {
        var parts: [String] = []
        if !renamed.isEmpty {
            let list = renamed.map { "'\($0.now)' as '\($0.trained)'" }.joined(separator: ", ")
            parts.append("read \(list) (same values on the grid as the covariate the model was trained on)")
        }
        if reordered { parts.append("read the covariates in the order the model was trained on, by name") }
        return parts.isEmpty ? nil : "predict: " + parts.joined(separator: "; ")
    }

    /// How `c` differs from the trained `t`, or nil when its values on the grid are the same.
    static func change(from t: PatchCovariate, to c: Covariate) -> String? {
        if t.kind != c.kind.rawValue { return "declared \(c.kind.rawValue), the model was trained on it \(t.kind)" }
        guard t.gridSHA256 != c.gridSHA256 else { return nil }
        var how: [String] = []
        if t.validCells != c.validCells {
            how.append("cells with data \(t.validCells) -> \(c.validCells)")
        }
        if t.min != c.min || t.max != c.max {
            how.append("range \(range(t.min, t.max)) -> \(range(c.min, c.max))")
        }
        if t.mean != c.mean {
            how.append("mean \(NumberText.significant(t.mean, 6)) -> \(NumberText.significant(c.mean, 6))")
        }
        let stats =
            how.isEmpty
            ? "the same count, range and mean, but other values on the grid (moved, resampled or edited cells)"
            : how.joined(separator: ", ")
        let moved = t.file != c.sourcePath || t.band != c.band ? "; trained on \(source(t.file, t.band))" : ""
        return "its values changed since the model was trained: \(stats)\(moved)"
    }

    private static func range(_ lo: Double, _ hi: Double) -> String {
        "\(NumberText.significant(lo, 6))..\(NumberText.significant(hi, 6))"
    }

    private static func source(_ path: String, _ band: Int) -> String {
        band == 1 ? path : "\(path) band \(band)"
    }
}
