import Foundation
import TestSupport
import XCTest

/// `socmap bench china` on a coarse grid: the case is generated once and reused, the pipeline runs
/// every stage, and the JSON names each stage with its wall time and peak memory.
final class BenchChinaTests: XCTestCase {
    func testBenchChina_measuresEveryStage_andReusesTheCase() throws {
        let cache = try TemporaryDirectory(prefix: "socmap-bench-china")
        let arguments = [
            "bench", "china", "--cache", cache.path, "--resolution", "40000", "--sites", "300", "--epochs", "1",
            "--folds", "2"
        ]
        let first = try CLI.run(arguments)
        XCTAssertEqual(first.status, 0, first.stderr)
        let figures = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any], first.stdout)
        XCTAssertEqual(figures["target"] as? String, "china")
        XCTAssertEqual(figures["generated_now"] as? Bool, true)
        XCTAssertEqual(figures["grid"] as? String, "123 x 103")
        let stages = try XCTUnwrap(figures["stages"] as? [[String: Any]])
        let names = stages.compactMap { $0["name"] as? String }
        for expected in [
            "generate", "stack", "profiles", "patches", "train", "evaluate", "predict",
            "maps: cloud-optimised GeoTIFFs",
            "analyses: styles and quick-looks", "report"
        ] {
            XCTAssertTrue(names.contains(expected), "\(expected) in \(names)")
        }
        for stage in stages {
            XCTAssertGreaterThan(stage["peak_mb"] as? Double ?? 0, 10, "\(stage)")
            XCTAssertGreaterThanOrEqual(stage["seconds"] as? Double ?? -1, 0, "\(stage)")
        }
        XCTAssertGreaterThan(figures["map_cells"] as? Int ?? 0, 5000)
        XCTAssertGreaterThan(figures["map_cells_per_s"] as? Double ?? 0, 0)
        XCTAssertTrue(FileManager.default.fileExists(atPath: cache.file("run-40000m/maps/soc_0-5cm.tif")))

        let second = try CLI.run(arguments)
        XCTAssertEqual(second.status, 0, second.stderr)
        let again = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(second.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(again["generated_now"] as? Bool, false)
        XCTAssertTrue(second.stderr.contains("using the case generated earlier"), second.stderr)
        XCTAssertFalse((again["stages"] as? [[String: Any]] ?? []).contains { $0["name"] as? String == "generate" })
    }
}
