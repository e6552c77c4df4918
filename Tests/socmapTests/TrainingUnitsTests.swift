import Foundation
import TestSupport
import XCTest

/// Training in saved units: a run killed at any point continues where it stopped, parts of a run
/// (`--part i/n`) and their merge give the bytes of a single process, and the parts' bad input is
/// refused with the command to run.
final class TrainingUnitsTests: XCTestCase {
    /// transfer and rf on 3 folds: 8 units. Pre-training and the forests are made slow enough
    /// (150 epochs, 300 trees on a tuning grid) for a kill to land inside them.
    static let training = """
        train:
          models: [transfer, rf]
          network: {conv_widths: [4, 8, 8], fc_widths: [8, 8, 4], pool: 1}
          epochs: 150
          fine_tune_epochs: 10
          patience: 150
          batch_size: 16
          forest: {trees: 300, tuning_trees: 100, max_features: [2, 3, 4], min_samples_leaf: [2, 4]}
        predict:
          model: transfer
          tile_size: 16
          uncertainty: true
          cv_spread: true
        evaluate:
          folds: 3

        """

    static let outputs = ["models", "evaluation", "maps"]

    func project() throws -> TinyProject {
        let p = try TinyProject()
        try p.editPipeline("  size: 7\n", "  size: 7\n" + Self.training)
        return p
    }

    /// The files of the outputs that must not depend on how the run was cut.
    func snapshot(_ p: TinyProject) -> [String: FolderSnapshot] {
        Dictionary(uniqueKeysWithValues: Self.outputs.map { ($0, FolderSnapshot(p.folder.file("out/\($0)"))) })
    }

    func assertSame(
        _ p: TinyProject, as reference: [String: FolderSnapshot], file: StaticString = #filePath, line: UInt = #line
    ) {
        for name in Self.outputs {
            let now = FolderSnapshot(p.folder.file("out/\(name)"))
            XCTAssertFalse(now.entries.isEmpty, name, file: file, line: line)
            XCTAssertEqual(now.changes(since: reference[name]!), [], name, file: file, line: line)
        }
    }

    func savedUnits(_ p: TinyProject) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: p.folder.file("out/.socmap/units"))) ?? [])
            .filter { !$0.hasPrefix(".") && !$0.hasSuffix(".json") }.sorted()
    }

    /// Starts `socmap run` and kills it with SIGKILL once `condition` holds for its stderr so far;
    /// returns that stderr.
    func runAndKill(_ p: TinyProject, when condition: @escaping (String) -> Bool) throws -> String {
        let running = try CLI.start(["run", p.pipeline])
        let lock = NSLock()
        nonisolated(unsafe) var text = ""
        running.err.fileHandleForReading.readabilityHandler = { h in
            let d = h.availableData
            lock.lock()
            text += String(decoding: d, as: UTF8.self)
            lock.unlock()
        }
        let deadline = Date().addingTimeInterval(300)
        func current() -> String {
            lock.lock()
            defer { lock.unlock() }
            return text
        }
        while !condition(current()) && running.process.isRunning && Date() < deadline { usleep(200) }
        XCTAssertTrue(running.process.isRunning, "the run ended before the kill: \(current())")
        kill(running.process.processIdentifier, SIGKILL)
        running.process.waitUntilExit()
        running.err.fileHandleForReading.readabilityHandler = nil
        XCTAssertEqual(running.process.terminationReason, .uncaughtSignal)
        return current()
    }

    /// kill -9 during a fold's pre-training, during a forest and between units: each rerun keeps the
    /// saved units, and the outputs are the bytes of an uninterrupted run.
    func testKilledRun_continuesWhereItStopped_andGivesTheSameBytes() throws {
        let p = try project()
        let whole = try CLI.run(["run", p.pipeline, "-q"])
        XCTAssertEqual(whole.status, 0, whole.stderr)
        let reference = snapshot(p)
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: p.folder.file("out/.socmap/units")),
            "units go once the outputs are published")
        try FileManager.default.removeItem(atPath: p.output)

        // 1. During the pre-training of fold 2's transfer model (units 1 and 2 saved).
        let first = try runAndKill(p) { $0.contains("unit 3/8: fold 2/3 transfer") }
        XCTAssertFalse(first.contains("fold 2/3 transfer pre-train"), "killed after the pre-training ended: \(first)")
        XCTAssertEqual(savedUnits(p), ["cv_fold01_rf", "cv_fold01_transfer"])

        // 2. During fold 2's forest.
        let second = try runAndKill(p) { $0.contains("unit 2/6: fold 2/3 rf") }
        XCTAssertTrue(
            second.contains("training: 2 of 8 units saved by an earlier run of this pipeline; 6 to train"), second)
        XCTAssertEqual(
            savedUnits(p), ["cv_fold01_rf", "cv_fold01_transfer", "cv_fold02_transfer"],
            "killed inside the forest: \(second)")

        // 3. Between units: as soon as fold 3's transfer unit is saved.
        _ = try runAndKill(p) { _ in self.savedUnits(p).contains("cv_fold03_transfer") }
        let saved = savedUnits(p).count
        XCTAssertTrue((5...6).contains(saved), "\(savedUnits(p))")

        let last = try CLI.run(["run", p.pipeline])
        XCTAssertEqual(last.status, 0, last.stderr)
        XCTAssertTrue(
            last.stderr.contains(
                "training: \(saved) of 8 units saved by an earlier run of this pipeline; \(8 - saved) to train"),
            last.stderr)
        assertSame(p, as: reference)
        let report = try String(contentsOfFile: p.folder.file("out/report.md"), encoding: .utf8)
        XCTAssertTrue(
            report.contains("\(saved) of 8 training units were saved by an earlier, interrupted run and reused"), report
        )
        XCTAssertFalse(FileManager.default.fileExists(atPath: p.folder.file("out/.socmap/units")))
    }

    /// Two parts at once, a merge without maps, two prediction shards and their merge (the Slurm
    /// flow of slurm/submit.sh) give the bytes of one `socmap run`.
    func testPartsAndMerges_giveTheSingleProcessBytes() throws {
        let p = try project()
        XCTAssertEqual(try CLI.run(["run", p.pipeline, "-q"]).status, 0)
        let reference = snapshot(p)
        try FileManager.default.removeItem(atPath: p.output)

        let parts = try (1...2).map { try CLI.start(["run", p.pipeline, "--part", "\($0)/2"]) }.map { try $0.wait() }
        for r in parts { XCTAssertEqual(r.status, 0, r.stderr) }
        XCTAssertTrue(parts[0].stdout.contains("Part 1/2: "), parts[0].stdout)
        XCTAssertTrue(parts[0].stdout.contains("socmap run \(p.pipeline) --merge"), parts[0].stdout)
        // Every unit trained once, by one part: the shares are disjoint and cover the run.
        let trained = parts.map { r in
            r.stdout.split(separator: "\n").first { $0.hasPrefix("Part ") }.map(String.init) ?? ""
        }
        let names = trained.flatMap { $0.components(separatedBy: " s: ").last!.components(separatedBy: ", ") }
        XCTAssertEqual(names.count, 8, "\(trained)")
        XCTAssertEqual(Set(names).count, 8, "\(trained)")
        XCTAssertEqual(savedUnits(p).count, 8)
        XCTAssertFalse(FileManager.default.fileExists(atPath: p.folder.file("out/models")), "parts publish nothing")

        let merged = try CLI.run(["run", p.pipeline, "--merge", "--no-maps"])
        XCTAssertEqual(merged.status, 0, merged.stderr)
        XCTAssertTrue(merged.stderr.contains("merge: every one of the 8 training units is saved"), merged.stderr)
        XCTAssertFalse(merged.stderr.contains("unit 1/"), "a merge trains nothing: \(merged.stderr)")
        XCTAssertTrue(merged.stdout.contains("Maps not made (--no-maps)"), merged.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: p.folder.file("out/maps")))
        let report = try String(contentsOfFile: p.folder.file("out/report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("not made by this run (`--no-maps`)"), report)

        let shards = try (1...2).map { try CLI.start(["predict", p.pipeline, "-q", "--shard", "\($0)/2"]) }.map {
            try $0.wait()
        }
        for r in shards { XCTAssertEqual(r.status, 0, r.stderr) }
        XCTAssertEqual(try CLI.run(["predict", p.pipeline, "-q", "--merge"]).status, 0)
        assertSame(p, as: reference)
    }

    /// --part outside 1...n, --part with --merge, a merge with a part missing or none run, and a
    /// part of another pipeline file: each refused with what to run, nothing published.
    func testBadParts_areRefusedWithTheCommandToRun() throws {
        let p = try project()
        try p.editPipeline("epochs: 150", "epochs: 3")
        try p.editPipeline("patience: 150", "patience: 3")
        for bad in ["0/3", "4/3", "3", "a/b", "1/0"] {
            let r = try CLI.run(["run", p.pipeline, "--part", bad])
            XCTAssertEqual(r.status, 64, bad)  // the argument parser reads "i/n" (a usage error)
            XCTAssertTrue(r.stderr.contains("--part <i/n>': '\(bad)' must be i/n with 1 <= i <= n"), r.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: p.output), "nothing written for \(bad)")
        }
        let both = try CLI.run(["run", p.pipeline, "--part", "1/2", "--merge"])
        XCTAssertNotEqual(both.status, 0)
        XCTAssertTrue(both.stderr.contains("--part and --merge exclude each other"), both.stderr)

        let none = try CLI.run(["run", p.pipeline, "--merge"])
        XCTAssertEqual(none.status, 1)
        XCTAssertTrue(none.stderr.contains("8 of 8 training units are not saved"), none.stderr)
        XCTAssertTrue(none.stderr.contains("No part has run"), none.stderr)

        XCTAssertEqual(try CLI.run(["run", p.pipeline, "-q", "--part", "1/2"]).status, 0)
        let missing = try CLI.run(["run", p.pipeline, "--merge"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("4 of 8 training units are not saved: "), missing.stderr)
        XCTAssertTrue(missing.stderr.contains("Rerun socmap run \(p.pipeline) --part 2/2"), missing.stderr)
        XCTAssertFalse(missing.stderr.contains("--part 1/2"), missing.stderr)
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: p.folder.file("out/models")), "a failed merge publishes nothing")

        // The second part with other models: refused, naming the first part's file.
        try p.editPipeline("models: [transfer, rf]", "models: [transfer, cnn, rf]")
        let other = try CLI.run(["run", p.pipeline, "--part", "2/2"])
        XCTAssertEqual(other.status, 1)
        XCTAssertTrue(other.stderr.contains("part 1/2 of this output folder ran the pipeline file"), other.stderr)
        XCTAssertTrue(
            other.stderr.contains("Every part of one run must use the same pipeline file and models"), other.stderr)
        let otherMerge = try CLI.run(["run", p.pipeline, "--merge"])
        XCTAssertEqual(otherMerge.status, 1)
        XCTAssertTrue(otherMerge.stderr.contains("part 1/2 ran the pipeline file"), otherMerge.stderr)

        // Back to the first file: the second part and the merge finish the run.
        try p.editPipeline("models: [transfer, cnn, rf]", "models: [transfer, rf]")
        XCTAssertEqual(try CLI.run(["run", p.pipeline, "-q", "--part", "2/2"]).status, 0)
        let merged = try CLI.run(["run", p.pipeline, "-q", "--merge"])
        XCTAssertEqual(merged.status, 0, merged.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: p.folder.file("out/maps")))
    }

    /// Six parts started at the same moment on a new output folder all take it (they race to make
    /// its control folder, as the tasks of a job array do) and together train every unit once.
    func testPartsStartedAtOnce_onANewFolder_allRun() throws {
        let p = try project()
        try p.editPipeline("epochs: 150", "epochs: 2")
        try p.editPipeline("patience: 150", "patience: 2")
        let parts = try (1...6).map { try CLI.start(["run", p.pipeline, "-q", "--part", "\($0)/6"]) }.map {
            try $0.wait()
        }
        for (i, r) in parts.enumerated() { XCTAssertEqual(r.status, 0, "part \(i + 1): \(r.stderr)") }
        XCTAssertEqual(savedUnits(p).count, 8)
        XCTAssertEqual(try CLI.run(["run", p.pipeline, "-q", "--merge"]).status, 0)
    }

    /// A plain run after parts of another pipeline file starts over, saying so.
    func testRunAfterPartsOfAnotherPipeline_discardsTheirUnits() throws {
        let p = try project()
        try p.editPipeline("epochs: 150", "epochs: 3")
        try p.editPipeline("patience: 150", "patience: 3")
        XCTAssertEqual(try CLI.run(["run", p.pipeline, "-q", "--part", "1/2"]).status, 0)
        try p.editPipeline("epochs: 3", "epochs: 4")
        let r = try CLI.run(["run", p.pipeline])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("saved by an earlier run of another pipeline file"), r.stderr)
        XCTAssertFalse(r.stderr.contains("units saved by an earlier run of this pipeline"), r.stderr)
    }
}
