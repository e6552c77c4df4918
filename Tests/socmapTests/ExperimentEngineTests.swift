import Foundation
import TestSupport
import XCTest

/// The experiment engine seen from its three clients: a study honours the pipeline's `select`, the
/// selection's fits are saved units (a killed selection continues, parts fit each unit once and the
/// merge refits none), a study shares its units out with `--part` and `--merge`, and a study folder
/// is locked like a run's output folder.
final class ExperimentEngineTests: XCTestCase {
    /// rf only, 3 folds: fast.
    static let training = EvaluateCommandTests.training
        .replacingOccurrences(of: "models: [transfer, cnn, mtcnn, rf]", with: "models: [rf]")
        .replacingOccurrences(of: "freeze_sweep: [0, 2]", with: "freeze_sweep: false")
    static let select = "select:\n  model: rf\n  group_size: 1\n  min_correlation: 0\n"

    func project(_ extra: String = "") throws -> TinyProject {
        let p = try TinyProject()
        try p.editPipeline("  size: 7\n", "  size: 7\n" + Self.training + extra)
        return p
    }

    func rows(_ path: String) throws -> [[String]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
            .map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    func read(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    /// Saved unit folders whose name contains `part` ("_select_": the selection's).
    func savedUnits(_ folder: String, containing part: String = "") -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { !$0.hasPrefix(".") && !$0.hasPrefix("part-") && $0.contains(part) }.sorted()
    }

    /// The lines "unit k/n: select ..." a process printed: the selection units it fitted.
    func selectionFits(_ stderr: String) -> [String] {
        stderr.split(separator: "\n").map(String.init).filter { $0.contains("unit ") && $0.contains(": select ") }
    }

    func testStudy_readsTheCovariatesThePipelinesSelectKeeps() throws {
        let p = try project(Self.select)
        try "variants:\n  rf: {}\n".write(toFile: p.folder.file("study.yaml"), atomically: true, encoding: .utf8)
        let study = try CLI.run(["study", p.pipeline, p.folder.file("study.yaml"), "-q"])
        XCTAssertEqual(study.status, 0, study.stderr)
        let md = try String(contentsOfFile: p.folder.file("out-study/study.md"), encoding: .utf8)
        XCTAssertTrue(md.contains("Every variant reads the covariates the pipeline's `select` kept"), md)
        XCTAssertTrue(FileManager.default.fileExists(atPath: p.folder.file("out-study/selection/selection.md")))
        // The study's rf predictions are the run's, which reads only the selected covariates.
        XCTAssertEqual(try CLI.run(["run", p.pipeline, "-q"]).status, 0)
        let run = try rows(p.folder.file("out/evaluation/predictions.csv"))
        let studied = try rows(p.folder.file("out-study/predictions.csv"))
        let runRF = try XCTUnwrap(run[0].firstIndex(of: "rf"))
        let studyRF = try XCTUnwrap(studied[0].firstIndex(of: "rf"))
        XCTAssertEqual(run.count, studied.count)
        for (a, b) in zip(run.dropFirst(), studied.dropFirst()) {
            XCTAssertEqual(a[runRF], b[studyRF], "\(a[0]) \(a[1])")
        }
        // The control: without `select` the study's rf reads every covariate, and predicts otherwise.
        try p.editPipeline(Self.select, "")
        let all = try CLI.run(["study", p.pipeline, p.folder.file("study.yaml"), "-q"])
        XCTAssertEqual(all.status, 0, all.stderr)
        let unselected = try rows(p.folder.file("out-study/predictions.csv"))
        XCTAssertNotEqual(unselected.dropFirst().map { $0[studyRF] }, studied.dropFirst().map { $0[studyRF] })
    }

    func testSelection_continuesAfterAKill_andItsUnitsGoWithThePublishedRun() throws {
        let p = try project(Self.select + "  per_fold: true\n")
        let whole = try CLI.run(["run", p.pipeline, "-q"])
        XCTAssertEqual(whole.status, 0, whole.stderr)
        let table = try read(p.folder.file("out/selection/selection.csv"))
        let metrics = try read(p.folder.file("out/evaluation/metrics.json"))
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: p.folder.file("out/.socmap/units")),
            "units go once the outputs are published")
        try FileManager.default.removeItem(atPath: p.output)

        // Killed once the selection's third unit starts: two are saved, and the rerun keeps them.
        let running = try CLI.start(["run", p.pipeline])
        let lock = NSLock()
        nonisolated(unsafe) var text = ""
        running.err.fileHandleForReading.readabilityHandler = { h in
            let d = h.availableData
            lock.lock()
            text += String(decoding: d, as: UTF8.self)
            lock.unlock()
        }
        func current() -> String {
            lock.lock()
            defer { lock.unlock() }
            return text
        }
        let deadline = Date().addingTimeInterval(120)
        while !current().contains("unit 3/") && running.process.isRunning && Date() < deadline { usleep(200) }
        XCTAssertTrue(running.process.isRunning, current())
        kill(running.process.processIdentifier, SIGKILL)
        running.process.waitUntilExit()
        running.err.fileHandleForReading.readabilityHandler = nil
        let units = p.folder.file("out/.socmap/units")
        let saved = savedUnits(units, containing: "_select_").count
        XCTAssertEqual(saved, 2, "\(savedUnits(units))")
        let again = try CLI.run(["run", p.pipeline])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stderr.contains("training: 2 of "), again.stderr)
        XCTAssertEqual(try read(p.folder.file("out/selection/selection.csv")), table)
        XCTAssertEqual(try read(p.folder.file("out/evaluation/metrics.json")), metrics)
    }

    func testSelectionInParts_eachUnitFittedOnce_andTheMergeFitsNone() throws {
        let p = try project(Self.select + "  per_fold: true\n")
        XCTAssertEqual(try CLI.run(["run", p.pipeline, "-q"]).status, 0)
        let table = try read(p.folder.file("out/selection/selection.csv"))
        let metrics = try read(p.folder.file("out/evaluation/metrics.json"))
        try FileManager.default.removeItem(atPath: p.output)

        let parts = try (1...2).map { try CLI.start(["run", p.pipeline, "--part", "\($0)/2"]) }.map { try $0.wait() }
        for r in parts { XCTAssertEqual(r.status, 0, r.stderr) }
        let units = p.folder.file("out/.socmap/units")
        let selectionUnits = savedUnits(units, containing: "_select_")
        XCTAssertGreaterThan(selectionUnits.count, 9)
        // Between them the parts fitted every selection unit once.
        let fits = parts.flatMap { selectionFits($0.stderr) }
        XCTAssertEqual(fits.count, selectionUnits.count, fits.joined(separator: "\n"))
        let merged = try CLI.run(["run", p.pipeline, "--merge"])
        XCTAssertEqual(merged.status, 0, merged.stderr)
        XCTAssertEqual(selectionFits(merged.stderr), [], "the merge fits no selection unit")
        XCTAssertFalse(merged.stderr.contains("unit 1/"), merged.stderr)
        XCTAssertEqual(try read(p.folder.file("out/selection/selection.csv")), table)
        XCTAssertEqual(try read(p.folder.file("out/evaluation/metrics.json")), metrics)
    }

    func testStudyParts_andMerge_giveTheSingleProcessStudy() throws {
        let p = try project()
        let study = """
            variants:
              rf: {}
              rf-leaf: {model: rf, train: {forest: {min_samples_leaf: [3]}}}
              rf-seed: {model: rf, seed: 7}\n
            """
        try study.write(toFile: p.folder.file("study.yaml"), atomically: true, encoding: .utf8)
        let single = try CLI.run(["study", p.pipeline, p.folder.file("study.yaml"), "-q"])
        XCTAssertEqual(single.status, 0, single.stderr)
        let expected = try ["study.csv", "predictions.csv"].map { try read(p.folder.file("out-study/\($0)")) }
        try FileManager.default.removeItem(atPath: p.folder.file("out-study"))

        // A merge before any part names what to run.
        let early = try CLI.run(["study", p.pipeline, p.folder.file("study.yaml"), "--merge"])
        XCTAssertEqual(early.status, 1)
        XCTAssertTrue(early.stderr.contains("9 of 9 training units are not saved"), early.stderr)
        XCTAssertTrue(early.stderr.contains("No part has run"), early.stderr)
        XCTAssertEqual(try CLI.run(["study", p.pipeline, p.folder.file("study.yaml"), "-q", "--part", "1/2"]).status, 0)
        let missing = try CLI.run(["study", p.pipeline, p.folder.file("study.yaml"), "--merge"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("--part 2/2"), missing.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: p.folder.file("out-study/study.csv")))

        let second = try CLI.run(["study", p.pipeline, p.folder.file("study.yaml"), "--part", "2/2"])
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertTrue(second.stdout.contains("Part 2/2: "), second.stdout)
        let merged = try CLI.run(["study", p.pipeline, p.folder.file("study.yaml"), "-q", "--merge"])
        XCTAssertEqual(merged.status, 0, merged.stderr)
        XCTAssertTrue(merged.stdout.contains("0 units trained, 9 reused"), merged.stdout)
        XCTAssertEqual(
            try ["study.csv", "predictions.csv"].map { try read(p.folder.file("out-study/\($0)")) }, expected)
    }

    func testStudyFolder_isLockedWhileAStudyRuns() throws {
        let p = try project()
        try p.editPipeline("forest: {trees: 20, tuning_trees: 10", "forest: {trees: 400, tuning_trees: 200")
        try "variants:\n  rf: {}\n  rf-seed: {model: rf, seed: 7}\n".write(
            toFile: p.folder.file("study.yaml"), atomically: true, encoding: .utf8)
        let first = try CLI.start(["study", p.pipeline, p.folder.file("study.yaml"), "-q"])
        let units = p.folder.file("out-study/.socmap/units")
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: units) && first.process.isRunning && Date() < deadline {
            usleep(500)
        }
        // The first study holds the folder from before its units folder exists until it ends: stopped
        // here, it cannot finish (and let go) while the second one starts, however loaded the machine.
        kill(first.process.processIdentifier, SIGSTOP)
        defer { kill(first.process.processIdentifier, SIGCONT) }
        XCTAssertTrue(first.process.isRunning, "the first study ended before the second started")
        let second = try CLI.run(["study", p.pipeline, p.folder.file("study.yaml"), "-q"])
        XCTAssertEqual(second.status, 1)
        XCTAssertTrue(second.stderr.contains("is in use by"), second.stderr)
        kill(first.process.processIdentifier, SIGCONT)
        XCTAssertEqual(try first.wait().status, 0)
    }
}
