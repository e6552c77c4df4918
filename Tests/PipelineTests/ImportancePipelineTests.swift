import Evaluation
import Foundation
import Reports
import TestSupport
import Workspace
import XCTest

@testable import Configuration
@testable import Pipeline

/// `evaluate.importance`: its keys, and a whole run writing the importance, the partial dependence and
/// their report sections.
final class ImportancePipelineTests: XCTestCase {
    let minimal = minimalPipeline + "train:\n  models: [rf]\nevaluate:\n  folds: 3\n"

    func parse(_ text: String) throws -> PipelineConfig {
        try PipelineConfig.parse(text: text, file: "/data/project/p.yaml")
    }

    /// The error of `extra` under `evaluate`, with the line of its first line.
    func keyError(_ extra: String) -> (error: ConfigError?, line: Int) {
        let text = minimal + extra
        let line =
            text.split(separator: "\n", omittingEmptySubsequences: false).count - extra.split(separator: "\n").count
        var caught: ConfigError?
        XCTAssertThrowsError(try parse(text)) { caught = $0 as? ConfigError }
        return (caught, line)
    }

    func testKeys_defaultOff_parse_andBadValuesAreErrorsNamingTheKey() throws {
        let plain = try XCTUnwrap(try parse(minimal).evaluate)
        XCTAssertFalse(plain.importance)
        XCTAssertEqual(plain.importanceRepeats, 5)
        let on = try XCTUnwrap(try parse(minimal + "  importance: true\n  importance_repeats: 3\n").evaluate)
        XCTAssertTrue(on.importance)
        XCTAssertEqual(on.importanceRepeats, 3)

        let orphan = keyError("  importance_repeats: 3\n")
        XCTAssertEqual(orphan.error?.key, "evaluate.importance_repeats")
        XCTAssertEqual(orphan.error?.line, orphan.line)
        XCTAssertTrue("\(orphan.error.map { "\($0)" } ?? "")".contains("add 'importance: true'"), "\(orphan)")
        let off = keyError("  importance: false\n  importance_repeats: 3\n")
        XCTAssertEqual(off.error?.key, "evaluate.importance_repeats")

        let zero = keyError("  importance: true\n  importance_repeats: 0\n")
        XCTAssertEqual(zero.error?.key, "evaluate.importance_repeats")
        XCTAssertTrue("\(zero.error.map { "\($0)" } ?? "")".contains("between 1 and 1000"), "\(zero)")
        let word = keyError("  importance: sometimes\n")
        XCTAssertEqual(word.error?.key, "evaluate.importance")
        XCTAssertEqual(word.error?.line, word.line)
    }

    func testRun_writesTheImportanceOfEveryModel_thePartialDependenceAndTheReportSections() throws {
        let p = try TinyProject()
        try p.editPipeline(
            "  size: 7\n",
            """
              size: 7
            train:
              models: [cnn, rf]
              network: {conv_widths: [4, 8, 8], fc_widths: [8, 8, 4], pool: 1}
              epochs: 2
              patience: 2
              batch_size: 16
              forest: {trees: 10, tuning_trees: 5, max_features: [2], min_samples_leaf: [2]}
            evaluate:
              folds: 3
              importance: true
              importance_repeats: 2

            """)
        let config = try PipelineConfig.load(path: p.pipeline)
        _ = try PipelineRunner(config: config).run(overwrite: false)
        let layout = OutputLayout(config)
        let evaluation = layout.evaluationFolder
        func read(_ name: String) throws -> String {
            try String(contentsOfFile: (evaluation as NSString).appendingPathComponent(name), encoding: .utf8)
        }
        let csv = try read(CovariateImportance.csvFile).split(separator: "\n").map(String.init)
        XCTAssertEqual(csv[0], "model,depth,covariate,rmse_increase,rmse_increase_sd,base_rmse,n,repeats")
        let record = try RunRecord.read(
            try Data(
                contentsOf: URL(fileURLWithPath: (config.output as NSString).appendingPathComponent("report.json"))))
        let importance = try XCTUnwrap(record.evaluation.crossValidation?.importance)
        XCTAssertEqual(importance.models, ["cnn", "rf"])
        XCTAssertEqual(importance.repeats, 2)
        XCTAssertEqual(importance.seeds, "7/importance")
        let depths = Set(importance.rows.map(\.depth))
        XCTAssertEqual(csv.count - 1, 2 * depths.count * 3, "a row per model, depth and covariate (elev, wet, geo)")
        XCTAssertEqual(Set(importance.rows.map(\.covariate)), ["elev", "wet", "geo"])
        // The base RMSE is the evaluation's RMSE of the model at the depth (no log1p, so no smearing).
        let table = try EvaluationReport.readTable(
            metricsJSON: (evaluation as NSString).appendingPathComponent(EvaluationReport.metricsJSONFile))
        for r in importance.rows {
            let scored = try XCTUnwrap(table.rows.first { $0.model == r.model && $0.depth == r.depth })
            XCTAssertEqual(r.baseRMSE, scored.metrics.rmse, accuracy: 1e-9, "\(r.model) \(r.depth)")
            XCTAssertEqual(r.n, scored.metrics.n)
            XCTAssertTrue(r.rmseIncrease.isFinite && r.rmseIncreaseSD.isFinite, "\(r)")
        }
        XCTAssertEqual(importance.forest?.covariates.sorted(), ["elev", "geo", "wet"])
        let pd = try XCTUnwrap(importance.partialDependence)
        XCTAssertEqual(pd.model, "cnn", "no predict section: the first model")
        XCTAssertEqual(pd.curves.count, 3 * depths.count)
        XCTAssertEqual(pd.curves.filter { $0.covariate == "geo" }.allSatisfy(\.categorical), true)
        XCTAssertEqual(pd.curves.filter { $0.covariate == "geo" }.first?.values, [1, 2, 3])
        XCTAssertEqual(
            try read(PartialDependence.csvFile).split(separator: "\n").count - 1,
            pd.curves.reduce(0) { $0 + $1.values.count })
        for plot in [CovariateImportance.plotFile, PartialDependence.plotFile] {
            XCTAssertTrue(try read(plot).hasPrefix("<?xml"), plot)
        }
        XCTAssertTrue(try read("summary.md").contains("## What drives the map: covariate importance"))
        let report = try String(
            contentsOfFile: (config.output as NSString).appendingPathComponent("report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("### What drives the map: covariate importance"), report)
        XCTAssertTrue(report.contains("rf impurity share"), report)
        XCTAssertTrue(report.contains("### Partial dependence (cnn, final model, models/cnn/)"), report)
    }
}
