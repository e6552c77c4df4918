import Foundation
import Patches
import RasterIO
import TestSupport
import XCTest

/// Rasters a user may give: north-up, south-up and rotated grids and covariates, covariates whose sea is
/// an undeclared -9999, missing bands, duplicate names, unrelatable CRSs, literal paths with glob
/// characters and empty `covariates.files` items. Every case runs the real `socmap` binary and checks
/// that nothing outside the output folder changed.
final class RasterInputTests: XCTestCase {
    /// Runs `socmap <command> <pipeline>` and checks: non-zero exit, every fragment in stderr, no output
    /// folder, and no change to the project's files.
    private func assertRefused(
        _ p: TinyProject, _ command: String, _ fragments: [String],
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let before = FolderSnapshot(p.folder.path, excluding: ["out"])
        let r = try CLI.run([command, p.pipeline])
        XCTAssertNotEqual(r.status, 0, "expected \(command) to fail; stdout: \(r.stdout)", file: file, line: line)
        XCTAssertTrue(r.stderr.contains("error: "), r.stderr, file: file, line: line)
        for f in fragments {
            XCTAssertTrue(r.stderr.contains(f), "\(command): stderr lacks '\(f)': \(r.stderr)", file: file, line: line)
        }
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: p.output), "no output folder may be written", file: file, line: line)
        XCTAssertEqual(
            FolderSnapshot(p.folder.path, excluding: ["out"]).changes(since: before), [], file: file, line: line)
    }

    /// Runs `socmap run` (no --quiet, so notes are printed), expecting success and no change outside `out`.
    private func runSucceeds(
        _ p: TinyProject, overwrite: Bool = false,
        file: StaticString = #filePath, line: UInt = #line
    ) throws -> CLIResult {
        let before = FolderSnapshot(p.folder.path, excluding: ["out"])
        let r = try CLI.run(["run", p.pipeline] + (overwrite ? ["--overwrite"] : []))
        XCTAssertEqual(r.status, 0, r.stderr, file: file, line: line)
        XCTAssertEqual(
            FolderSnapshot(p.folder.path, excluding: ["out"]).changes(since: before), [], file: file, line: line)
        return r
    }

    private func replace(_ path: String, with newFile: (String) throws -> Void) throws {
        let temp = path + ".new.tif"
        try newFile(temp)
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.moveItem(atPath: temp, toPath: path)
    }

    // MARK: Orientation

    func testSouthUpGridAndCovariates_giveTheValuesGDALReadsAtTheSites() throws {
        let north = try TinyProject()
        let south = try TinyProject()
        for name in ["covs/elev.tif", "covs/wet.tif", "covs/geo.tif"] {
            try replace(south.folder.file(name)) { try writeSouthUpCopy(of: south.folder.file(name), to: $0) }
            XCTAssertGreaterThan(try RasterDataset(path: south.folder.file(name)).transform.pixelHeight, 0, name)
        }
        _ = try runSucceeds(north)
        _ = try runSucceeds(south)
        let n = try PatchFile.read(path: north.folder.file("out/patches.socp"))
        let s = try PatchFile.read(path: south.folder.file("out/patches.socp"))
        XCTAssertEqual(s.sites.count, 24, "no site is lost to a flipped covariate")
        XCTAssertEqual(s.sites, n.sites)
        XCTAssertEqual(s.channels, n.channels)
        XCTAssertEqual(s.grid.geotransform, [750_000, 100, 0, 6_650_000, 0, -100], "the grid is north-up")
        XCTAssertEqual(s.patches.count, n.patches.count)
        for i in s.patches.indices { XCTAssertEqual(s.patches[i], n.patches[i], accuracy: 1e-5, "patch value \(i)") }

        // Centre cells against GDAL reading the south-up files at the site coordinates (grid CRS).
        let half = s.patchSize / 2
        let plen = s.patchLength
        func centre(_ site: Int, channel: Int) -> Double {
            Double(s.patches[site * plen + (channel * s.patchSize + half) * s.patchSize + half])
        }
        let points = s.sites.map { (x: $0.x, y: $0.y) }
        let elevGDAL = gdalLocationValues(south.folder.file("covs/elev.tif"), at: points)
        let geoGDAL = gdalLocationValues(south.folder.file("covs/geo.tif"), at: points)
        let elev = s.channels.firstIndex { $0.covariate == "elev" }!
        for (k, site) in s.sites.enumerated() {
            let ch = s.channels[elev]
            let value = ch.min + centre(k, channel: elev) * (ch.max - ch.min)
            XCTAssertEqual(value, elevGDAL[k] ?? .nan, accuracy: 1e-3 * max(1, abs(value)), "elev at site \(site.id)")
            for (c, channel) in s.channels.enumerated() where channel.covariate == "geo" {
                XCTAssertEqual(
                    centre(k, channel: c), channel.classValue == geoGDAL[k].map(Int.init) ? 1 : 0,
                    "geo at site \(site.id)")
            }
        }
        let report = try String(contentsOfFile: south.folder.file("out/report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("| **used** | **24** |"), report)
    }

    func testRotatedGridRaster_isRefusedByValidateAndRun() throws {
        let p = try TinyProject()
        try writeRotatedCopy(of: p.folder.file("covs/elev.tif"), to: p.folder.file("grid_rot.tif"))
        try p.editPipeline("grid: {raster: covs/elev.tif}", "grid: {raster: grid_rot.tif}")
        for command in ["validate", "run"] {
            try assertRefused(p, command, ["grid_rot.tif", "rotated or sheared", "gdalwarp", "north-up"])
        }
    }

    func testRotatedCovariate_isRefusedByValidateAndRun() throws {
        let p = try TinyProject()
        try writeRotatedCopy(of: p.folder.file("covs/wet.tif"), to: p.folder.file("covs/wet_rot.tif"))
        for command in ["validate", "run"] {
            try assertRefused(p, command, ["wet_rot.tif", "rotated or sheared", "gdalwarp"])
        }
    }

    // MARK: Nodata

    func testUndeclaredNodataSentinel_warnsAndTheNodataKeyMakesItNodata() throws {
        let p = try TinyProject()
        // No nodata value; columns 0-5 are a "sea" of -9999 (site S001 sits in column 5).
        try writeTestGeoTIFF(path: p.folder.file("covs/sea.tif"), grid: p.grid) { c, r in c < 6 ? -9999 : Float(c + r) }
        let r = try runSucceeds(p)
        XCTAssertTrue(
            r.stderr.contains(
                "warning: covariate 'sea' (covs/sea.tif) has no nodata value and its minimum on the grid is -9999"),
            r.stderr)
        XCTAssertTrue(
            r.stderr.contains(
                "set it on the covariates.files entry (line 6) that names it: {path: covs/, nodata: -9999}"),
            r.stderr)
        XCTAssertTrue(r.stderr.contains("or list the file on its own as {path: covs/sea.tif, nodata: -9999}"), r.stderr)
        XCTAssertTrue(r.stdout.contains("1 covariate warning: see \"Covariate checks\" in the report"), r.stdout)
        var report = try String(contentsOfFile: p.folder.file("out/report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("## Covariate checks\n\n1 warning:"), report)
        XCTAssertTrue(report.contains("covs/sea.tif"), report)
        XCTAssertTrue(report.contains("{path: covs/sea.tif, nodata: -9999}"), report)
        XCTAssertTrue(report.contains("{path: covs/, nodata: -9999}"), report)
        XCTAssertTrue(report.contains("| **used** | **24** |"), "the sea is taken as data: \(report)")
        let json =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: p.folder.file("out/report.json")))) as! [String: Any]
        XCTAssertEqual((json["covariate_warnings"] as? [String])?.count, 1)
        let inspect = try CLI.run(["inspect", p.pipeline, "--quiet"])
        XCTAssertEqual(inspect.status, 0, inspect.stderr)
        XCTAssertTrue(inspect.stdout.contains("Covariate checks (1 warning)"), inspect.stdout)
        XCTAssertTrue(inspect.stdout.contains("nodata: -9999"), inspect.stdout)

        try p.editPipeline(
            "files: [covs/]", "files: [covs/elev.tif, covs/wet.tif, covs/geo.tif, {path: covs/sea.tif, nodata: -9999}]")
        let fixed = try runSucceeds(p, overwrite: true)
        XCTAssertFalse(fixed.stderr.contains("warning:"), fixed.stderr)
        XCTAssertFalse(fixed.stdout.contains("warning"), fixed.stdout)
        report = try String(contentsOfFile: p.folder.file("out/report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("## Covariate checks\n\nNo problem found"), report)
        XCTAssertTrue(report.contains("-9999 (set by nodata:)"), report)
        XCTAssertTrue(report.contains("| centre cell nodata | 1 |"), report)
        XCTAssertTrue(report.contains("| **used** | **23** |"), report)
        let fixedJSON =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: p.folder.file("out/report.json")))) as! [String: Any]
        let sea = (fixedJSON["covariates"] as! [[String: Any]]).first { $0["name"] as? String == "sea" }!
        XCTAssertEqual(sea["min"] as? Double, 6, "the sea is nodata in the statistics")
        XCTAssertEqual(sea["valid_cells"] as? Int, 34 * 30)
        XCTAssertEqual(sea["nodata"] as? Double, -9999)
        XCTAssertEqual(sea["nodata_from_pipeline"] as? Bool, true)
    }

    func testNodataKey_mustBeANumber() throws {
        let p = try TinyProject()
        try p.editPipeline("files: [covs/]", "files: [{path: covs/, nodata: sea}]")
        try assertRefused(p, "run", ["pipeline.yaml:6", "covariates.files[0].nodata", "expected a number"])
    }

    // MARK: Checks before any work

    func testMissingBand_isRefusedNamingTheFileTheBandAndTheBandCount() throws {
        let p = try TinyProject()
        try p.editPipeline("files: [covs/]", "files: [covs/wet.tif, covs/geo.tif, {path: covs/elev.tif, band: 3}]")
        for command in ["validate", "run"] {
            try assertRefused(p, command, ["covs/elev.tif", "has 1 band", "band 3 does not exist"])
        }
    }

    func testSameFileNameInTwoFolders_isRefusedNamingBothPathsAndTheNameKey() throws {
        let p = try TinyProject()
        try FileManager.default.createDirectory(atPath: p.folder.file("more"), withIntermediateDirectories: true)
        try writeTestGeoTIFF(path: p.folder.file("more/elev.tif"), grid: p.grid, nodata: -9999) { c, _ in Float(c) }
        try p.editPipeline("files: [covs/]", "files: [covs/, more/]")
        for command in ["validate", "run"] {
            try assertRefused(
                p, command,
                ["'elev' is used twice", p.folder.file("covs/elev.tif"), p.folder.file("more/elev.tif"), "name:"])
        }
    }

    func testCovariateCRSThatCannotBeTransformed_isRefusedNamingBothCRSs() throws {
        let p = try TinyProject()
        let local = try CRS(wkt: #"LOCAL_CS["plot grid",UNIT["metre",1],AXIS["Easting",EAST],AXIS["Northing",NORTH]]"#)
        let grid = Grid(
            crs: local, transform: GeoTransform(originX: 0, pixelWidth: 1, originY: 10, pixelHeight: -1), width: 10,
            height: 10)
        try writeTestGeoTIFF(path: p.folder.file("covs/plot.tif"), grid: grid) { c, _ in Float(c) }
        for command in ["validate", "run"] {
            try assertRefused(
                p, command, ["covs/plot.tif", "plot grid", "GDA94 / MGA zone 55", "cannot be transformed"])
        }
    }

    // MARK: Paths

    func testExistingPathWithGlobCharacters_isTakenLiterally() throws {
        let p = try TinyProject()
        try FileManager.default.createDirectory(atPath: p.folder.file("lit"), withIntermediateDirectories: true)
        try writeTestGeoTIFF(path: p.folder.file("lit/elev[1].tif"), grid: p.grid, nodata: -9999) { c, r in
            Float(3 * c + r)
        }
        // What the glob 'elev[1].tif' would match instead.
        try writeTestGeoTIFF(path: p.folder.file("lit/elev1.tif"), grid: p.grid, nodata: -9999) { _, _ in 77 }
        try p.editPipeline("files: [covs/]", "files:\n    - covs/\n    - 'lit/elev[1].tif'")
        _ = try runSucceeds(p)
        let json =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: p.folder.file("out/report.json")))) as! [String: Any]
        let sources = (json["covariates"] as! [[String: Any]]).map { $0["source"] as! String }
        XCTAssertEqual(sources.filter { $0.hasSuffix("lit/elev[1].tif") }.count, 1, "\(sources)")
        XCTAssertFalse(sources.contains { $0.hasSuffix("elev1.tif") }, "\(sources)")
        // A path that does not exist as written is still a glob.
        try p.editPipeline("'lit/elev[1].tif'", "'lit/elev?.tif'")
        let v = try CLI.run(["validate", p.pipeline])
        XCTAssertEqual(v.status, 0, v.stderr)
        XCTAssertTrue(v.stdout.contains("4 covariate rasters"), v.stdout)
    }

    func testEmptyCovariateFilesItem_isAnErrorNamingTheLineAndKey() throws {
        let p = try TinyProject()
        try p.editPipeline("files: [covs/]", "files:\n    - covs/\n    -\n")
        for command in ["validate", "run"] {
            try assertRefused(p, command, ["pipeline.yaml:8", "covariates.files", "empty covariates.files item"])
        }
        let q = try TinyProject()
        try q.editPipeline("files: [covs/]", "files:\n    - covs/\n    - \"\"")
        try assertRefused(q, "run", ["pipeline.yaml:8", "covariates.files", "empty path"])
        let m = try TinyProject()
        try m.editPipeline("files: [covs/]", "files: [covs/, {path: '', name: x}]")
        try assertRefused(m, "run", ["pipeline.yaml:6", "covariates.files", "empty path"])
    }
}
