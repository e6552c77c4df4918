import Foundation
import RasterIO
import TestSupport
import XCTest

/// `socmap sample-truth` end to end on the small sample (100 km cells).
final class SampleTruthCommandTests: XCTestCase {
    /// Writes constant maps named like a run's (`soc_<depth>`, `_q05`, `_q95`) on the grid of the
    /// small sample's elevation.tif.
    private func writeMaps(
        into folder: String, sample: String, map: Float, lower: Float, upper: Float,
        depths: [String] = ["0-5cm", "5-15cm", "15-30cm", "30-60cm", "60-100cm", "100-200cm"]
    ) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let grid = try RasterDataset(path: (sample as NSString).appendingPathComponent("covariates/elevation.tif"))
            .grid()
        for depth in depths {
            for (suffix, value) in [("", map), ("_q05", lower), ("_q95", upper)] {
                let writer = try GeoTIFFWriter(
                    path: (folder as NSString).appendingPathComponent("soc_\(depth)\(suffix).tif"),
                    grid: grid, bandCount: 1, nodata: -9999)
                try writer.write(
                    band: 1, window: grid.fullWindow, values: Array(repeating: value, count: grid.cellCount))
                try writer.finish()
            }
        }
    }

    func testSampleTruth_scoresEveryDepthAndWritesJSON() throws {
        let dir = try TemporaryDirectory(prefix: "socmap-SampleTruthCommandTests")
        let made = try CLI.run(["sample-data", dir.file("s"), "--resolution", "100000", "--sites", "50"])
        XCTAssertEqual(made.status, 0, made.stderr)
        try writeMaps(into: dir.file("maps"), sample: dir.file("s"), map: 10, lower: 0, upper: 1000)
        let r = try CLI.run([
            "sample-truth", dir.file("maps"), "--resolution", "100000", "--json", dir.file("truth.json")
        ])
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = r.stdout.split(separator: "\n").filter { $0.hasPrefix("| ") && $0.contains("cm |") }
        XCTAssertEqual(lines.count, 12, "a table of scores and one by fifth of the truth: \(r.stdout)")
        let rows = lines.prefix(6)
        for row in lines.suffix(6) {
            XCTAssertEqual(row.components(separatedBy: "| 1.000").count, 6, "every fifth holds: \(row)")
        }
        for row in rows {
            let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            XCTAssertEqual(cells[5], "1.000", "a 0-1000 band holds every truth: \(row)")
            XCTAssertEqual(cells[4], "1000.00", "mean width: \(row)")
        }
        let json =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.file("truth.json"))))
            as? [String: Any]
        let depths = try XCTUnwrap(json?["depths"] as? [[String: Any]])
        XCTAssertEqual(
            depths.map { $0["depth"] as? String }, ["0-5cm", "5-15cm", "15-30cm", "30-60cm", "60-100cm", "100-200cm"])
        XCTAssertTrue(depths.allSatisfy { ($0["cells"] as? Int ?? 0) > 100 && $0["truth_in_band"] as? Double == 1 })
    }

    func testSampleTruth_refusesAMissingBoundAndABadLevelNamingThem() throws {
        let dir = try TemporaryDirectory(prefix: "socmap-SampleTruthCommandTests")
        XCTAssertEqual(try CLI.run(["sample-data", dir.file("s"), "--resolution", "100000", "--sites", "50"]).status, 0)
        try writeMaps(into: dir.file("maps"), sample: dir.file("s"), map: 10, lower: 0, upper: 1000)
        try FileManager.default.removeItem(atPath: dir.file("maps/soc_30-60cm_q95.tif"))
        let missing = try CLI.run([
            "sample-truth", dir.file("maps"), "--resolution", "100000", "--json", dir.file("t.json")
        ])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("soc_30-60cm_q95.tif"), missing.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.file("t.json")), "no JSON after a failure")
        let level = try CLI.run(["sample-truth", dir.file("maps"), "--interval", "1.5"])
        XCTAssertNotEqual(level.status, 0)
        XCTAssertTrue(level.stderr.contains("--interval"), level.stderr)
    }
}
