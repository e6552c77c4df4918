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
        let eval = p.folder.file("out/evaluation")
        for f in ["metrics.csv", "metrics.json", "predictions.csv", "summary.md", "freeze_sweep.csv",
                  "plots/scatter_transfer.svg", "plots/scatter_rf.svg", "plots/density.svg", "plots/rmse_by_depth.svg",
                  "plots/freeze_sweep.svg", "intervals.json", "plots/interval_coverage.svg"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: (eval as NSString).appendingPathComponent(f)), f)
        }
        let metrics = try String(contentsOfFile: (eval as NSString).appendingPathComponent("metrics.csv"), encoding: .utf8)
        for model in ["transfer", "cnn", "mtcnn", "rf"] {
            XCTAssertEqual(metrics.split(separator: "\n").filter { $0.hasPrefix("\(model),") }.count, 7, "\(model): 6 depths + all")
        }
        // Every held-out sample has a prediction from every model, each site in exactly one fold.
        let predictions = try String(contentsOfFile: (eval as NSString).appendingPathComponent("predictions.csv"), encoding: .utf8)
        let rows = predictions.split(separator: "\n").dropFirst()
        XCTAssertEqual(rows.count, 24 * 6)
        XCTAssertFalse(rows.contains { $0.contains("NA") }, "no missing prediction")
        var foldOfSite: [String: String] = [:]
        for row in rows {
            let f = row.split(separator: ",").map(String.init)
            if let known = foldOfSite[f[0]] { XCTAssertEqual(known, f[2], "site \(f[0]) in two folds") }
            foldOfSite[f[0]] = f[2]
        }
        for (model, files) in ["transfer": ["pretrained.safetensors", "depth_0-5cm.safetensors"], "cnn": ["depth_100-200cm.safetensors"],
                               "mtcnn": ["heads.safetensors"], "rf": ["depth_30-60cm.forest"]] {
            for f in files + ["model.json"] {
                XCTAssertTrue(FileManager.default.fileExists(atPath: p.folder.file("out/models/\(model)/\(f)")), "\(model)/\(f)")
            }
        }
        let report = try String(contentsOfFile: p.folder.file("out/report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("## Cross-validation (3 folds"), report)
        // Interval coverage (PICP) and width per depth, model and method.
        let summary = try String(contentsOfFile: (eval as NSString).appendingPathComponent("summary.md"), encoding: .utf8)
        for depth in ["0–5 cm", "100–200 cm", "All depths"] { XCTAssertTrue(summary.contains("| \(depth) | transfer |"), summary) }
        let data = try Data(contentsOf: URL(fileURLWithPath: (eval as NSString).appendingPathComponent("metrics.json")))
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let coverage = (object?["intervals"] as? [String: Any])?["coverage"] as? [[String: Any]] ?? []
        for model in ["transfer", "cnn", "mtcnn", "rf"] {
            for method in ["conformal", "adaptive"] {
                let rows = coverage.filter { $0["model"] as? String == model && $0["method"] as? String == method }
                XCTAssertEqual(rows.count, 7, "\(model) \(method): 6 depths + all")
                XCTAssertTrue(rows.allSatisfy { ($0["picp"] as? Double).map { (0...1).contains($0) } ?? false }, "\(model) \(method)")
            }
        }
        XCTAssertTrue(report.contains("conformal PICP"), report)
    }

    func testEvaluate_sameSeedGivesIdenticalMetricsAndModels() throws {
        let p = try TinyProject()
        try p.editPipeline("  size: 7\n", "  size: 7\n" + Self.training.replacingOccurrences(of: "freeze_sweep: [0, 2]", with: "freeze_sweep: false"))
        XCTAssertEqual(try CLI.run(["run", p.pipeline, "-q"]).status, 0)
        let files = ["out/evaluation/metrics.csv", "out/models/transfer/depth_15-30cm.safetensors", "out/models/rf/depth_0-5cm.forest"]
        let first = files.map { FileManager.default.contents(atPath: p.folder.file($0)) }
        XCTAssertEqual(try CLI.run(["run", p.pipeline, "-q", "--overwrite"]).status, 0)
        for (f, data) in zip(files, first) {
            XCTAssertNotNil(data, f)
            XCTAssertEqual(FileManager.default.contents(atPath: p.folder.file(f)), data, f)
        }
    }

    func testTooFewSitesForTheFolds_isAClearError() throws {
        let p = try TinyProject(sites: 5)
        try p.editPipeline("  size: 7\n", "  size: 7\n" + Self.training.replacingOccurrences(of: "folds: 3", with: "folds: 10"))
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
        try p.editPipeline("  size: 7\n", "  size: 7\n"
                           + Self.training.replacingOccurrences(of: "freeze_sweep: [0, 2]", with: "freeze_sweep: false"))
        let r = try CLI.run(["run", p.pipeline, "-q"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let report = try String(contentsOfFile: p.folder.file("out/report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("| 0-5cm | 24 |"), report)
        // A forest fitted to a constant predicts it: RMSE 0, while R is undefined (no variance).
        let metrics = try String(contentsOfFile: p.folder.file("out/evaluation/metrics.csv"), encoding: .utf8)
        let rf = metrics.split(separator: "\n").first { $0.hasPrefix("rf,0-5cm,") }.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        XCTAssertEqual(rf.map { Double($0[5]) ?? -1 } ?? -1, 0, accuracy: 1e-4, metrics)
        XCTAssertEqual(rf?[3].isEmpty == true || rf?[3] == "NA" || rf?[3] == "nan" || rf?[3] == "NaN", true, metrics)
    }
}
