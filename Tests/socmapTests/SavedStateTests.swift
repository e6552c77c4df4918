import Foundation
import TestSupport
import XCTest

/// Saved state a later process trusts, damaged in place after a small real run: the saved models
/// (`models/`, each folder with its `SHA256SUMS`) and the covariate statistics cache.
final class SavedStateTests: XCTestCase {
    func mapBytes(_ p: TinyProject) -> [Data?] {
        DepthIntervalLabels.all.flatMap { depth in
            ["soc_\(depth)", "soc_\(depth)_cv_sd"].map {
                FileManager.default.contents(atPath: p.folder.file("out/maps/\($0).tif"))
            }
        }
    }

    /// Whether `sha256sum -c` accepts the checksum list of `folder`.
    func sha256sumAccepts(_ folder: String) -> Bool {
        runTool("sh", ["-c", "cd '\(folder)' && sha256sum -c --quiet SHA256SUMS >/dev/null 2>&1 && echo ok"]) == "ok\n"
    }

    func testDamagedSavedModels_areNeverMapped_theErrorNamesTheFile_andRetrainingOrRestoringLeadsOut() throws {
        let p = try TinyProject()
        let sections = PredictCommandTests.sections.replacingOccurrences(
            of: "  keep_tiles: false\n",
            with: "  keep_tiles: false\n  uncertainty: true\n  cv_spread: true\nevaluate:\n  folds: 3\n")
        try p.editPipeline("  size: 7\n", "  size: 7\n" + sections)
        let run = try CLI.run(["run", p.pipeline, "-q"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let transfer = p.folder.file("out/models/transfer")
        let fold = p.folder.file("out/models/cv/transfer/fold_02")
        // Every saved model folder carries its checksum list, which sha256sum -c accepts.
        for folder in [transfer, p.folder.file("out/models/rf"), fold] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/SHA256SUMS"), folder)
            XCTAssertTrue(sha256sumAccepts(folder), folder)
        }
        let reference = mapBytes(p)
        XCTAssertFalse(reference.contains(nil))
        let backup = p.folder.file("backup-models")
        try FileManager.default.copyItem(atPath: p.folder.file("out/models"), toPath: backup)

        /// `socmap predict` refuses: non-zero, naming the folder and `file`, the advice given, no map changed.
        func assertRefused(_ folder: String, _ reason: String, _ what: String) throws {
            let r = try CLI.run(["predict", p.pipeline, "-q", "--overwrite"])
            XCTAssertNotEqual(r.status, 0, "\(what): mapped from a damaged model: \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("'\(folder)'"), "\(what): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("the saved model is damaged (\(reason))"), "\(what): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("`socmap run \(p.pipeline) --overwrite`"), "\(what): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("restore the folder '\(folder)' from a backup"), "\(what): \(r.stderr)")
            XCTAssertTrue(FileManager.default.fileExists(atPath: folder), "\(what): the named folder stays")
            XCTAssertEqual(mapBytes(p), reference, "\(what): no map built from the damaged model")
        }
        /// Following the advice: `socmap run ... --overwrite` (or the backup), then `socmap predict` maps the
        /// run's bytes again.
        func assertRestored(_ what: String, retrain: Bool) throws {
            if retrain {
                let again = try CLI.run(["run", p.pipeline, "-q", "--overwrite"])
                XCTAssertEqual(again.status, 0, "\(what): \(again.stderr)")
                XCTAssertEqual(mapBytes(p), reference, "\(what): the run's maps")
            } else {
                try FileManager.default.removeItem(atPath: p.folder.file("out/models"))
                try FileManager.default.copyItem(atPath: backup, toPath: p.folder.file("out/models"))
            }
            let predicted = try CLI.run(["predict", p.pipeline, "-q", "--overwrite"])
            XCTAssertEqual(predicted.status, 0, "\(what): \(predicted.stderr)")
            XCTAssertEqual(mapBytes(p), reference, "\(what): the maps of the intact model")
        }

        // Network weights garbled in place (same size): the maps were 1e36 g/kg before checksums.
        try Damage.flipByte(transfer + "/pretrained.safetensors") { $0 / 2 }
        try assertRefused(transfer, "pretrained.safetensors does not match its checksum", "flipped weights")
        try assertRestored("flipped weights", retrain: true)
        // model.json truncated.
        try Damage.truncate(transfer + "/model.json")
        try assertRefused(transfer, "model.json does not match its checksum", "truncated model.json")
        try assertRestored("truncated model.json", retrain: false)
        // A file missing, and the checksum list missing.
        try FileManager.default.removeItem(atPath: transfer + "/pretrained.safetensors")
        try assertRefused(transfer, "pretrained.safetensors is missing", "missing weights")
        try assertRestored("missing weights", retrain: false)
        try FileManager.default.removeItem(atPath: transfer + "/SHA256SUMS")
        try assertRefused(transfer, "SHA256SUMS is missing or unreadable", "no checksum list")
        try assertRestored("no checksum list", retrain: true)
        // A fold model of the CV spread, a byte flipped in its weights.
        let weights = try XCTUnwrap(
            try FileManager.default.contentsOfDirectory(atPath: fold).sorted().first { $0.hasSuffix(".safetensors") })
        try Damage.flipByte(fold + "/" + weights) { $0 - 5 }
        try assertRefused(fold, "\(weights) does not match its checksum", "flipped fold weights")
        try assertRestored("flipped fold weights", retrain: true)
    }

    func testEditedOrTruncatedStatisticsCache_isNotUsed_saidSo_recomputedAndReplaced() throws {
        let p = try TinyProject()
        try p.editPipeline("  size: 7\n", "  size: 7\n" + PredictCommandTests.sections)
        XCTAssertEqual(try CLI.run(["run", p.pipeline, "-q"]).status, 0)
        let cache = p.folder.file("out/.socmap/stack-statistics.json")
        let saved = try XCTUnwrap(FileManager.default.contents(atPath: cache))
        let maps = DepthIntervalLabels.all.map {
            FileManager.default.contents(atPath: p.folder.file("out/maps/soc_\($0).tif"))
        }
        let text = String(decoding: saved, as: UTF8.self)
        // An edited number (same size): a covariate's minimum.
        let digit = try XCTUnwrap(text.range(of: "\"minimum\" : ")).upperBound.utf16Offset(in: text)
        try Damage.flipByte(cache) { _ in digit }
        let note = "covariate statistics: '\(cache)' is not used"
        let edited = try CLI.run(["predict", p.pipeline, "--overwrite"])
        XCTAssertEqual(edited.status, 0, edited.stderr)
        XCTAssertTrue(
            edited.stderr.contains(note + " (its statistics do not match their checksum); computing them again"),
            edited.stderr)
        XCTAssertFalse(edited.stderr.contains("reused from"), edited.stderr)
        XCTAssertEqual(FileManager.default.contents(atPath: cache), saved, "the recomputed cache replaces it")
        for (depth, data) in zip(DepthIntervalLabels.all, maps) {
            XCTAssertEqual(
                FileManager.default.contents(atPath: p.folder.file("out/maps/soc_\(depth).tif")), data, depth)
        }
        // Truncated: the run trains with recomputed statistics, the same models.
        let modelJSON = FileManager.default.contents(atPath: p.folder.file("out/models/transfer/model.json"))
        try Damage.truncate(cache)
        let truncated = try CLI.run(["run", p.pipeline, "--overwrite"])
        XCTAssertEqual(truncated.status, 0, truncated.stderr)
        XCTAssertTrue(
            truncated.stderr.contains(note + " (it is not a statistics file of this version"), truncated.stderr)
        XCTAssertEqual(FileManager.default.contents(atPath: cache), saved)
        XCTAssertEqual(FileManager.default.contents(atPath: p.folder.file("out/models/transfer/model.json")), modelJSON)
        // The replaced cache is trusted again.
        let again = try CLI.run(["predict", p.pipeline, "--overwrite"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stderr.contains("covariate statistics: reused from \(cache)"), again.stderr)
    }
}
