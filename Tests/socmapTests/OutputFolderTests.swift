import Foundation
import TestSupport
import XCTest

/// The run owns its output folder: plain output names, nothing outside the outputs touched,
/// --overwrite replaces the whole earlier set, one run at a time, signals and kills leave the
/// earlier outputs intact and nothing half-written.
final class OutputFolderTests: XCTestCase {
    /// Training that never ends by itself (the tests stop it).
    static let endlessTraining = """
        train:
          models: [cnn]
          network: {conv_widths: [4, 8, 8], fc_widths: [8, 8, 4], pool: 1}
          epochs: 100000
          patience: 100000
          batch_size: 16

        """

    static let quickTraining = """
        train:
          models: [transfer, rf]
          network: {conv_widths: [4, 8, 8], fc_widths: [8, 8, 4], pool: 1}
          epochs: 2
          fine_tune_epochs: 1
          patience: 2
          batch_size: 16
          forest: {trees: 5, tuning_trees: 5, max_features: [3], min_samples_leaf: [2]}
        predict:
          model: transfer
          tile_size: 16
          uncertainty: true
          cv_spread: true
        evaluate:
          folds: 3

        """

    /// Runs socmap expecting failure; checks the message and that nothing in the project changed.
    func assertRefused(
        _ p: TinyProject, _ arguments: [String], _ fragments: [String],
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let before = FolderSnapshot(p.folder.path)
        let r = try CLI.run(arguments)
        XCTAssertEqual(r.status, 1, "expected failure; stdout: \(r.stdout) stderr: \(r.stderr)", file: file, line: line)
        XCTAssertTrue(r.stderr.hasPrefix("error: "), r.stderr, file: file, line: line)
        for f in fragments {
            XCTAssertTrue(r.stderr.contains(f), "stderr lacks '\(f)': \(r.stderr)", file: file, line: line)
        }
        XCTAssertEqual(
            FolderSnapshot(p.folder.path).changes(since: before), [], "nothing may change", file: file, line: line)
    }

    func testPatchFileNames_mustBePlainNamesInsideTheOutputFolder() throws {
        let cases: [(String, String)] = [
            ("\"..\"", "is a folder, not a file name"), ("\"\"", "is empty"), ("../sites.csv", "folder separator"),
            ("report.md", "another output of the run"), ("maps", "another output of the run"),
            (".hidden", "starts with '.'"),
            ("sub/patches.socp", "folder separator")
        ]
        for (name, fragment) in cases {
            let p = try TinyProject()
            try p.editPipeline("  size: 7\n", "  size: 7\n  file: \(name)\n")
            try assertRefused(p, ["validate", p.pipeline], ["patches.file", fragment])
            try assertRefused(p, ["run", p.pipeline, "-q"], ["patches.file", fragment])
            try assertRefused(p, ["run", p.pipeline, "-q", "--overwrite"], ["patches.file", fragment])
        }
    }

    func testMapBaseName_mustBePlain() throws {
        let p = try TinyProject()
        try p.editPipeline(
            "  size: 7\n",
            "  size: 7\n"
                + Self.quickTraining.replacingOccurrences(
                    of: "  model: transfer\n", with: "  model: transfer\n  name: ../soc\n"))
        try assertRefused(p, ["validate", p.pipeline], ["predict.name", "folder separator"])
    }

    func testFilesTheRunDidNotWrite_areNeverTouched() throws {
        let p = try TinyProject()
        try FileManager.default.createDirectory(atPath: p.output, withIntermediateDirectories: true)
        try "my notes".write(toFile: p.folder.file("out/notes.txt"), atomically: true, encoding: .utf8)
        let before = FolderSnapshot(p.folder.path, excluding: ["out"])
        XCTAssertEqual(try CLI.run(["run", p.pipeline, "-q"]).status, 0)
        XCTAssertEqual(try CLI.run(["run", p.pipeline, "-q", "--overwrite"]).status, 0)
        XCTAssertEqual(try String(contentsOfFile: p.folder.file("out/notes.txt"), encoding: .utf8), "my notes")
        XCTAssertEqual(FolderSnapshot(p.folder.path, excluding: ["out"]).changes(since: before), [])
        // A file of the user's where the run would write is refused, even with --overwrite.
        let q = try TinyProject()
        try FileManager.default.createDirectory(atPath: q.output, withIntermediateDirectories: true)
        try "mine".write(toFile: q.folder.file("out/report.md"), atomically: true, encoding: .utf8)
        try assertRefused(
            q, ["run", q.pipeline, "-q", "--overwrite"], ["'report.md'", "SOCMap did not write", "move it away"])
    }

    func testInputInsideTheOutputs_isRefused() throws {
        let p = try TinyProject()
        try FileManager.default.createDirectory(atPath: p.folder.file("out/maps"), withIntermediateDirectories: true)
        try FileManager.default.moveItem(
            atPath: p.folder.file("sites.csv"), toPath: p.folder.file("out/maps/sites.csv"))
        try p.editPipeline("file: sites.csv", "file: out/maps/sites.csv")
        try p.editPipeline("  size: 7\n", "  size: 7\n" + Self.quickTraining)
        try assertRefused(p, ["run", p.pipeline, "-q"], ["sites.file", "out/maps", "which the run writes and replaces"])
    }

    func testOutputThatIsAFile_isAClearError() throws {
        let p = try TinyProject()
        try "x".write(toFile: p.folder.file("taken"), atomically: true, encoding: .utf8)
        try p.editPipeline("output: out", "output: taken")
        try assertRefused(p, ["run", p.pipeline, "-q"], ["taken", "is not a folder", "'output'"])
        try assertRefused(p, ["validate", p.pipeline], ["taken", "is not a folder"])
        try p.editPipeline("output: taken", "output: taken/inside")
        try assertRefused(p, ["run", p.pipeline, "-q"], ["taken", "is a file, not a folder"])
        XCTAssertFalse(try CLI.run(["run", p.pipeline, "-q"]).stderr.contains("NSCocoaErrorDomain"))
    }

    /// --overwrite replaces the whole earlier set: fewer folds leave no old fold models, and a
    /// pipeline without train leaves no old models, evaluation or maps.
    func testOverwrite_replacesTheWholeEarlierSet() throws {
        let p = try TinyProject()
        try p.editPipeline("  size: 7\n", "  size: 7\n" + Self.quickTraining)
        XCTAssertEqual(try CLI.run(["run", p.pipeline, "-q"]).status, 0)
        let folds = {
            try FileManager.default.contentsOfDirectory(atPath: p.folder.file("out/models/cv/transfer")).sorted()
        }
        XCTAssertEqual(try folds(), ["fold_01", "fold_02", "fold_03"])
        try p.editPipeline("  folds: 3\n", "  folds: 2\n")
        let second = try CLI.run(["run", p.pipeline, "-q", "--overwrite"])
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertEqual(try folds(), ["fold_01", "fold_02"], "no model of the earlier run's third fold")
        let rows = try String(contentsOfFile: p.folder.file("out/evaluation/metrics.csv"), encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let column = try XCTUnwrap(rows.first?.firstIndex(of: "folds"))
        XCTAssertEqual(Set(rows.dropFirst().map { $0[column] }), ["2"])
        // Without train, evaluate and predict: only the six basic outputs remain.
        try p.editPipeline(
            "  size: 7\n" + Self.quickTraining.replacingOccurrences(of: "folds: 3", with: "folds: 2"), "  size: 7\n")
        XCTAssertEqual(try CLI.run(["run", p.pipeline, "-q", "--overwrite"]).status, 0)
        let left = p.folder.contentsOf("out")
        XCTAssertEqual(
            left,
            [".socmap", "dropped_sites.csv", "patches.socp", "profiles.csv", "report.html", "report.json", "report.md"])
    }

    func testTwoRunsAtOnce_theSecondFailsNamingTheFirst() throws {
        let p = try TinyProject()
        try p.editPipeline("  size: 7\n", "  size: 7\n" + Self.endlessTraining)
        let first = try CLI.start(["run", p.pipeline, "-q"])
        defer { first.process.terminate() }
        try waitForStaging(p, pid: first.process.processIdentifier)
        let second = try CLI.run(["run", p.pipeline, "-q", "--overwrite"])
        XCTAssertEqual(second.status, 1)
        XCTAssertTrue(
            second.stderr.contains("is in use by socmap process \(first.process.processIdentifier)"), second.stderr)
        XCTAssertTrue(second.stderr.contains("socmap run \(p.pipeline) -q"), second.stderr)
        let predict = try CLI.run(["predict", p.pipeline, "-q"])
        XCTAssertEqual(predict.status, 1)
        XCTAssertTrue(predict.stderr.contains("is in use"), predict.stderr)
        first.process.terminate()
        let r = try first.wait()
        XCTAssertEqual(r.status, 143, r.stderr)
    }

    func testSIGINTAndSIGTERM_leaveTheEarlierOutputsAndNoStaging() throws {
        for (signal, status) in [(SIGINT, Int32(130)), (SIGTERM, Int32(143))] {
            let p = try TinyProject()
            XCTAssertEqual(try CLI.run(["run", p.pipeline, "-q"]).status, 0)
            let earlier = FolderSnapshot(p.output, excluding: [".socmap"])
            try p.editPipeline("  size: 7\n", "  size: 7\n" + Self.endlessTraining)
            let run = try CLI.start(["run", p.pipeline, "-q", "--overwrite"])
            try waitForStaging(p, pid: run.process.processIdentifier)
            kill(run.process.processIdentifier, signal)
            let r = try run.wait()
            XCTAssertEqual(r.status, status, r.stderr)
            XCTAssertTrue(r.stderr.contains("unfinished outputs removed"), r.stderr)
            XCTAssertEqual(FolderSnapshot(p.output, excluding: [".socmap"]).changes(since: earlier), [])
            XCTAssertEqual(
                p.folder.contentsOf("out/.socmap").filter { $0.hasPrefix("staging") || $0.hasPrefix("owner") }, [])
        }
    }

    func testSIGKILL_leavesTheEarlierOutputs_andTheNextRunClearsAndReports() throws {
        let p = try TinyProject()
        XCTAssertEqual(try CLI.run(["run", p.pipeline, "-q"]).status, 0)
        let earlier = FolderSnapshot(p.output, excluding: [".socmap"])
        try p.editPipeline("  size: 7\n", "  size: 7\n" + Self.endlessTraining)
        let run = try CLI.start(["run", p.pipeline, "-q", "--overwrite"])
        let pid = run.process.processIdentifier
        try waitForStaging(p, pid: pid)
        kill(pid, SIGKILL)
        _ = try run.wait()
        XCTAssertEqual(FolderSnapshot(p.output, excluding: [".socmap"]).changes(since: earlier), [])
        XCTAssertTrue(p.folder.contentsOf("out/.socmap").contains("staging.\(pid)"))
        try p.editPipeline("  size: 7\n" + Self.endlessTraining, "  size: 7\n")
        let next = try CLI.run(["run", p.pipeline, "--overwrite"])
        XCTAssertEqual(next.status, 0, next.stderr)
        XCTAssertTrue(
            next.stderr.contains("removed the unfinished outputs of an interrupted run (process \(pid)"), next.stderr)
        let report = try String(contentsOfFile: p.folder.file("out/report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("interrupted run (process \(pid)"), report)
        XCTAssertEqual(
            p.folder.contentsOf("out/.socmap").filter {
                !["lock", "outputs.json", "stack-statistics.json"].contains($0)
            }, [])
        let hidden = (FileManager.default.enumerator(atPath: p.output)?.allObjects as? [String] ?? []).filter {
            $0.contains(".partial")
        }
        XCTAssertEqual(hidden, [])
    }

    /// A pipeline file with the pool under `patches` (before it moved to `train.network`) still
    /// validates and runs, with a note; giving both is refused naming both keys.
    func testDeprecatedPatchesPool_loadsWithANote_andBothKeysAreRefused() throws {
        let p = try TinyProject()
        try p.editPipeline(
            "  size: 7\n",
            "  size: 7\n  pool: 1\n" + Self.quickTraining.replacingOccurrences(of: ", pool: 1}", with: "}"))
        let valid = try CLI.run(["validate", p.pipeline])
        XCTAssertEqual(valid.status, 0, valid.stderr)
        XCTAssertTrue(valid.stderr.contains("note: \(p.pipeline):"), valid.stderr)
        XCTAssertTrue(valid.stderr.contains("key 'patches.pool': deprecated"), valid.stderr)
        XCTAssertTrue(valid.stdout.contains("pool 1 and kernel 3 make a network"), valid.stdout)
        try p.editPipeline("fc_widths: [8, 8, 4]}", "fc_widths: [8, 8, 4], pool: 1}")
        try assertRefused(p, ["validate", p.pipeline], ["train.network.pool", "'patches.pool' (line"])
    }

    func testNetworkGeometry_isValidatedNamingTheKeys() throws {
        let p = try TinyProject()
        try p.editPipeline("  size: 7\n", "  size: 13\ntrain:\n  network: {kernel_size: 5, pool: 3}\n")
        try assertRefused(
            p, ["validate", p.pipeline], ["patches.size 13", "train.network.pool 3", "train.network.kernel_size 5"])
        try p.editPipeline("  size: 13\n", "  size: 23\n")
        let valid = try CLI.run(["validate", p.pipeline])
        XCTAssertEqual(valid.status, 0, valid.stderr)
        try p.editPipeline("  size: 23\n", "  size: 10001\n")
        try assertRefused(p, ["validate", p.pipeline], ["patches.size", "between 3 and 255"])
    }

    func testGridResolutionThatCannotBeARaster_isRefused() throws {
        for resolution in ["1e-300", "0.000001"] {
            let p = try TinyProject()
            try p.editPipeline(
                "grid: {raster: covs/elev.tif}",
                "grid: {crs: EPSG:28355, resolution: \(resolution), extent: [750000, 6647000, 754000, 6650000]}")
            try assertRefused(
                p, ["validate", p.pipeline], ["covariates.grid.resolution", "more than a raster can hold"])
            try assertRefused(p, ["run", p.pipeline, "-q"], ["covariates.grid.resolution"])
        }
    }

    func testDuplicateYAMLKey_pointsAtTheDuplicate() throws {
        let p = try TinyProject()
        try p.editPipeline("seed: 7\n", "seed: 7\nname: again\n")
        try assertRefused(
            p, ["validate", p.pipeline], ["pipeline.yaml:3:1", "key 'name' appears twice (first at line 1)"])
    }

    /// Waits until the run has made its staging folder (it is past its checks and writing).
    func waitForStaging(_ p: TinyProject, pid: Int32, timeout: TimeInterval = 60) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if FileManager.default.fileExists(atPath: p.folder.file("out/.socmap/staging.\(pid)")) {
                Thread.sleep(forTimeInterval: 0.5)
                return
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        XCTFail("the run made no staging folder in \(timeout) s")
    }
}

extension TemporaryDirectory {
    /// Names in a sub-folder, sorted (empty when missing).
    func contentsOf(_ relative: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: file(relative))) ?? []).sorted()
    }
}
