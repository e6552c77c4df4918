import Evaluation
import Foundation
import Models
import RasterIO
import TestSupport
import Workspace
import XCTest

@testable import Configuration
@testable import Pipeline

/// The `combined` model through a whole run: its keys, its nested weights, its held-out scores and intervals,
/// its saved model and its maps.
final class CombinedModelPipelineTests: XCTestCase {
    static func sections(models: String = "[transfer, rf, combined]", combine: String, predict: String) -> String {
        """
        train:
          models: \(models)
          network: {conv_widths: [4, 8, 8], fc_widths: [8, 8, 4], pool: 1}
          epochs: 3
          fine_tune_epochs: 2
          patience: 2
          batch_size: 16
          forest: {trees: 10, tuning_trees: 5, max_features: [2], min_samples_leaf: [3]}
        \(combine)
        evaluate:
          folds: 3
        \(predict)

        """
    }

    func project(
        models: String = "[transfer, rf, combined]", combine: String, predict: String = ""
    ) throws -> (TinyProject, PipelineConfig) {
        let p = try TinyProject()
        try p.editPipeline(
            "  size: 7\n", "  size: 7\n" + Self.sections(models: models, combine: combine, predict: predict))
        return (p, try PipelineConfig.load(path: p.pipeline))
    }

    func testKeys_defaultToEqualWeightsOfTheOtherModels_andBadOnesNameTheKey() throws {
        let (p, config) = try project(combine: "")
        defer { withExtendedLifetime(p) {} }
        XCTAssertEqual(
            config.train?.combine, CombineSettings(members: [.transfer, .rf], weights: .equal, innerFolds: 5))
        let (q, nnls) = try project(combine: "  combine: {members: [rf, transfer], weights: nnls, inner_folds: 3}")
        defer { withExtendedLifetime(q) {} }
        XCTAssertEqual(nnls.train?.combine, CombineSettings(members: [.rf, .transfer], weights: .nnls, innerFolds: 3))
        let cases: [(models: String, combine: String, expected: String)] = [
            ("[transfer, rf]", "  combine: {weights: nnls}", "add 'combined' to train.models"),
            (
                "[transfer, rf, combined]", "  combine: {members: [transfer, cnn]}",
                "member 'cnn' is not among train.models"
            ),
            ("[transfer, combined]", "", "at least two members"),
            ("[transfer, rf, combined]", "  combine: {members: [rf, rf]}", "'rf' is listed twice"),
            ("[transfer, rf, combined]", "  combine: {members: [rf, combined]}", "cannot be its own member"),
            ("[transfer, rf, combined]", "  combine: {weights: best}", "unknown value 'best'"),
            ("[transfer, rf, combined]", "  combine: {inner_folds: 1}", "between 2 and 20"),
            ("[transfer, rf, combined]", "  combine: {inner: 3}", "inner")
        ]
        for c in cases {
            XCTAssertThrowsError(try project(models: c.models, combine: c.combine), c.combine) { error in
                XCTAssertTrue("\(error)".contains(c.expected), "\(c): \(error)")
                XCTAssertTrue("\(error)".contains("pipeline.yaml:"), "names the file and line: \(error)")
            }
        }
    }

    /// Nested NNLS weights: inner units are fitted for each member inside each outer fold, the combined held-out
    /// predictions are the members' summed with their fold's weights (never the final ones), and the combined
    /// model is scored, calibrated and mapped like any other, its weights in model.json and the maps' metadata.
    func testNestedWeights_scoreCalibrateAndMapTheCombinedModel() throws {
        let (p, config) = try project(
            combine: "  combine: {weights: nnls, inner_folds: 2}",
            predict: "predict:\n  model: combined\n  tile_size: 16\n  uncertainty: true\n  cv_spread: true")
        defer { withExtendedLifetime(p) {} }
        let runner = PipelineRunner(config: config)
        let units = try XCTUnwrap(runner.assessmentSettings.train)
        XCTAssertEqual(units.models, [.transfer, .rf, .combined])
        let summary = try runner.run(overwrite: false)
        let layout = OutputLayout(config)
        // The evaluation: combined scored beside its members, its weights recorded per fold.
        let metrics =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: layout.evaluationFolder + "/metrics.json")))
            as! [String: Any]
        XCTAssertEqual(metrics["models"] as? [String], ["transfer", "rf", "combined"])
        let combination = try JSONDecoder().decode(
            CombinationWeights.self,
            from: JSONSerialization.data(withJSONObject: metrics["combination"]!))
        XCTAssertEqual(combination.members, ["transfer", "rf"])
        XCTAssertEqual(combination.method, "nnls")
        XCTAssertEqual(combination.innerFolds, 2)
        XCTAssertEqual(combination.folds.count, 3)
        for weights in combination.folds + [combination.final] {
            for w in weights { XCTAssertEqual(w.reduce(0, +), 1, accuracy: 1e-9) }
        }
        XCTAssertNotEqual(combination.folds[0], combination.folds[1], "each fold fits its own weights")
        // predictions.csv: the combination of each held-out sample is its fold's weighted sum of the members'.
        let csv = try String(contentsOfFile: layout.evaluationFolder + "/predictions.csv", encoding: .utf8)
        let lines = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let header = lines[0].map(String.init)
        let column = { (name: String) in header.firstIndex(of: name)! }
        var checked = 0
        for row in lines.dropFirst() {
            let fold = Int(row[column("fold")])!  // 0-based in predictions.csv
            let depth = combination.depthLabels.firstIndex(of: String(row[column("depth")]))!
            guard let t = Double(row[column("transfer")]), let r = Double(row[column("rf")]),
                let c = Double(row[column("combined")])
            else { continue }
            let w = combination.folds[fold][depth]
            XCTAssertEqual(c, w[0] * t + w[1] * r, accuracy: 2e-3 * max(1, abs(c)), "\(row)")
            checked += 1
        }
        XCTAssertGreaterThan(checked, 50)
        XCTAssertTrue(summary.report.contains("### Combined model"), "report.md names the weights")
        XCTAssertTrue(summary.report.contains("nested"), "report.md says the weights were nested")
        // The saved model: members in their folders, final weights, verified as one.
        let (model, description) = try ModelStore.load(folder: layout.model(.combined))
        XCTAssertEqual(description.combination?.weights, combination.final)
        guard case .combined(let c) = model else { return XCTFail("a combined model") }
        XCTAssertEqual(c.kinds, [.transfer, .rf])
        let (fold1, d1) = try ModelStore.load(folder: layout.cvModel(.combined, fold: 1))
        XCTAssertEqual(d1.combination?.weights, combination.folds[0], "the fold models carry their fold's weights")
        XCTAssertEqual(fold1.kind, .combined)
        // The maps: the combined model's, its weights in the metadata.
        let metadata = try RasterDataset(path: layout.mapsFolder + "/soc_0-5cm.tif").metadata()
        let text = metadata["SOCMAP_COMBINATION"] ?? ""
        XCTAssertTrue(text.hasPrefix("nnls: 0-5cm transfer "), text)
        XCTAssertEqual(metadata["SOCMAP_MODEL"], "combined")
        // `socmap predict` maps the saved combination (fold models and metrics from disk) to the same bytes.
        let maps = try FileManager.default.contentsOfDirectory(atPath: layout.mapsFolder).filter {
            $0.hasSuffix(".tif")
        }
        .sorted()
        XCTAssertTrue(maps.contains("soc_0-5cm_cv_sd.tif") && maps.contains("soc_0-5cm_q95.tif"), "\(maps)")
        let before = maps.map { FileManager.default.contents(atPath: layout.mapsFolder + "/" + $0) }
        let result = try PipelineRunner(config: config).predict(shard: .whole, merge: false, overwrite: true)
        XCTAssertTrue(result.assembled)
        for (name, data) in zip(maps, before) {
            XCTAssertEqual(FileManager.default.contents(atPath: layout.mapsFolder + "/" + name), data, name)
        }
        // The training's units: 3 outer folds x (1 + 2 inner) x 2 members + 2 final models, nothing for combined.
        let report =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: layout.root + "/report.json"))) as! [String: Any]
        let trained = ((report["training"] as! [String: Any])["units"] as! [[String: Any]]).map {
            $0["name"] as! String
        }
        XCTAssertEqual(trained.count, 3 * 3 * 2 + 2, "\(trained)")
        XCTAssertTrue(trained.contains("cv_fold03_inner2_transfer"), "\(trained)")
        XCTAssertFalse(trained.contains { $0.hasSuffix("combined") }, "\(trained)")
    }

    /// Equal weights need no inner folds: the combined held-out prediction is the members' mean.
    /// With `evaluate.importance` the combination's permutation importance and partial dependence come from its
    /// members' saved models summed with each fold's (and the final) weights.
    func testEqualWeights_areTheMembersMean_withoutInnerFolds() throws {
        let (p, _) = try project(combine: "", predict: "predict:\n  model: combined\n  tile_size: 16")
        defer { withExtendedLifetime(p) {} }
        try p.editPipeline("  folds: 3\n", "  folds: 3\n  importance: true\n  importance_repeats: 1\n")
        let config = try PipelineConfig.load(path: p.pipeline)
        _ = try PipelineRunner(config: config).run(overwrite: false)
        let layout = OutputLayout(config)
        let csv = try String(contentsOfFile: layout.evaluationFolder + "/predictions.csv", encoding: .utf8)
        let lines = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let header = lines[0].map(String.init)
        let (t, r, c) = (
            header.firstIndex(of: "transfer")!, header.firstIndex(of: "rf")!, header.firstIndex(of: "combined")!
        )
        for row in lines.dropFirst() {
            guard let a = Double(row[t]), let b = Double(row[r]), let m = Double(row[c]) else { continue }
            XCTAssertEqual(m, (a + b) / 2, accuracy: 2e-3 * max(1, abs(m)))
        }
        let summary = try String(contentsOfFile: layout.evaluationFolder + "/summary.md", encoding: .utf8)
        XCTAssertTrue(summary.contains("plain average of transfer and rf"), summary)
        let importance = try String(contentsOfFile: layout.evaluationFolder + "/importance.csv", encoding: .utf8)
        XCTAssertTrue(importance.contains("\ncombined,0-5cm,"), importance)
        let dependence = try String(
            contentsOfFile: layout.evaluationFolder + "/partial_dependence.csv", encoding: .utf8)
        XCTAssertTrue(dependence.contains("combined"), dependence)
    }
}
