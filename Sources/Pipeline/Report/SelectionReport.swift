import FileIO
import Foundation
import Workspace
import TextFormat

/// The files and report text of `select`: `selection/selection.csv` (RMSE per depth per subset size,
/// like the paper's Table 2), `selection/selection.md`, `selection/selected.txt` (one covariate a line),
/// and the "Covariate selection" section of report.md.
enum SelectionReport {
    /// Writes the selection folder into `layout`; returns the files written, relative to the output folder.
    static func write(_ r: SelectionResult, unit: String, layout: OutputLayout) throws -> [String] {
        try FileManager.default.createDirectory(atPath: layout.selectionFolder, withIntermediateDirectories: true)
        let files = [(OutputLayout.selectionCSV, csv(r)), (OutputLayout.selectionMarkdown, "# Covariate selection\n\n" + markdown(r, unit: unit, heading: "##")),
                     (OutputLayout.selectedCovariates, r.final.selected.map { $0 + "\n" }.joined())]
        for (name, text) in files { try AtomicFile.write(Data(text.utf8), to: layout.path(name)) }
        return files.map(\.0)
    }

    /// One row per selection (`all`, or `fold N` with per_fold) and subset size: covariates, channels,
    /// RMSE per depth, pooled RMSE, held-out samples, and whether the size was kept.
    static func csv(_ r: SelectionResult) -> String {
        var text = (["selection", "covariates", "channels"] + r.depthLabels.map { "rmse_\($0)" } + ["rmse_pooled", "n", "chosen"])
            .map(CSVText.field).joined(separator: ",") + "\n"
        let scopes = [("all", r.final)] + r.perFold.enumerated().map { ("fold \($0.offset + 1)", $0.element) }
        for (scope, s) in scopes {
            for (i, subset) in s.subsets.enumerated() {
                text += ([scope, "\(subset.size)", "\(subset.channels)"] + subset.rmse.map { NumberText.trimmed($0, maxDecimals: 6) }
                         + [NumberText.trimmed(subset.pooledRMSE, maxDecimals: 6), "\(subset.n)", i == s.best ? "true" : "false"])
                    .map(CSVText.field).joined(separator: ",") + "\n"
            }
        }
        return text
    }

    /// The report text: the variant, the filters' counts, the RMSE table, the selected covariates, every
    /// covariate's |r| and fate, and with per_fold how often each covariate was selected.
    static func markdown(_ r: SelectionResult, unit: String, heading: String) -> String {
        let c = r.config, s = r.final
        var md = "Han et al. (2025, Sec. 2.2): covariates with |r| < \(fmt(c.minCorrelation)) against the property dropped, then of each pair with |r| > \(fmt(c.maxPairCorrelation)) the one less correlated with the property; the rest ranked by "
            + (c.order == .correlation ? "|r|" : "random-forest impurity importance") + " and added in groups of \(c.groupSize), each subset scored by the \(r.folds)-fold cross-validated RMSE of `\(c.model.rawValue)`; the subset with the lowest RMSE pooled over the depths is kept. "
            + "|r| is Pearson's r between a covariate's centre-cell value and the property at the sites, per depth, averaged over the depths; a categorical covariate is one unit, its |r| the largest of its one-hot channels'.\n\n"
        md += c.perFold
            ? "Variant: **per fold** (`select.per_fold: true`): each evaluation fold's models use a selection made on that fold's training sites only (inner \(r.folds)-fold CV); the final models and the maps use the selection on all \(s.sites) sites, below.\n\n"
            : "Variant: **all data** (`select.per_fold: false`): the selection was made once on all \(s.sites) sites before cross-validation, so the cross-validated scores are somewhat optimistic.\n\n"
        md += "- Covariates: \(s.covariates.count)\n"
        md += "- Dropped by |r| < \(fmt(c.minCorrelation)): \(s.droppedLow.count)" + (s.droppedLow.isEmpty ? "" : " (\(s.droppedLow.map(\.name).joined(separator: ", ")))") + "\n"
        md += "- Dropped by pairs with |r| > \(fmt(c.maxPairCorrelation)): \(s.droppedPair.count)" + (s.droppedPair.isEmpty ? "" : " (" + s.droppedPair.map { x -> String in
            if case let .pair(with, rr)? = x.dropped { return "\(x.name) for \(with), r \(fmt(rr))" }
            return x.name
        }.joined(separator: "; ") + ")") + "\n"
        md += "- Ranked: \(s.covariates.filter { $0.rank != nil }.count); kept: **\(s.selected.count)** (\(s.channels.count) channels)\n\n"
        md += "\(heading)# Cross-validated RMSE by subset size (\(unit))\n\n"
        md += "| covariates | channels | " + r.depthLabels.joined(separator: " | ") + " | pooled | n |\n"
        md += "|---|---|" + r.depthLabels.map { _ in "---|" }.joined() + "---|---|\n"
        for (i, subset) in s.subsets.enumerated() {
            let mark = i == s.best ? "**" : ""
            md += "| \(mark)\(subset.size)\(mark) | \(subset.channels) | " + subset.rmse.map(fmt).joined(separator: " | ")
                + " | \(mark)\(fmt(subset.pooledRMSE))\(mark) | \(subset.n) |\n"
        }
        md += "\nSelected (\(s.selected.count), in rank order): " + s.selected.joined(separator: ", ") + "\n\n"
        md += "\(heading)# Every covariate\n\n| covariate | channels | abs(r) | " + (c.order == .correlation ? "" : "importance | ") + "rank | outcome |\n"
        md += "|---|---|---|" + (c.order == .correlation ? "" : "---|") + "---|---|\n"
        let selected = Set(s.selected)
        for x in s.covariates {
            let outcome: String
            switch x.dropped {
            case .lowCorrelation?: outcome = "dropped: |r| < \(fmt(c.minCorrelation))"
            case let .pair(with, rr)?: outcome = "dropped: r \(fmt(rr)) with \(with)"
            case nil: outcome = selected.contains(x.name) ? "selected" : "not in the best subset"
            }
            md += "| \(x.name) | \(x.channels.count) | \(fmt(x.correlation)) | " + (c.order == .correlation ? "" : "\(x.score.map(fmt) ?? "-") | ")
                + "\(x.rank.map(String.init) ?? "-") | \(outcome) |\n"
        }
        if c.perFold {
            md += "\n\(heading)# Selected in how many of the \(r.perFold.count) folds\n\n| covariate | folds | on all sites |\n|---|---|---|\n"
            for (name, n) in r.foldCounts.sorted(by: { $0.folds > $1.folds }) {
                md += "| \(name) | \(n) | \(selected.contains(name) ? "yes" : "no") |\n"
            }
            md += "\nCovariates kept per fold: " + r.perFold.map { "\($0.selected.count)" }.joined(separator: ", ") + "\n"
        }
        return md
    }

    /// The selection for report.json.
    static func object(_ r: SelectionResult) -> [String: Any] {
        let clean = { (v: Double) -> Any in v.isFinite ? v : NSNull() }
        func one(_ s: CovariateSelection) -> [String: Any] {
            ["sites": s.sites, "selected": s.selected, "dropped_low_correlation": s.droppedLow.map(\.name),
             "dropped_pair": s.droppedPair.map { x -> [String: Any] in
                 if case let .pair(with, rr)? = x.dropped { return ["covariate": x.name, "with": with, "r": rr] }
                 return ["covariate": x.name]
             },
             "correlation": Dictionary(uniqueKeysWithValues: s.covariates.map { ($0.name, $0.correlation) }),
             "subsets": s.subsets.enumerated().map { i, x -> [String: Any] in
                 ["covariates": x.size, "channels": x.channels, "rmse": x.rmse.map(clean), "rmse_pooled": clean(x.pooledRMSE),
                  "n": x.n, "chosen": i == s.best]
             }]
        }
        var o: [String: Any] = ["variant": r.config.perFold ? "per_fold" : "all_data", "order": r.config.order.rawValue,
                                "model": r.config.model.rawValue, "min_correlation": r.config.minCorrelation,
                                "max_pair_correlation": r.config.maxPairCorrelation, "group_size": r.config.groupSize,
                                "folds": r.folds, "depths": r.depthLabels, "all_sites": one(r.final)]
        if r.config.perFold {
            o["per_fold"] = r.perFold.map(one)
            o["fold_counts"] = Dictionary(uniqueKeysWithValues: r.foldCounts.map { ($0.name, $0.folds) })
        }
        return o
    }
}
