import Foundation
import TestSupport
import XCTest

/// `--threads` and `--blas-kernel`: listed in the help of the commands that compute, checked
/// before anything runs, and applied to the network engine and the forest.
final class RuntimeOptionsTests: XCTestCase {
    func testHelp_ofRunPredictAndBench_listsTheRuntimeOptions() throws {
        for command in ["run", "predict", "bench"] {
            let r = try CLI.run([command, "--help"])
            XCTAssertEqual(r.status, 0, r.stderr)
            for fragment in ["--threads <threads>", "SOCMAP_NN_THREADS", "--blas-kernel <blas-kernel>", "values: auto"]
            {
                XCTAssertTrue(r.stdout.contains(fragment), "\(command) --help lacks '\(fragment)': \(r.stdout)")
            }
        }
    }

    func testBadValues_areRefusedBeforeMeasuring() throws {
        let zero = try CLI.run(["bench", "nn", "--threads", "0"])
        XCTAssertNotEqual(zero.status, 0)
        XCTAssertTrue(zero.stderr.contains("--threads must be between 1 and 1024, got 0"), zero.stderr)
        XCTAssertEqual(zero.stdout, "")
        let many = try CLI.run(["run", "pipeline.yaml", "--threads", "100000"])
        XCTAssertNotEqual(many.status, 0)
        XCTAssertTrue(many.stderr.contains("--threads must be between 1 and 1024, got 100000"), many.stderr)
        XCTAssertTrue(many.stderr.contains("processors"), many.stderr)
        let kernel = try CLI.run(["bench", "nn", "--blas-kernel", "fast"])
        XCTAssertNotEqual(kernel.status, 0)
        XCTAssertTrue(kernel.stderr.contains("auto") && kernel.stderr.contains("openblas"), kernel.stderr)
        XCTAssertEqual(kernel.stdout, "")
    }

    /// The option reaches the engine (its worker count) and wins over SOCMAP_NN_THREADS.
    func testThreadsOption_setsTheEnginesWorkers() throws {
        let r = try CLI.run(
            ["bench", "nn", "--seconds", "0.1", "--threads", "1"], environment: ["SOCMAP_NN_THREADS": "2"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let figures = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], r.stdout)
        XCTAssertEqual(figures["threads"] as? Double, 1)
        XCTAssertNotNil(figures["blas_core"] as? String, r.stdout)
    }

    /// Network training (pre-training, fine-tuning, cross-validation, maps) gives the same bytes on 1, 2 and 8 threads.
    func testRun_networkModelsAndMapsAreTheSameOnOneAndTwoThreads() throws {
        let p = try TinyProject()
        try p.editPipeline(
            "  size: 7\n",
            "  size: 7\n"
                + OutputFolderTests.quickTraining
                .replacingOccurrences(of: "models: [transfer, rf]", with: "models: [transfer, mtcnn]")
                .replacingOccurrences(of: "  cv_spread: true\n", with: "")
                // Wide enough and batches large enough that conv2 is split into shards (over 50 µs a batch).
                .replacingOccurrences(of: "conv_widths: [4, 8, 8]", with: "conv_widths: [16, 32, 32]")
                .replacingOccurrences(of: "batch_size: 16", with: "batch_size: 64"))
        let one = try CLI.run(["run", p.pipeline, "-q", "--threads", "1"])
        XCTAssertEqual(one.status, 0, one.stderr)
        let folders = ["models", "evaluation", "maps"].map { p.folder.file("out/\($0)") }
        let before = folders.map { FolderSnapshot($0) }
        XCTAssertTrue(before.allSatisfy { !$0.entries.isEmpty })
        for threads in ["2", "8"] {
            let again = try CLI.run(["run", p.pipeline, "-q", "--overwrite", "--threads", threads])
            XCTAssertEqual(again.status, 0, again.stderr)
            for (folder, snapshot) in zip(folders, before) {
                XCTAssertEqual(FolderSnapshot(folder).changes(since: snapshot), [], "\(folder), \(threads) threads")
            }
        }
    }

    /// The forest models (and everything else rf-only training writes) are the same bytes on 1 and 2 threads.
    func testRun_rfModelsAreTheSameOnOneAndTwoThreads() throws {
        let p = try TinyProject()
        try p.editPipeline(
            "  size: 7\n",
            "  size: 7\n"
                + OutputFolderTests.quickTraining
                .replacingOccurrences(of: "models: [transfer, rf]", with: "models: [rf]")
                .replacingOccurrences(of: "model: transfer", with: "model: rf"))
        let one = try CLI.run(["run", p.pipeline, "-q", "--threads", "1"])
        XCTAssertEqual(one.status, 0, one.stderr)
        let models = p.folder.file("out/models")
        let before = FolderSnapshot(models)
        XCTAssertFalse(before.entries.isEmpty)
        let two = try CLI.run(["run", p.pipeline, "-q", "--overwrite", "--threads", "2"])
        XCTAssertEqual(two.status, 0, two.stderr)
        XCTAssertEqual(FolderSnapshot(models).changes(since: before), [])
    }
}
