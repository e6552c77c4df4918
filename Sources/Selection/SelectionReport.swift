import Experiments
import FileIO
import Foundation
import Reports
import TextFormat
import Workspace

/// The files and report text of `select`: `selection/selection.csv` (RMSE per depth per subset size,
/// like the paper's Table 2), `selection/selection.md`, `selection/selected.txt` (one covariate a line),
/// and the record of the selection that report.json holds and report.md renders (`Reports.SelectionMarkdown`).
public enum SelectionReport {
    /// Writes the selection folder into `layout`; returns the files written, relative to the output folder.
    static func write(_ r: SelectionResult, unit: String, layout: OutputLayout) throws -> [String] {
        try FileManager.default.createDirectory(atPath: layout.selectionFolder, withIntermediateDirectories: true)
        let files = [
            (OutputLayout.selectionCSV, csv(r)),
            (
                OutputLayout.selectionMarkdown,
                "# Covariate selection\n\n" + SelectionMarkdown.render(record(r), unit: unit, heading: "##")
            ),
            (OutputLayout.selectedCovariates, r.final.selected.map { $0 + "\n" }.joined())
        ]
        for (name, text) in files { try AtomicFile.write(Data(text.utf8), to: layout.path(name)) }
        return files.map(\.0)
    }

    /// One row per selection (`all`, or `fold N` with per_fold) and subset size: covariates, channels,
    /// RMSE per depth, pooled RMSE, held-out samples, and whether the size was kept.
    static func csv(_ r: SelectionResult) -> String {
        var text =
            (["selection", "covariates", "channels"] + r.depthLabels.map { "rmse_\($0)" } + [
                "rmse_pooled", "n", "chosen"
            ])
            .map(CSVText.field).joined(separator: ",") + "\n"
        let scopes = [("all", r.final)] + r.perFold.enumerated().map { ("fold \($0.offset + 1)", $0.element) }
        for (scope, s) in scopes {
            for (i, subset) in s.subsets.enumerated() {
                text +=
                    ([scope, "\(subset.size)", "\(subset.channels)"]
                    + subset.rmse.map { NumberText.trimmed($0, maxDecimals: 6) }
                    + [
                        NumberText.trimmed(subset.pooledRMSE, maxDecimals: 6), "\(subset.n)",
                        i == s.best ? "true" : "false"
                    ])
                    .map(CSVText.field).joined(separator: ",") + "\n"
            }
        }
        return text
    }

    /// The selection as the run's record holds it (report.json's "covariate_selection").
    public static func record(_ r: SelectionResult) -> RunRecord.Selection {
        func run(_ s: CovariateSelection) -> RunRecord.Selection.Run {
            var o = RunRecord.Selection.Run()
            (o.sites, o.selected, o.channels, o.best) = (s.sites, s.selected, s.channels.count, s.best)
            o.covariates = s.covariates.map { c in
                switch c.dropped {
                case .lowCorrelation?:
                    return .init(
                        name: c.name, channels: c.channels.count, correlation: c.correlation, score: c.score,
                        rank: c.rank,
                        dropped: RunRecord.Selection.Candidate.lowCorrelation)
                case .pair(let with, let rr)?:
                    return .init(
                        name: c.name, channels: c.channels.count, correlation: c.correlation, score: c.score,
                        rank: c.rank,
                        dropped: RunRecord.Selection.Candidate.pair, with: with, r: rr)
                case nil:
                    return .init(
                        name: c.name, channels: c.channels.count, correlation: c.correlation, score: c.score,
                        rank: c.rank,
                        dropped: nil)
                }
            }
            o.subsets = s.subsets.enumerated().map { i, x in
                var subset = RunRecord.Selection.Subset(
                    covariates: x.size, channels: x.channels, rmse: x.rmse, rmsePooled: x.pooledRMSE,
                    n: x.n)
                subset.chosen = i == s.best
                return subset
            }
            return o
        }
        var o = RunRecord.Selection()
        (o.perFold, o.order, o.model) = (r.config.perFold, r.config.order.rawValue, r.config.model.rawValue)
        (o.minCorrelation, o.maxPairCorrelation, o.groupSize) = (
            r.config.minCorrelation, r.config.maxPairCorrelation, r.config.groupSize
        )
        (o.folds, o.depths, o.allSites) = (r.folds, r.depthLabels, run(r.final))
        o.perFoldRuns = r.config.perFold ? r.perFold.map(run) : nil
        return o
    }
}

extension SelectionResult {
    /// The channels the training reads: the final selection's, or each fold's own with `select.per_fold`.
    public var channelChoice: ChannelChoice {
        config.perFold ? .perFold(perFold.map(\.channels), final: final.channels) : .fixed(final.channels)
    }
}
