import Foundation
import Patches
import RasterIO
import TestSupport
import XCTest

/// End-to-end runs of the `socmap` binary on a tiny project.
final class RunCommandTests: XCTestCase {
    func testRun_writesPatchesProfilesAndReport() throws {
        let p = try TinyProject()
        let r = try CLI.run(["run", p.pipeline])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("report.md"), r.stdout)
        let data = try PatchFile.read(path: p.folder.file("out/patches.socp"))
        XCTAssertEqual(data.patchSize, 7)
        // elev + wet + 3 one-hot classes of geo.
        XCTAssertEqual(data.channels.count, 5)
        XCTAssertEqual(data.channels.filter { $0.classValue != nil }.count, 3)
        XCTAssertEqual(data.sites.count, 24)
        XCTAssertEqual(data.samplesPerDepth, [24, 24, 24, 24, 24, 24])
        XCTAssertTrue(data.patches.allSatisfy { $0 >= 0 && $0 <= 1 })
        let report = try String(contentsOfFile: p.folder.file("out/report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("Alluvium"), report)
        XCTAssertTrue(report.contains("| **used** | **24** |"), report)
        // Surface SOC is 20 + col/2 at the sites; the 0-5 cm mean is near that, deeper layers lower.
        let profiles = try String(contentsOfFile: p.folder.file("out/profiles.csv"), encoding: .utf8)
        XCTAssertEqual(profiles.split(separator: "\n").count, 25)
    }

    func testRun_refusesToOverwriteWithoutFlag_andIsDeterministic() throws {
        let p = try TinyProject()
        XCTAssertEqual(try CLI.run(["run", p.pipeline, "--quiet"]).status, 0)
        let first = try Data(contentsOf: URL(fileURLWithPath: p.folder.file("out/patches.socp")))
        let again = try CLI.run(["run", p.pipeline])
        XCTAssertNotEqual(again.status, 0)
        XCTAssertTrue(again.stderr.contains("--overwrite"), again.stderr)
        XCTAssertEqual(try CLI.run(["run", p.pipeline, "--overwrite", "--quiet"]).status, 0)
        let second = try Data(contentsOf: URL(fileURLWithPath: p.folder.file("out/patches.socp")))
        XCTAssertEqual(first, second)
    }

    func testBench_rejectsAFreezeOutsideTheNetworkBeforeMeasuring() throws {
        let r = try CLI.run(["bench", "predict", "--freeze", "9"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("--freeze must be between 0 and 6, got 9"), r.stderr)
        XCTAssertEqual(r.stdout, "", "no figures printed")
    }

    func testValidate_passesAndDoesNotWrite() throws {
        let p = try TinyProject()
        let r = try CLI.run(["validate", p.pipeline])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("is valid"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: p.output))
    }

    func testInspect_printsGridCovariatesClassesAndSiteCounts() throws {
        let p = try TinyProject()
        // One site on the nodata corner, one outside the grid.
        let sea = try corner(p, col: 1, row: 1)
        try p.edit("sites.csv") { $0 + "SEA,\(sea)\nFAR,150.9,-29.0\n" }
        let r = try CLI.run(["inspect", p.pipeline, "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("40 x 30 cells"), r.stdout)
        XCTAssertTrue(r.stdout.contains("class 2: Basalt"), r.stdout)
        XCTAssertTrue(r.stdout.contains("inside, on data    24"), r.stdout)
        XCTAssertTrue(r.stdout.contains("inside, on nodata  1"), r.stdout)
        XCTAssertTrue(r.stdout.contains("outside the grid   1"), r.stdout)
        XCTAssertTrue(r.stdout.contains("200 cell"), "the coarse covariate's own cell size: \(r.stdout)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: p.output))
    }

    func testSampleData_sameSeedSameBytes() throws {
        let dir = try TemporaryDirectory()
        let a = dir.file("a")
        let b = dir.file("b")
        for folder in [a, b] {
            let r = try CLI.run(["sample-data", folder, "--resolution", "100000", "--sites", "60", "--seed", "3"])
            XCTAssertEqual(r.status, 0, r.stderr)
            // One bar for the whole generation (not a terminal: its last line only, at 100 %).
            XCTAssertTrue(r.stderr.contains("sample data 100%"), r.stderr)
        }
        let files = try FileManager.default.subpathsOfDirectory(atPath: a).sorted()
        XCTAssertGreaterThan(files.count, 20)
        for f in files where !f.hasSuffix("covariates") {
            XCTAssertEqual(
                FileManager.default.contents(atPath: (a as NSString).appendingPathComponent(f)),
                FileManager.default.contents(atPath: (b as NSString).appendingPathComponent(f)), f)
        }
        let again = try CLI.run(["sample-data", a])
        XCTAssertNotEqual(again.status, 0, "must refuse to overwrite without --overwrite")
    }
}

/// "lon,lat" of a cell centre of the tiny project's grid.
func corner(_ p: TinyProject, col: Int, row: Int) throws -> String {
    let c = p.grid.cellCenter(col: col, row: row)
    let g = try CoordinateTransformer(from: p.grid.crs, to: try CRS(epsg: 4283)).transform(x: c.x, y: c.y)
    return String(format: "%.7f,%.7f", g.x, g.y)
}

/// The committed sample-data/ is exactly what `socmap sample-data` writes with the defaults.
final class CommittedSampleDataTests: XCTestCase {
    func testRegeneratingSampleData_givesTheCommittedBytes() throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let committed = repo.appendingPathComponent("sample-data").path
        let dir = try TemporaryDirectory()
        let r = try CLI.run(["sample-data", dir.file("s")])
        XCTAssertEqual(r.status, 0, r.stderr)
        let files = try FileManager.default.subpathsOfDirectory(atPath: committed).sorted()
        XCTAssertEqual(files, try FileManager.default.subpathsOfDirectory(atPath: dir.file("s")).sorted())
        XCTAssertGreaterThan(files.count, 30)
        for f in files where !f.hasSuffix("covariates") {
            XCTAssertEqual(
                FileManager.default.contents(atPath: (committed as NSString).appendingPathComponent(f)),
                FileManager.default.contents(atPath: (dir.file("s") as NSString).appendingPathComponent(f)),
                "\(f) differs from the committed file; regenerate with `make sample-data` if the change is intended")
        }
    }
}
