import Foundation
import TestSupport
import XCTest

/// `socmap run` with the train and evaluate stages on the tiny project (small networks, few epochs).
final class EvaluateCommandTests: XCTestCase {
    static let training = """
        train:
          models: [transfer, cnn, mtcnn, rf]
          network: {conv_widths: [4, 8, 8], fc_widths: [8, 8, 4], pool: 1}
          epochs: 3
          fine_tune_epochs: 2
          patience: 2
          batch_size: 16
          forest: {trees: 20, tuning_trees: 10, max_features: [2, 5], min_samples_leaf: [2, 5]}
        evaluate:
          folds: 3
          freeze_sweep: [0, 2]

        """

    func testEvaluate_writesMetricsPlotsAndModelsForEveryModel() throws {
        let p = try TinyProject()
        try p.editPipeline("  size: 7\n", "  size: 7\n" + Self.training)
        let r = try CLI.run(["run", p.pipeline])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("fold 3/3"), r.stderr)
        // The whole training's ETA (16 units: 3 folds x 4 models and 4 final models): unknown during the
        // first unit, then a clock.
        XCTAssertTrue(r.stderr.contains("train: 16 units (3 folds x 4 models + 4 final models)"), r.stderr)
        XCTAssertTrue(r.stderr.contains("[unit 1/16, training ETA --] fold 1/3 transfer "), r.stderr)
        XCTAssertNotNil(
            r.stderr.range(of: #"\[unit 16/16, training ETA \d+:\d\d\] final rf "#, options: .regularExpression),
            r.stderr)
        let eval = p.folder.file("out/evaluation")
        for f in [
            "metrics.csv", "metrics.json", "predictions.csv", "summary.md", "freeze_sweep.csv",
            "plots/scatter_transfer.svg", "plots/scatter_rf.svg", "plots/density.svg", "plots/rmse_by_depth.svg",
            "plots/freeze_sweep.svg", "intervals.json", "plots/interval_coverage.svg",
            // Without a predict section the held-out sites' GeoPackage, style and quick-look are still written.
            "heldout_sites.gpkg", "heldout_sites.qml", "plots/relative_bias_0-5cm.png"
        ] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: (eval as NSString).appendingPathComponent(f)), f)
        }
        let metrics = try String(
            contentsOfFile: (eval as NSString).appendingPathComponent("metrics.csv"), encoding: .utf8)
        for model in ["transfer", "cnn", "mtcnn", "rf"] {
            XCTAssertEqual(
                metrics.split(separator: "\n").filter { $0.hasPrefix("\(model),") }.count, 7, "\(model): 6 depths + all"
            )
        }
        // Every held-out sample has a prediction from every model, each site in exactly one fold.
        let predictions = try String(
            contentsOfFile: (eval as NSString).appendingPathComponent("predictions.csv"), encoding: .utf8)
        let rows = predictions.split(separator: "\n").dropFirst()
        XCTAssertEqual(rows.count, 24 * 6)
        XCTAssertFalse(rows.contains { $0.contains("NA") }, "no missing prediction")
        var foldOfSite: [String: String] = [:]
        for row in rows {
            let f = row.split(separator: ",").map(String.init)
            if let known = foldOfSite[f[0]] { XCTAssertEqual(known, f[2], "site \(f[0]) in two folds") }
            foldOfSite[f[0]] = f[2]
        }
        for (model, files) in [
            "transfer": ["pretrained.safetensors", "depth_0-5cm.safetensors"], "cnn": ["depth_100-200cm.safetensors"],
            "mtcnn": ["heads.safetensors"], "rf": ["depth_30-60cm.forest", "importance.csv"]
        ] {
            for f in files + ["model.json"] {
                XCTAssertTrue(
                    FileManager.default.fileExists(atPath: p.folder.file("out/models/\(model)/\(f)")), "\(model)/\(f)")
            }
        }
        let report = try String(contentsOfFile: p.folder.file("out/report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("## Cross-validation (3 folds"), report)
        XCTAssertTrue(
            report.contains(
                """
                Training: the paper's protocol (Han et al. 2025, Front. Environ. Sci. 13:1580085) except \
                `network.conv_widths: [4, 8, 8]`, `network.fc_widths: [8, 8, 4]`, `network.pool: 1`, \
                `batch_size: 16`, `epochs: 3`, `fine_tune_epochs: 2`, `patience: 2`,
                """
            ), report)
        // Interval coverage (PICP) and width per depth, model and method.
        let summary = try String(
            contentsOfFile: (eval as NSString).appendingPathComponent("summary.md"), encoding: .utf8)
        for depth in ["0–5 cm", "100–200 cm", "Pooled over depths"] {
            XCTAssertTrue(summary.contains("| \(depth) | transfer |"), summary)
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: (eval as NSString).appendingPathComponent("metrics.json")))
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let coverage = (object?["intervals"] as? [String: Any])?["coverage"] as? [[String: Any]] ?? []
        for model in ["transfer", "cnn", "mtcnn", "rf"] {
            for method in ["conformal", "adaptive"] {
                let rows = coverage.filter { $0["model"] as? String == model && $0["method"] as? String == method }
                XCTAssertEqual(rows.count, 7, "\(model) \(method): 6 depths + all")
                XCTAssertTrue(
                    rows.allSatisfy { ($0["picp"] as? Double).map { (0...1).contains($0) } ?? false },
                    "\(model) \(method)")
            }
        }
        XCTAssertTrue(report.contains("conformal PICP"), report)
        try checkScoresLead(
            report: report, summary: p.folder.file("out/evaluation/summary.md"), stdout: r.stdout,
            metricsJSON: p.folder.file("out/evaluation/metrics.json"), design: Self.groupedDesign)
    }

    static let groupedDesign =
        "3-fold cross-validation, folds of randomly grouped sites (all depths of a site in one fold), seed 7"

    /// report.md, summary.md and the run's last lines lead with per-depth scores (the metrics.json
    /// figures), label the pooled ones "pooled over depths", and name the fold design.
    func checkScoresLead(
        report: String, summary summaryPath: String, stdout: String, metricsJSON: String, design: String,
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let json = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: metricsJSON)))
                as? [String: Any])
        XCTAssertEqual((json["design"] as? [String: Any])?["description"] as? String, design, file: file, line: line)
        let rows = try XCTUnwrap(json["rows"] as? [[String: Any]])
        func metric(_ model: String, _ depth: String, _ key: String) -> Double? {
            (rows.first { $0["model"] as? String == model && $0["depth"] as? String == depth }?["metrics"]
                as? [String: Any])?[key] as? Double
        }
        // report.md: cross-validation before the grid; per-depth table before the pooled one; design named.
        let cv = try XCTUnwrap(report.range(of: "## Cross-validation"), file: file, line: line).lowerBound
        XCTAssertLessThan(
            cv, try XCTUnwrap(report.range(of: "## Grid")).lowerBound, "scores lead report.md", file: file, line: line)
        let perDepth = try XCTUnwrap(report.range(of: "### Accuracy per depth"), file: file, line: line).lowerBound
        let pooled = try XCTUnwrap(report.range(of: "### Pooled over depths"), file: file, line: line).lowerBound
        XCTAssertLessThan(perDepth, pooled, file: file, line: line)
        XCTAssertEqual(
            report.components(separatedBy: "Folds: \(design).").count - 1, 2, "design above both tables", file: file,
            line: line)
        XCTAssertTrue(
            report.contains("| Depth | Model | n | R | R² | RMSE | rRMSE % | MAE | ME | KGE |"), report, file: file,
            line: line)
        // summary.md likewise.
        let summary = try String(contentsOfFile: summaryPath, encoding: .utf8)
        let sPerDepth = try XCTUnwrap(summary.range(of: "## Accuracy per depth"), file: file, line: line).lowerBound
        XCTAssertLessThan(
            sPerDepth, try XCTUnwrap(summary.range(of: "## Pooled over depths")).lowerBound, file: file, line: line)
        XCTAssertTrue(summary.contains("Folds: \(design)."), summary, file: file, line: line)
        // The last lines: the design, a line per depth and model with metrics.json's figures, then the pooled ones.
        let out = stdout.split(separator: "\n").map(String.init)
        let head = try XCTUnwrap(
            out.firstIndex {
                $0.hasPrefix("Cross-validated accuracy per depth (\(design); RMSE, MAE and ME in g/kg):")
            },
            stdout, file: file, line: line)
        let pooledLine = try XCTUnwrap(
            out.firstIndex { $0.hasPrefix("Pooled over depths") }, stdout, file: file, line: line)
        let wrote = try XCTUnwrap(out.firstIndex { $0.hasPrefix("Wrote ") }, stdout, file: file, line: line)
        XCTAssertTrue(head < pooledLine && pooledLine < wrote, stdout, file: file, line: line)
        let models = try XCTUnwrap(json["models"] as? [String])
        XCTAssertEqual(pooledLine - head - 2, 6 * models.count, "a line per depth and model", file: file, line: line)
        let first = out[head + 2].split(separator: " ").map(String.init)
        XCTAssertEqual(Array(first.prefix(2)), ["0-5cm", models[0]], file: file, line: line)
        let r2 = try XCTUnwrap(metric(models[0], "0-5cm", "r2"), file: file, line: line)
        XCTAssertEqual(
            first[4], String(format: "%.3f", r2), "R² of metrics.json: \(out[head + 2])", file: file, line: line)
        let me = try XCTUnwrap(metric(models[0], "0-5cm", "me"), file: file, line: line)
        XCTAssertEqual(
            Double(first[8]) ?? .nan, me,
            accuracy: 0.51 * pow(10, -Double(first[8].split(separator: ".").last?.count ?? 0)) + 1e-12,
            "ME of metrics.json: \(out[head + 2])", file: file, line: line)
    }

    /// A spatial-block run names its blocks (size and unit) beside every table and in the last lines.
    func testSpatialBlocks_areNamedBesideTheScores() throws {
        let p = try TinyProject()
        try p.editPipeline(
            "  size: 7\n",
            "  size: 7\n"
                + Self.training
                .replacingOccurrences(of: "models: [transfer, cnn, mtcnn, rf]", with: "models: [rf]")
                .replacingOccurrences(of: "freeze_sweep: [0, 2]", with: "block_size: 1000\n  freeze_sweep: false"))
        let r = try CLI.run(["run", p.pipeline, "-q"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let design = """
            3-fold cross-validation, folds of spatial blocks of 1000 m (every site of a block, \
            at all depths, in one fold), seed 7
            """
        let report = try String(contentsOfFile: p.folder.file("out/report.md"), encoding: .utf8)
        try checkScoresLead(
            report: report, summary: p.folder.file("out/evaluation/summary.md"), stdout: r.stdout,
            metricsJSON: p.folder.file("out/evaluation/metrics.json"), design: design)
        let json = try XCTUnwrap(
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: p.folder.file("out/report.json")))) as? [String: Any])
        let evaluation = try XCTUnwrap(json["evaluation"] as? [String: Any])
        XCTAssertEqual(evaluation["fold_design_text"] as? String, design)
        XCTAssertEqual((evaluation["per_depth"] as? [[String: Any]])?.count, 6)
        XCTAssertEqual((evaluation["pooled_over_depths"] as? [[String: Any]])?.first?["depth"] as? String, "all")
        XCTAssertNotNil((evaluation["per_depth"] as? [[String: Any]])?.first?["me"] as? Double)
        XCTAssertNotNil((evaluation["per_depth"] as? [[String: Any]])?.first?["rrmse"] as? Double)
    }

    /// `evaluate.split: samples` deals samples, not sites: a site's depths land in several folds, every
    /// sample is held out once, and the design says the split flatters the scores.
    func testSplitSamples_dealsSamplesIntoFoldsAndSaysSo() throws {
        let p = try TinyProject()
        try p.editPipeline(
            "  size: 7\n",
            "  size: 7\n"
                + Self.training
                .replacingOccurrences(of: "models: [transfer, cnn, mtcnn, rf]", with: "models: [rf]")
                .replacingOccurrences(of: "freeze_sweep: [0, 2]", with: "split: samples\n  freeze_sweep: false"))
        let r = try CLI.run(["run", p.pipeline, "-q"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let design = """
            3-fold cross-validation, folds of randomly dealt samples (other depths of a held-out profile can be in \
            training, which flatters the scores), seed 7
            """
        try checkScoresLead(
            report: try String(contentsOfFile: p.folder.file("out/report.md"), encoding: .utf8),
            summary: p.folder.file("out/evaluation/summary.md"), stdout: r.stdout,
            metricsJSON: p.folder.file("out/evaluation/metrics.json"), design: design)
        let rows = try String(contentsOfFile: p.folder.file("out/evaluation/predictions.csv"), encoding: .utf8)
            .split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
        XCTAssertEqual(rows.count, 24 * 6, "every sample held out once")
        XCTAssertEqual(Set(rows.map { "\($0[0])/\($0[1])" }).count, rows.count)
        var foldsOfSite: [String: Set<String>] = [:]
        for f in rows { foldsOfSite[f[0], default: []].insert(f[2]) }
        XCTAssertGreaterThan(
            foldsOfSite.values.filter { $0.count > 1 }.count, 12, "most sites have depths in several folds")
        let counts = Dictionary(grouping: rows, by: { $0[2] }).mapValues(\.count)
        XCTAssertEqual(counts.count, 3)
        XCTAssertLessThanOrEqual(counts.values.max()! - counts.values.min()!, 1, "balanced folds: \(counts)")
        // With spatial blocks it is refused, naming both keys.
        try p.editPipeline("  split: samples\n", "  split: samples\n  block_size: 1000\n")
        let bad = try CLI.run(["run", p.pipeline, "-q", "--overwrite"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("evaluate.split") && bad.stderr.contains("block_size"), bad.stderr)
    }

    func testEvaluate_sameSeedGivesIdenticalMetricsAndModels() throws {
        let p = try TinyProject()
        try p.editPipeline(
            "  size: 7\n",
            "  size: 7\n" + Self.training.replacingOccurrences(of: "freeze_sweep: [0, 2]", with: "freeze_sweep: false"))
        XCTAssertEqual(try CLI.run(["run", p.pipeline, "-q"]).status, 0)
        let files = [
            "out/evaluation/metrics.csv", "out/models/transfer/depth_15-30cm.safetensors",
            "out/models/rf/depth_0-5cm.forest"
        ]
        let first = files.map { FileManager.default.contents(atPath: p.folder.file($0)) }
        XCTAssertEqual(try CLI.run(["run", p.pipeline, "-q", "--overwrite"]).status, 0)
        for (f, data) in zip(files, first) {
            XCTAssertNotNil(data, f)
            XCTAssertEqual(FileManager.default.contents(atPath: p.folder.file(f)), data, f)
        }
    }

    func testTooFewSitesForTheFolds_isAClearError() throws {
        let p = try TinyProject(sites: 5)
        try p.editPipeline(
            "  size: 7\n", "  size: 7\n" + Self.training.replacingOccurrences(of: "folds: 3", with: "folds: 10"))
        let r = try CLI.run(["run", p.pipeline, "-q"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("too few sites for 10 folds"), r.stderr)
        XCTAssertTrue(r.stderr.contains("evaluate.folds"), r.stderr)
    }

    func testConstantTargets_areReportedNotFatal() throws {
        let p = try TinyProject()
        // Every horizon holds 5 g/kg. (A depth interval that no profile reaches is an error before training:
        // ProfileInputTests.testDepthWithNoSample_failsBeforeTrainingNamingTheDepth.)
        try p.edit("horizons.csv") { text in
            text.split(separator: "\n").enumerated().map { i, line in
                guard i > 0 else { return String(line) }
                var f = line.split(separator: ",").map(String.init)
                f[3] = "5"
                return f.joined(separator: ",")
            }.joined(separator: "\n") + "\n"
        }
        try p.editPipeline(
            "  size: 7\n",
            "  size: 7\n"
                + Self.training.replacingOccurrences(of: "freeze_sweep: [0, 2]", with: "freeze_sweep: false"))
        let r = try CLI.run(["run", p.pipeline, "-q"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let report = try String(contentsOfFile: p.folder.file("out/report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("| 0-5cm | 24 |"), report)
        // A forest fitted to a constant predicts it: RMSE 0, while R is undefined (no variance).
        let metrics = try String(contentsOfFile: p.folder.file("out/evaluation/metrics.csv"), encoding: .utf8)
        let rf = metrics.split(separator: "\n").first { $0.hasPrefix("rf,0-5cm,") }.map {
            $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
        XCTAssertEqual(rf.map { Double($0[5]) ?? -1 } ?? -1, 0, accuracy: 1e-4, metrics)
        XCTAssertEqual(rf.map { Double($0[8]) ?? -1 } ?? -1, 0, accuracy: 1e-4, "ME of a constant fit: \(metrics)")
        XCTAssertEqual(rf?[3].isEmpty == true || rf?[3] == "NA" || rf?[3] == "nan" || rf?[3] == "NaN", true, metrics)
    }
}
