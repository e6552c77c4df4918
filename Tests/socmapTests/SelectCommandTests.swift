import Foundation
import TestSupport
import XCTest

/// `select` in a run: the paper's Table 2, the selected list in the report, and later stages that
/// read only the selected covariates.
final class SelectCommandTests: XCTestCase {
    func runWith(_ select: String) throws -> (TinyProject, CLIResult) {
        let p = try TinyProject()
        let training = EvaluateCommandTests.training
            .replacingOccurrences(of: "models: [transfer, cnn, mtcnn, rf]", with: "models: [rf]")
            .replacingOccurrences(of: "freeze_sweep: [0, 2]", with: "freeze_sweep: false")
        try p.editPipeline("  size: 7\n", "  size: 7\n" + training + select)
        return (p, try CLI.run(["run", p.pipeline, "-q"]))
    }

    func testSelect_writesTheTableAndLaterStagesReadOnlyTheSelectedCovariates() throws {
        let (p, r) = try runWith("select:\n  model: rf\n  group_size: 1\n  min_correlation: 0\n")
        XCTAssertEqual(r.status, 0, r.stderr)
        let csv = try String(contentsOfFile: p.folder.file("out/selection/selection.csv"), encoding: .utf8)
        let md = try String(contentsOfFile: p.folder.file("out/selection/selection.md"), encoding: .utf8)
        let selected = try String(contentsOfFile: p.folder.file("out/selection/selected.txt"), encoding: .utf8)
            .split(separator: "\n").map(String.init).filter { !$0.isEmpty && !$0.hasPrefix("#") }
        XCTAssertFalse(selected.isEmpty)
        XCTAssertTrue(md.contains("### Cross-validated RMSE by subset size"), md)
        XCTAssertTrue(md.contains("Variant: **all data**"), md)
        XCTAssertGreaterThanOrEqual(csv.split(separator: "\n").count, 2, csv)
        try RunRecordTests.assertRecordIsTheReport(p.folder.file("out"))
        let report = try String(contentsOfFile: p.folder.file("out/report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("Covariate selection"), report)
        // The final model and the patch file hold the selected covariates' channels only.
        let model = try String(contentsOfFile: p.folder.file("out/models/rf/model.json"), encoding: .utf8)
        for name in ["elev", "wet", "geo"] where !selected.contains(name) {
            XCTAssertFalse(model.contains("\"\(name)"), "\(name) not selected, yet in model.json")
        }
        for name in selected { XCTAssertTrue(model.contains(name), "\(name) selected, not in model.json") }
    }

    func testPerFoldSelection_runsInsideEachFoldAndSaysSo() throws {
        let (p, r) = try runWith("select:\n  model: rf\n  group_size: 1\n  min_correlation: 0\n  per_fold: true\n")
        XCTAssertEqual(r.status, 0, r.stderr)
        let md = try String(contentsOfFile: p.folder.file("out/selection/selection.md"), encoding: .utf8)
        XCTAssertTrue(md.contains("per_fold: true"), md)
    }

    func testSelectWithoutEvaluate_isAnErrorNamingTheKey() throws {
        let p = try TinyProject()
        try p.editPipeline(
            "  size: 7\n", "  size: 7\ntrain:\n  models: [rf]\n  network: {pool: 1}\nselect:\n  model: rf\n")
        let r = try CLI.run(["run", p.pipeline, "-q"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("select") && r.stderr.contains("evaluate"), r.stderr)
    }
}
