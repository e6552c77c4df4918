import Foundation
import TextFormat

/// Writes a study folder: `study.md`, `study.csv`, `study.json`, `predictions.csv` (every variant's
/// held-out predictions), `plots/rmse_by_depth.svg` and `plots/rmse_difference_<baseline>.svg`.
/// Nothing depends on the clock except the stated times, which the caller passes.
public enum StudyReport {
    /// A variant as the report describes it.
    public struct Variant: Sendable, Codable, Equatable {
        /// The variant's name.
        public var name: String
        /// The model it trains (transfer, cnn, mtcnn, rf).
        public var model: String
        /// What it changes from the pipeline, e.g. "freeze: 0, l2_sp: 0.01" or "as the pipeline".
        public var changes: String
        /// The training seed of its fold models.
        public var seed: UInt64
        /// CPU-side wall time of its units, in seconds (this run's units; resumed ones as first measured).
        public var seconds: Double

        /// Describes a variant.
        public init(name: String, model: String, changes: String, seed: UInt64, seconds: Double) {
            self.name = name
            self.model = model
            self.changes = changes
            self.seed = seed
            self.seconds = seconds
        }
    }

    /// What the tables do not say: title, unit, variants, seed pairs, timing, notes.
    public struct Context: Sendable {
        /// The study's title, e.g. "edgeroi: SOC".
        public var title: String
        /// The property's unit.
        public var unit: String
        /// Every variant, in order.
        public var variants: [Variant]
        /// Pairs of variants that differ only in their seed: their difference is seed-to-seed noise.
        public var seedPairs: [(String, String)]
        /// Wall time of the whole study in this process, in seconds.
        public var wallSeconds: Double
        /// Lines for the reader (e.g. units reused from an interrupted run, pre-trainings shared).
        public var notes: [String]
        /// Another implementation's scores on the same data and protocol, if given.
        public var reference: ReferenceScores? = nil

        /// Makes a context.
        public init(
            title: String, unit: String, variants: [Variant], seedPairs: [(String, String)], wallSeconds: Double,
            notes: [String], reference: ReferenceScores? = nil
        ) {
            self.title = title
            self.unit = unit
            self.variants = variants
            self.seedPairs = seedPairs
            self.wallSeconds = wallSeconds
            self.notes = notes
            self.reference = reference
        }
    }

    /// File names inside a study folder.
    public static let markdownFile = "study.md"
    /// The CSV of metrics and differences.
    public static let csvFile = "study.csv"
    /// The JSON of metrics and differences.
    public static let jsonFile = "study.json"

    /// Writes the study files into `folder` (created if missing); returns the paths written.
    @discardableResult
    public static func write(
        _ study: StudyComparison, predictions: [HeldOutPrediction], context: Context,
        to folder: String
    ) throws -> [String] {
        var files = try ReportFiles(folder: folder)
        func put(_ text: String, _ relative: String) throws { try files.put(text, relative) }
        var plotFiles = ["plots/rmse_by_depth.svg"]
        try put(RMSEByDepthPlot.render(table: study.table, title: context.title, unit: context.unit), plotFiles[0])
        for baseline in study.baselines {
            let name = "plots/rmse_difference_\(TextFormatting.fileSafe(baseline)).svg"
            try put(
                StudyDifferencePlot.render(study, baseline: baseline, title: context.title, unit: context.unit), name)
            plotFiles.append(name)
        }
        try put(csv(study), csvFile)
        try put(ReportTables.predictionsCSV(predictions, table: study.table), EvaluationReport.predictionsCSVFile)
        do {
            try put(try json(study, context: context), jsonFile)
        } catch let e as EvaluationError { throw e } catch {
            throw EvaluationError(.writeFailed, path: folder, message: "cannot encode \(jsonFile): \(error)")
        }
        try put(markdown(study, context: context, plots: plotFiles), markdownFile)
        return files.written
    }

    /// One row per variant and depth: metrics, then per baseline the RMSE difference and its interval.
    static func csv(_ study: StudyComparison) -> String {
        var header = ["variant", "depth", "n", "r", "r2", "rmse", "mae", "me", "kge"]
        for b in study.baselines {
            let s = TextFormatting.fileSafe(b)
            header += ["rmse_minus_\(s)", "rmse_minus_\(s)_lower", "rmse_minus_\(s)_upper"]
        }
        var lines = [header.joined(separator: ",")]
        for variant in study.table.models {
            for key in study.table.depthKeys {
                guard let row = study.table.row(model: variant, depth: key) else { continue }
                let m = row.metrics
                var fields = [CSVText.field(variant), CSVText.field(key), String(m.n)]
                fields += [m.r, m.r2, m.rmse, m.mae, m.me, m.kge].map(TextFormatting.csvNumber)
                for b in study.baselines {
                    let d = study.difference(variant, b, depth: key)?.rmse
                    fields += [d?.difference, d?.lower, d?.upper].map { TextFormatting.csvNumber($0 ?? .nan) }
                }
                lines.append(fields.joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The whole comparison, the variants and the timing as JSON.
    static func json(_ study: StudyComparison, context: Context) throws -> String {
        struct File: Encodable {
            var title: String
            var unit: String
            var design: String
            var wall_seconds: Double
            var variants: [Variant]
            var seed_pairs: [[String]]
            var study: StudyComparison
            var notes: [String]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let file = File(
            title: context.title, unit: context.unit, design: study.table.designText,
            wall_seconds: (context.wallSeconds * 10).rounded() / 10, variants: context.variants,
            seed_pairs: context.seedPairs.map { [$0.0, $0.1] }, study: study, notes: context.notes)
        return String(decoding: try encoder.encode(file), as: UTF8.self) + "\n"
    }

    /// The reader's page: design, variants, RMSE and R² per depth, differences with intervals, seed noise.
    static func markdown(_ study: StudyComparison, context: Context, plots: [String]) -> String {
        let t = study.table
        let keys = t.depthKeys
        let decimals = max(
            2, TextFormatting.decimals(forMagnitude: t.rows.map(\.metrics.rmse).filter(\.isFinite).min() ?? 1) + 1)
        func number(_ x: Double, _ d: Int) -> String { NumberText.fixed(x, d, nonFinite: "–") }
        let depthHeader = "| Variant | " + keys.map(TextFormatting.depthDisplay).joined(separator: " | ") + " |"
        let rule = "|---|" + keys.map { _ in "---|" }.joined()
        var md = "# Study: \(context.title)\n\n"
        md += """
            Folds: \(t.designText). Every variant is trained and scored on the same \
            folds and the same validation sites
            """
        md += " (unless its seed differs); scores are per depth first, then pooled over depths. "
        md += "Wall time \(Int(context.wallSeconds.rounded())) s.\n\n"
        for note in context.notes { md += "- \(note)\n" }
        if !context.notes.isEmpty { md += "\n" }
        md += """
            ## Variants\n\n| Variant | Model | Changes from the pipeline | Seed | Training s |\n|---|---|---|---|---|\n
            """
        for v in context.variants {
            md += """
                | \(v.name)\(study.baselines.contains(v.name) ? " (baseline)" : "") | \(v.model) | \(v.changes) | \
                \(v.seed) | \(Int(v.seconds.rounded())) |\n
                """
        }
        for (metric, label, lowerIsBetter) in [
            ("rmse", PlotText.withUnit("RMSE", context.unit), true), ("r2", "R²", false)
        ] {
            md += "\n## \(label) per depth (best in bold)\n\n\(depthHeader)\n\(rule)\n"
            for v in t.models {
                var cells: [String] = []
                for key in keys {
                    let values = t.models.compactMap { t.row(model: $0, depth: key)?.metrics.value(metric) }.filter(
                        \.isFinite)
                    let best = lowerIsBetter ? values.min() : values.max()
                    let x = t.row(model: v, depth: key)?.metrics.value(metric) ?? .nan
                    let text = number(x, metric == "rmse" ? decimals : 3)
                    cells.append(x == best ? "**\(text)**" : text)
                }
                md += "| \(v) | " + cells.joined(separator: " | ") + " |\n"
            }
        }
        let percent = Int((study.level * 100).rounded())
        for b in study.baselines {
            md += "\n## RMSE difference to \(b) (paired bootstrap \(percent) % interval)\n\n"
            md += "RMSE(variant) − RMSE(\(b)), \(context.unit); negative is better. The interval resamples sites "
            md += "\(study.resamples) times (all samples of a site together); an interval that excludes 0 is marked "
            md += "better (↓) or worse (↑).\n\n\(depthHeader)\n\(rule)\n"
            for v in t.models where v != b {
                let cells = keys.map { key -> String in
                    guard let d = study.difference(v, b, depth: key)?.rmse, d.difference.isFinite else { return "–" }
                    let mark = d.upper < 0 ? " ↓" : (d.lower > 0 ? " ↑" : "")
                    return """
                        \(number(d.difference, decimals)) [\(number(d.lower, decimals)), \
                        \(number(d.upper, decimals))]\(mark)
                        """
                }
                md += "| \(v) | " + cells.joined(separator: " | ") + " |\n"
            }
        }
        if !context.seedPairs.isEmpty {
            md += "\n## Seed-to-seed noise\n\nPairs of variants that differ only in their seed: how far apart the same "
            md += "configuration lands by chance (RMSE difference, \(context.unit)). A variant's difference to a "
            md += "baseline smaller than this is not a finding.\n\n\(depthHeader)\n\(rule)\n"
            for (a, b) in context.seedPairs {
                let cells = keys.map { key -> String in
                    guard let ra = t.row(model: a, depth: key)?.metrics.rmse,
                        let rb = t.row(model: b, depth: key)?.metrics.rmse
                    else { return "–" }
                    return number(ra - rb, decimals)
                }
                md += "| \(a) − \(b) | " + cells.joined(separator: " | ") + " |\n"
            }
        }
        if let reference = context.reference {
            let matched = t.models.filter { reference.models[$0] != nil }
            md += "\n## Against the reference (\(reference.label))\n\n"
            if matched.isEmpty {
                md += """
                    No variant has the name of a model of the reference \
                    (\(reference.models.keys.sorted().joined(separator: ", "))).\n
                    """
            } else {
                md += """
                    RMSE of this study / of the reference (\(context.unit)) and the change in percent; \
                    same data, folds of the same design but not the same draw, so differences within the \
                    seed-to-seed noise are not findings.\n\n
                    """
                md += "\(depthHeader)\n\(rule)\n"
                for v in matched {
                    let cells = keys.map { key -> String in
                        guard let ours = t.row(model: v, depth: key)?.metrics.rmse,
                            let theirs = reference.score(v, depth: key)?.rmse,
                            ours.isFinite, theirs.isFinite, theirs > 0
                        else { return "–" }
                        let change = (ours / theirs - 1) * 100
                        return """
                            \(number(ours, decimals)) / \(number(theirs, decimals)) \
                            (\(change >= 0 ? "+" : "")\(number(change, 1)) %)
                            """
                    }
                    md += "| \(v) | " + cells.joined(separator: " | ") + " |\n"
                }
            }
        }
        md += "\n## Plots\n\n" + plots.map { "![\($0)](\($0))" }.joined(separator: "\n") + "\n"
        return md
    }
}
