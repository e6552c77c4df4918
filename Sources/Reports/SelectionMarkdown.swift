import Foundation

/// The covariate selection's text: report.md's "Covariate selection" section and selection/selection.md.
public enum SelectionMarkdown {
    /// The variant, the filters' counts, the RMSE table, the selected covariates, every covariate's |r|
    /// and fate, and with per_fold how often each covariate was selected; `heading` is the section's level.
    public static func render(_ r: RunRecord.Selection, unit: String, heading: String) -> String {
        let s = r.allSites
        let byCorrelation = r.order == "correlation"
        var md = """
            Han et al. (2025, Sec. 2.2): covariates with |r| < \(fmt(r.minCorrelation)) against the property dropped, \
            then of each pair with |r| > \(fmt(r.maxPairCorrelation)) the one less correlated with the property; \
            the rest ranked by \(byCorrelation ? "|r|" : "random-forest impurity importance") and added in groups of \
            \(r.groupSize), each subset scored by the \(r.folds)-fold cross-validated RMSE of `\(r.model)`; \
            the subset with the lowest RMSE pooled over the depths is kept. |r| is Pearson's r between a covariate's \
            centre-cell value and the property at the sites, per depth, averaged over the depths; \
            a categorical covariate is one unit, its |r| the largest of its one-hot channels'.\n\n
            """
        md +=
            r.perFold
            ? """
            Variant: **per fold** (`select.per_fold: true`): each evaluation fold's models use a selection made on \
            that fold's training sites only (inner \(r.folds)-fold CV); the final models and the maps use the \
            selection on all \(s.sites) sites, below.\n\n
            """
            : """
            Variant: **all data** (`select.per_fold: false`): the selection was made once on all \(s.sites) sites \
            before cross-validation, so the cross-validated scores are somewhat optimistic.\n\n
            """
        md += "- Covariates: \(s.covariates.count)\n"
        md +=
            "- Dropped by |r| < \(fmt(r.minCorrelation)): \(s.droppedLow.count)"
            + (s.droppedLow.isEmpty ? "" : " (\(s.droppedLow.map(\.name).joined(separator: ", ")))") + "\n"
        md +=
            "- Dropped by pairs with |r| > \(fmt(r.maxPairCorrelation)): \(s.droppedPair.count)"
            + (s.droppedPair.isEmpty
                ? ""
                : " ("
                    + s.droppedPair.map { x in
                        x.with.map { "\(x.name) for \($0), r \(fmt(x.r ?? .nan))" } ?? x.name
                    }.joined(separator: "; ") + ")") + "\n"
        md += """
            - Ranked: \(s.covariates.filter { $0.rank != nil }.count); kept: \
            **\(s.selected.count)** (\(s.channels) channels)\n\n
            """
        md += "\(heading)# Cross-validated RMSE by subset size (\(unit))\n\n"
        md += "| covariates | channels | " + r.depths.joined(separator: " | ") + " | pooled | n |\n"
        md += "|---|---|" + r.depths.map { _ in "---|" }.joined() + "---|---|\n"
        for (i, subset) in s.subsets.enumerated() {
            let mark = i == s.best ? "**" : ""
            md +=
                "| \(mark)\(subset.covariates)\(mark) | \(subset.channels) | "
                + subset.rmse.map(fmt).joined(separator: " | ")
                + " | \(mark)\(fmt(subset.rmsePooled))\(mark) | \(subset.n) |\n"
        }
        md += "\nSelected (\(s.selected.count), in rank order): " + s.selected.joined(separator: ", ") + "\n\n"
        md +=
            "\(heading)# Every covariate\n\n| covariate | channels | abs(r) | " + (byCorrelation ? "" : "importance | ")
            + "rank | outcome |\n"
        md += "|---|---|---|" + (byCorrelation ? "" : "---|") + "---|---|\n"
        let selected = Set(s.selected)
        for x in s.covariates {
            let outcome: String
            switch x.dropped {
            case RunRecord.Selection.Candidate.lowCorrelation?: outcome = "dropped: |r| < \(fmt(r.minCorrelation))"
            case RunRecord.Selection.Candidate.pair?: outcome = "dropped: r \(fmt(x.r ?? .nan)) with \(x.with ?? "")"
            default: outcome = selected.contains(x.name) ? "selected" : "not in the best subset"
            }
            md +=
                "| \(x.name) | \(x.channels) | \(fmt(x.correlation)) | "
                + (byCorrelation ? "" : "\(x.score.map(fmt) ?? "-") | ")
                + "\(x.rank.map(String.init) ?? "-") | \(outcome) |\n"
        }
        if r.perFold {
            let runs = r.perFoldRuns ?? []
            md += """
                \n\(heading)# Selected in how many of the \(runs.count) folds\n\n\
                | covariate | folds | on all sites |\n|---|---|---|\n
                """
            for (name, n) in r.foldCounts.sorted(by: { $0.folds > $1.folds }) {
                md += "| \(name) | \(n) | \(selected.contains(name) ? "yes" : "no") |\n"
            }
            md += "\nCovariates kept per fold: " + runs.map { "\($0.selected.count)" }.joined(separator: ", ") + "\n"
        }
        return md
    }
}
