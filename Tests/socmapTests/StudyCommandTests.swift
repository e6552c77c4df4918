import Foundation
import TestSupport
import XCTest

/// `socmap study` on the tiny project: variants on identical folds, shared pre-training, paired
/// bootstrap differences, resumable units, errors that name the key.
final class StudyCommandTests: XCTestCase {
    static let training = EvaluateCommandTests.training
        .replacingOccurrences(of: "models: [transfer, cnn, mtcnn, rf]", with: "models: [transfer, rf]")
        .replacingOccurrences(of: "freeze_sweep: [0, 2]", with: "freeze_sweep: false")

    static let variants = """
        bootstrap: 300
        variants:
          rf: {}
          transfer: {}
          transfer-F0: {model: transfer, train: {freeze: 0, fine_tune_epochs: 3}}
          transfer-seed9: {model: transfer, seed: 9}

        """

    func project() throws -> TinyProject {
        let p = try TinyProject()
        try p.editPipeline("  size: 7\n", "  size: 7\n" + Self.training)
        try Self.variants.write(toFile: p.folder.file("study.yaml"), atomically: true, encoding: .utf8)
        return p
    }

    func rows(_ path: String) throws -> [[String]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
    }

    func testStudy_scoresVariantsOnTheRunsFoldsSharesPretrainingAndResumes() throws {
        let p = try project()
        let r = try CLI.run(["study", p.pipeline, p.folder.file("study.yaml"), "-q"])
        XCTAssertEqual(r.status, 0, r.stderr)
        // 3 folds x 4 variants; transfer-F0 differs from transfer only in fine-tuning: one
        // pre-training per fold shared.
        XCTAssertTrue(r.stdout.contains("12 units trained, 0 reused, 3 pre-trainings shared"), r.stdout)
        let folder = p.folder.file("out-study")
        for f in [
            "study.md", "study.csv", "study.json", "predictions.csv", "plots/rmse_by_depth.svg",
            "plots/rmse_difference_rf.svg"
        ] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent(f)), f)
        }
        // The study's transfer and rf predictions are those of `socmap run`'s cross-validation (same folds, seeds).
        XCTAssertEqual(try CLI.run(["run", p.pipeline, "-q"]).status, 0)
        let run = try rows(p.folder.file("out/evaluation/predictions.csv"))
        let study = try rows((folder as NSString).appendingPathComponent("predictions.csv"))
        XCTAssertEqual(
            study[0].prefix(8), ["site", "depth", "fold", "observed", "rf", "transfer", "transfer-F0", "transfer-seed9"]
        )
        XCTAssertEqual(run.count, study.count)
        let runTransfer = run[0].firstIndex(of: "transfer")!
        let runRF = run[0].firstIndex(of: "rf")!
        for (a, b) in zip(run.dropFirst(), study.dropFirst()) {
            XCTAssertEqual(Array(a.prefix(4)), Array(b.prefix(4)))
            XCTAssertEqual(a[runTransfer], b[5], "transfer at \(a[0]) \(a[1])")
            XCTAssertEqual(a[runRF], b[4], "rf at \(a[0]) \(a[1])")
        }
        XCTAssertNotEqual(
            study.dropFirst().map { $0[5] }, study.dropFirst().map { $0[7] }, "another seed gives other predictions")
        // Differences to the baseline: the point inside its interval; rf against itself is not listed.
        let csv = try rows((folder as NSString).appendingPathComponent("study.csv"))
        XCTAssertEqual(
            csv[0],
            [
                "variant", "depth", "n", "r", "r2", "rmse", "mae", "me", "kge", "rmse_minus_rf", "rmse_minus_rf_lower",
                "rmse_minus_rf_upper"
            ])
        XCTAssertEqual(csv.count, 1 + 4 * 7)
        for row in csv.dropFirst() where row[0] != "rf" {
            let (d, lo, hi) = (Double(row[9])!, Double(row[10])!, Double(row[11])!)
            XCTAssertTrue(lo <= d && d <= hi, "\(row)")
            XCTAssertEqual(
                Double(row[5])! - Double(csv.first { $0[0] == "rf" && $0[1] == row[1] }![5])!, d, accuracy: 1e-9)
        }
        XCTAssertEqual(csv.filter { $0[0] == "rf" }.map { $0[9] }, Array(repeating: "NA", count: 7))
        let md = try String(contentsOfFile: (folder as NSString).appendingPathComponent("study.md"), encoding: .utf8)
        for heading in [
            "## Variants", "## RMSE (g/kg) per depth", "## R² per depth", "## RMSE difference to rf",
            "## Seed-to-seed noise"
        ] {
            XCTAssertTrue(md.contains(heading), heading)
        }
        XCTAssertTrue(md.contains("| transfer-F0 | transfer | freeze: 0, fine_tune_epochs: 3 |"), md)
        XCTAssertTrue(md.contains("| transfer − transfer-seed9 |"), md)

        // Resume: a lost unit is trained again, the others reused; the results are the same bytes.
        let before = try Data(
            contentsOf: URL(fileURLWithPath: (folder as NSString).appendingPathComponent("study.csv")))
        try FileManager.default.removeItem(
            atPath: (folder as NSString).appendingPathComponent(".socmap/units/cv_fold02_transfer-F0"))
        let again = try CLI.run(["study", p.pipeline, p.folder.file("study.yaml"), "-q"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stdout.contains("1 units trained, 11 reused"), again.stdout)
        XCTAssertEqual(
            try Data(contentsOf: URL(fileURLWithPath: (folder as NSString).appendingPathComponent("study.csv"))), before
        )
        // A changed variant invalidates only its own units.
        try p.edit("study.yaml") { $0.replacingOccurrences(of: "fine_tune_epochs: 3", with: "fine_tune_epochs: 4") }
        let changed = try CLI.run(["study", p.pipeline, p.folder.file("study.yaml"), "-q"])
        XCTAssertEqual(changed.status, 0, changed.stderr)
        XCTAssertTrue(changed.stdout.contains("3 units trained, 9 reused"), changed.stdout)
    }

    /// Combined and kriged variants: trained nothing of their own, the equal combination the members' mean, the
    /// nested ones fitting their members' inner folds once for both, and the kriged variant's notes in study.md.
    func testStudy_combinesAndKrigesOtherVariants() throws {
        let p = try project()
        try """
        bootstrap: 300
        baselines: [rf, transfer]
        variants:
          rf: {}
          transfer: {}
          both: {model: combined, members: [transfer, rf]}
          both-nnls: {model: combined, members: [transfer, rf], weights: nnls, inner_folds: 2}
          rf+rk: {krige: rf, inner_folds: 2, neighbours: 8}

        """.write(toFile: p.folder.file("study.yaml"), atomically: true, encoding: .utf8)
        let r = try CLI.run(["study", p.pipeline, p.folder.file("study.yaml"), "-q"])
        XCTAssertEqual(r.status, 0, r.stderr)
        // 3 folds x (1 + 2 inner) x 2 trained variants.
        XCTAssertTrue(r.stdout.contains("18 units trained, 0 reused"), r.stdout)
        let folder = p.folder.file("out-study")
        let study = try rows((folder as NSString).appendingPathComponent("predictions.csv"))
        XCTAssertEqual(
            study[0].prefix(9), ["site", "depth", "fold", "observed", "rf", "transfer", "both", "both-nnls", "rf+rk"])
        var kriged = 0
        for row in study.dropFirst() {
            guard let rf = Double(row[4]), let t = Double(row[5]), let both = Double(row[6]) else { continue }
            XCTAssertEqual(both, (rf + t) / 2, accuracy: 1e-3 * max(1, abs(both)), "\(row)")
            if let k = Double(row[8]), abs(k - rf) > 1e-9 { kriged += 1 }
        }
        XCTAssertGreaterThan(kriged, study.count / 2, "kriging moves the forest's predictions")
        let md = try String(contentsOfFile: (folder as NSString).appendingPathComponent("study.md"), encoding: .utf8)
        XCTAssertTrue(md.contains("rf+rk: 18 residual variograms fitted (fold x depth)"), md)
        XCTAssertTrue(md.contains("| rf+rk | rf | residuals of rf kriged (8 neighbours) |"), md)
        XCTAssertTrue(md.contains("| both | combined | transfer + rf, equal weights |"), md)
    }

    /// kill -9 in the middle of a study: the rerun keeps the units saved before the kill, trains the
    /// rest, and its results are the same bytes as an uninterrupted study's.
    func testKilledStudy_continuesAndGivesTheSameBytes() throws {
        let p = try project()
        // Slower units (more epochs) so the kill lands between the first unit and the last.
        try p.edit("study.yaml") { "train: {epochs: 40, fine_tune_epochs: 30, patience: 40}\n" + $0 }
        let whole = try CLI.run(["study", p.pipeline, p.folder.file("study.yaml"), "-q"])
        XCTAssertEqual(whole.status, 0, whole.stderr)
        let expected = try Data(contentsOf: URL(fileURLWithPath: p.folder.file("out-study/study.csv")))
        let predictions = try Data(contentsOf: URL(fileURLWithPath: p.folder.file("out-study/predictions.csv")))
        try FileManager.default.removeItem(atPath: p.folder.file("out-study"))
        let running = try CLI.start(["study", p.pipeline, p.folder.file("study.yaml"), "-q"])
        let units = p.folder.file("out-study/.socmap/units")
        func saved() -> Int {
            ((try? FileManager.default.contentsOfDirectory(atPath: units)) ?? []).filter { $0.hasPrefix("cv_") }.count
        }
        let deadline = Date().addingTimeInterval(120)
        while saved() < 2 && Date() < deadline { usleep(2_000) }
        kill(running.process.processIdentifier, SIGKILL)
        _ = try? running.wait()
        let before = saved()
        XCTAssertTrue(before >= 2 && before < 12, "killed after \(before) of 12 units")
        XCTAssertFalse(FileManager.default.fileExists(atPath: p.folder.file("out-study/study.csv")))
        let again = try CLI.run(["study", p.pipeline, p.folder.file("study.yaml"), "-q"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stdout.contains("\(12 - before) units trained, \(before) reused"), again.stdout)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: p.folder.file("out-study/study.csv"))), expected)
        XCTAssertEqual(
            try Data(contentsOf: URL(fileURLWithPath: p.folder.file("out-study/predictions.csv"))), predictions)
    }

    /// The study's own `train` keys apply to every variant, and `split: samples` deals samples.
    func testStudy_commonTrainKeysAndSampleSplitApplyToEveryVariant() throws {
        let p = try project()
        try #"{"models": {"rf": {"0-5": {"RMSE": 2.0, "R2": 0.1}, "all": {"RMSE": 4.0}}}}"#
            .write(toFile: p.folder.file("reference.json"), atomically: true, encoding: .utf8)
        try
            ("train: {epochs: 2}\nsplit: samples\nreference: reference.json\n"
            + Self.variants.replacingOccurrences(of: "  transfer-seed9: {model: transfer, seed: 9}\n", with: ""))
            .write(toFile: p.folder.file("study.yaml"), atomically: true, encoding: .utf8)
        let r = try CLI.run(["study", p.pipeline, p.folder.file("study.yaml"), "-q"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let md = try String(contentsOfFile: p.folder.file("out-study/study.md"), encoding: .utf8)
        XCTAssertTrue(md.contains("Every variant: epochs: 2, split: samples"), md)
        XCTAssertTrue(md.contains("folds of randomly dealt samples"), md)
        // The reference's rf scores beside the study's rf: RMSE ours / theirs (change %), "–" where it has none.
        let csv = try rows(p.folder.file("out-study/study.csv"))
        let rf05 = Double(csv.first { $0[0] == "rf" && $0[1] == "0-5cm" }![5])!
        let line = try XCTUnwrap(
            md.split(separator: "\n").first { $0.hasPrefix("| rf | ") && $0.contains(" / 2.") }, md)
        XCTAssertTrue(
            line.contains(String(format: "(%@%.1f %%)", rf05 >= 2 ? "+" : "", (rf05 / 2 - 1) * 100)), String(line))
        XCTAssertTrue(line.contains("| – |"), String(line))
        XCTAssertTrue(md.contains("## Against the reference (reference.json)"), md)
        let json = try XCTUnwrap(
            JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: p.folder.file("out-study/study.json")))) as? [String: Any])
        let variants = try XCTUnwrap(json["variants"] as? [[String: Any]])
        XCTAssertEqual(variants.map { $0["name"] as? String }, ["rf", "transfer", "transfer-F0"])
        let study = try rows(p.folder.file("out-study/predictions.csv"))
        var foldsOfSite: [String: Set<String>] = [:]
        for row in study.dropFirst() { foldsOfSite[row[0], default: []].insert(row[2]) }
        XCTAssertTrue(foldsOfSite.values.contains { $0.count > 1 }, "a site's depths in several folds")
    }

    func testStudy_badInputNamesTheKeyAndWritesNothing() throws {
        let p = try project()
        let cases: [(String, String, String)] = [
            (
                "transfer-F0: {model: transfer, train: {freeze: 0, fine_tune_epochs: 3}}",
                "transfer-F0: {model: transfer, train: {freez: 0}}", "freez"
            ),
            ("transfer: {}", "transfer: {model: transformer}", "'transformer' is not a model"),
            ("transfer: {}", "transfer: {train: {models: [cnn]}}", "give it as 'transfer.model'"),
            ("bootstrap: 300", "bootstrap: 300\nbaselines: [forest]", "'forest' is not a variant"),
            ("bootstrap: 300", "bootstrap: 300\noutput: out", "not the pipeline's output folder"),
            ("bootstrap: 300", "bootstrap: 300\nreference: missing.json", "cannot read the reference scores")
        ]
        for (old, new, expected) in cases {
            try Self.variants.replacingOccurrences(of: old, with: new).write(
                toFile: p.folder.file("study.yaml"), atomically: true, encoding: .utf8)
            let r = try CLI.run(["study", p.pipeline, p.folder.file("study.yaml"), "-q"])
            XCTAssertNotEqual(r.status, 0, new)
            XCTAssertTrue(r.stderr.contains(expected) && r.stderr.contains("study.yaml"), "\(new): \(r.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: p.folder.file("out-study")), new)
        }
        // A folder the study did not make is never written into.
        try FileManager.default.createDirectory(atPath: p.folder.file("out-study"), withIntermediateDirectories: true)
        try "mine".write(toFile: p.folder.file("out-study/notes.txt"), atomically: true, encoding: .utf8)
        try Self.variants.write(toFile: p.folder.file("study.yaml"), atomically: true, encoding: .utf8)
        let r = try CLI.run(["study", p.pipeline, p.folder.file("study.yaml"), "-q"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("holds files a study did not write"), r.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: p.folder.file("out-study")), ["notes.txt"])
    }
}
