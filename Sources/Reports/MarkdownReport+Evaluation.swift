import Evaluation
import Foundation
import TextFormat

extension MarkdownReport {
    /// The paper whose protocol the `train` defaults follow (cited instead of a design note).
    public static let paper = "Han et al. 2025, Front. Environ. Sci. 13:1580085"

    /// The scores first: per depth, then pooled over depths (labelled), beside the fold design, with the
    /// training's true times; or why there are none.
    static func crossValidation(_ r: RunRecord) -> String {
        guard let e = r.evaluation.crossValidation else {
            return "## Cross-validation\n\nNot evaluated: the pipeline has no `evaluate` section, so this run has no "
                + "accuracy figures"
                + (r.maps != nil || r.mapsLeftToPredict ? " and its maps say \"not evaluated\"" : "") + ".\n\n"
        }
        var md = "## Cross-validation (\(e.folds) folds\(r.training.map(headingTime) ?? ""))\n\n"
        md += """
            Held-out scores of every model: \(e.foldDesignText). Fold-to-fold spread and \
            plots in `evaluation/summary.md`.\n\n
            """
        if let t = r.training {
            let changed: String = t.changedSettings.map { "`\($0)`" }.joined(separator: ", ")
            let protocolText: String =
                t.changedSettings.isEmpty
                ? "the paper's protocol (\(paper); every `train` key at its default)"
                : "the paper's protocol (\(paper)) except \(changed)"
            md += "Training: \(protocolText).\n\n"
            md += timeLine(t, assembly: r.timings.evaluation) + "\n\n"
        }
        md += ScoreTables.markdown(e.table, unit: r.unit, heading: "###")
        for (model, n) in e.unpredicted.sorted(by: { $0.key < $1.key }) {
            md +=
                "\n\(model): \(n) held-out samples without prediction (a depth with no training sample in their fold); "
                + "left out of its metrics.\n"
        }
        if let combination = e.combination { md += combination.markdown(heading: "###") }
        if let intervals = r.predictionIntervals { md += intervalSection(intervals, unit: r.unit) }
        if let zones = e.zones { md += "\n" + ZoneTables.markdown(zones.breakdown, unit: r.unit, heading: "###") }
        if let geodist = e.geodist {
            md += "\n" + geodist.markdown(heading: "###", plot: "evaluation/" + Geodist.plotFile)
        }
        if let variograms = e.residualVariograms, !variograms.rows.isEmpty {
            md +=
                "\n"
                + variograms.markdown(unit: r.unit, heading: "###", plot: "evaluation/" + ResidualVariograms.plotFile)
        }
        if let importance = e.importance {
            md += "\n" + importance.markdown(unit: r.unit, heading: "###", folder: "evaluation/")
        }
        return md + "\n"
    }

    /// "; units trained for 4 min 12 s, 2 of 6 reused from an earlier run": the cross-validation
    /// units' own training time.
    static func headingTime(_ t: RunRecord.Training) -> String {
        let cv = t.crossValidationUnits
        guard !cv.isEmpty else { return "" }
        let trained = "; units trained for " + DurationText.words(cv.reduce(0) { $0 + $1.seconds })
        if t.merged { return trained + " by `--part` processes" }
        let reused = cv.filter { !$0.fittedHere }.count
        return trained + (reused > 0 ? ", \(reused) of \(cv.count) reused from an earlier run" : "")
    }

    /// Where the time went: the units' own seconds, this run's training wall time, the evaluation's assembly.
    static func timeLine(_ t: RunRecord.Training, assembly: Double?) -> String {
        let cv = t.crossValidationUnits
        let here = t.units.filter(\.fittedHere).count
        var line =
            "Time: the \(cv.count) cross-validation \(cv.count == 1 ? "unit" : "units") trained for "
            + DurationText.words(cv.reduce(0) { $0 + $1.seconds }) + " and the \(t.finalUnits.count) final "
            + "\(t.finalUnits.count == 1 ? "fit" : "fits") for "
            + DurationText.words(t.finalUnits.reduce(0) { $0 + $1.seconds })
            + " (each unit's own time, recorded when it was saved); "
        line +=
            t.merged
            ? "every unit was fitted by `--part` processes and this merge trained none"
            : """
            this run's training took \(DurationText.words(t.wallSeconds)) of wall time, fitting \
            \(here) of the \(t.units.count) units
            """
                + (here < t.units.count ? " (\(t.units.count - here) reused from an earlier run)" : "")
        return line + (assembly.map { "; assembling the evaluation took \(DurationText.words($0))" } ?? "") + "."
    }

    /// The prediction intervals' measured coverage per depth of the mapped (or swept) model, both methods.
    static func intervalSection(_ s: RunRecord.PredictionIntervals, unit: String) -> String {
        let percent = NumberText.trimmed(s.level * 100, maxDecimals: 1, nonFinite: "?")
        var md = "\n### Prediction intervals (\(percent) %, \(s.sweepModel))\n\n"
        md += """
            Coverage (PICP) and mean width (\(unit)) of the \(percent) % interval, calibrated on the held-out \
            residuals of k - 1 folds and tried on the k-th, averaged over folds; every model in \
            `evaluation/summary.md`. Maps use \(s.method).\n\n
            """
        md +=
            "| depth | "
            + IntervalMethod.allCases.map { "\($0.rawValue) PICP | \($0.rawValue) width" }
            .joined(separator: " | ") + " |\n|---|"
            + String(repeating: "---|---|", count: IntervalMethod.allCases.count)
            + "\n"
        var depths: [String] = []
        for c in s.sweepModelCoverage { if let d = c.depth, !depths.contains(d) { depths.append(d) } }
        for depth in depths {
            var cells = [depth]
            for m in IntervalMethod.allCases {
                let c = s.sweepModelCoverage.first { $0.method == m.rawValue && $0.depth == depth }
                cells += [NumberText.fixed(c?.picp ?? .nan, 3, nonFinite: "-"), fmt(c?.meanWidth ?? .nan)]
            }
            md += "| " + cells.joined(separator: " | ") + " |\n"
        }
        md += fifthsTable(s)
        md += groupCoverageTable(
            s.sweepModelByZone,
            caption: "PICP (n) of the \(s.method) interval by zone (`evaluate.zones`; folds pooled):")
        return md
    }

    /// The sweep model's PICP per depth, method and fifth of the predicted value (empty without them).
    static func fifthsTable(_ s: RunRecord.PredictionIntervals) -> String {
        guard !s.sweepModelByFifth.isEmpty else { return "" }
        var md = """
            \nPICP by fifth of the predicted value (1: the lowest fifth of the held-out predictions of the depth, \
            5: the highest; folds pooled): an interval that holds on average but not in fifth 5 is too narrow \
            where the values are high. * marks a PICP outside the range where a calibrated band's falls in 95 % \
            of cases with the fifth's samples (binomial): a miss larger than chance.\n\n
            """
        md += "| depth | method | 1 | 2 | 3 | 4 | 5 |\n|---|---|---|---|---|---|---|\n"
        var depths: [String] = []
        for c in s.sweepModelByFifth { if let d = c.depth, !depths.contains(d) { depths.append(d) } }
        for depth in depths {
            for m in IntervalMethod.allCases {
                let row = s.sweepModelByFifth.filter { $0.depth == depth && $0.method == m.rawValue }
                guard !row.isEmpty else { continue }
                let cells = (1...5).map { f -> String in
                    let c = row.first { $0.fifth == f }
                    let miss = c.map { CalibratedRange.isMiss(picp: $0.picp, n: $0.n ?? 0, level: s.level) } ?? false
                    return NumberText.fixed(c?.picp ?? .nan, 3, nonFinite: "-") + (miss ? "*" : "")
                }
                md += "| \(depth) | \(m.rawValue) | " + cells.joined(separator: " | ") + " |\n"
            }
        }
        return md
    }

    /// "## Timings": each stage's wall time in this run.
    static func timings(_ r: RunRecord) -> String {
        let t = r.timings
        var rows: [(String, Double?)] = [
            ("covariate stack", t.stack), ("soil tables and profiles", t.profiles),
            ("patches", t.patches), ("covariate selection", t.selection)
        ]
        if let training = r.training {
            let here = training.units.filter(\.fittedHere).count
            rows.append(
                (
                    training.merged
                        ? "training (checked: every unit fitted by `--part` processes)"
                        : "training (\(here) of \(training.units.count) units fitted here)", t.training
                ))
        }
        rows += [
            ("evaluation (assembled from the units)", t.evaluation), ("final models", t.finalModels), ("maps", t.maps),
            ("patch file, tables and report", t.report), ("total", t.total)
        ]
        return "\n## Timings\n\nWall time of each stage of this run.\n\n| stage | wall time |\n|---|---|\n"
            + rows.compactMap { name, seconds in seconds.map { "| \(name) | \(DurationText.words($0)) |\n" } }.joined()
    }
}
