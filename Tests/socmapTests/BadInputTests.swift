import Foundation
import TestSupport
import XCTest

/// Bad input: a clear error naming the problem and the place, a non-zero exit, no output written.
final class BadInputTests: XCTestCase {
    /// Runs the pipeline and checks failure, message fragments and that nothing was written.
    func assertFails(_ p: TinyProject, _ fragments: [String], file: StaticString = #filePath, line: UInt = #line) throws
    {
        let r = try CLI.run(["run", p.pipeline, "--quiet"])
        XCTAssertNotEqual(r.status, 0, "expected failure; stdout: \(r.stdout)", file: file, line: line)
        for f in fragments {
            XCTAssertTrue(r.stderr.contains(f), "stderr lacks '\(f)': \(r.stderr)", file: file, line: line)
        }
        XCTAssertTrue(r.stderr.hasPrefix("error: "), r.stderr, file: file, line: line)
        let written = (try? FileManager.default.contentsOfDirectory(atPath: p.output)) ?? []
        XCTAssertEqual(written, [], "no output may be left behind", file: file, line: line)
    }

    func testMissingRaster() throws {
        let p = try TinyProject()
        try p.editPipeline("files: [covs/]", "files: [covs/, extra/clay.tif]")
        try assertFails(p, ["extra/clay.tif", "does not exist", "pipeline.yaml"])
    }

    func testCorruptRaster() throws {
        let p = try TinyProject()
        try Data((0..<4000).map { UInt8(truncatingIfNeeded: $0 &* 7919) }).write(
            to: URL(fileURLWithPath: p.folder.file("covs/broken.tif")))
        try assertFails(p, ["broken.tif", "not recognized"])
    }

    func testTruncatedGeoTIFF_isCaughtByValidate_namingTheFile() throws {
        let p = try TinyProject()
        let files = try FileManager.default.contentsOfDirectory(atPath: p.folder.file("covs")).sorted()
        let name = try XCTUnwrap(files.first { $0.hasSuffix(".tif") })
        let path = p.folder.file("covs/\(name)")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        XCTAssertEqual(try CLI.run(["validate", p.pipeline]).status, 0, "intact: validate passes")
        try bytes.prefix(bytes.count * 2 / 3).write(to: URL(fileURLWithPath: path))
        let r = try CLI.run(["validate", p.pipeline])
        XCTAssertNotEqual(r.status, 0, r.stdout)
        XCTAssertTrue(r.stderr.contains(name) && r.stderr.contains("truncated or damaged"), r.stderr)
        XCTAssertTrue(r.stderr.contains("Copy or download the file again"), r.stderr)
        // Following the advice: the file restored, validate passes.
        try bytes.write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(try CLI.run(["validate", p.pipeline]).status, 0)
    }

    /// A band of a multi-band file listed as categorical while it holds a measurement, as a user writes
    /// it: the error names the covariate, the band, the file, the key that made it categorical and its
    /// line, and says what to do; following it (kind: continuous), the stack builds.
    func testBandCovariateDeclaredCategorical_namesFileBandKeyAndWhatToDo() throws {
        let p = try TinyProject()
        try FileManager.default.createDirectory(atPath: p.folder.file("more"), withIntermediateDirectories: true)
        // Band 1: land-use classes 1-4; band 2: temperature in degrees, a measurement.
        let n = p.grid.cellCount
        try writeTestGeoTIFF(
            path: p.folder.file("more/climate.tif"), grid: p.grid,
            bands: [(0..<n).map { Float(1 + $0 % 4) }, (0..<n).map { 12.5 + Float($0 % 40) * 0.25 }], nodata: -9999)
        try p.editPipeline(
            "  files: [covs/]\n",
            "  files:\n    - covs/\n    - path: more/climate.tif\n      band: 2\n      kind: categorical\n")
        let r = try CLI.run(["run", p.pipeline, "--quiet"])
        XCTAssertNotEqual(r.status, 0, r.stdout)
        for fragment in [
            "pipeline.yaml:10:", "key 'covariates.files[1].kind'",
            "covariate 'climate' (band 2 of '\(p.folder.file("more/climate.tif"))')",
            "is declared kind: categorical but holds a measurement: it has the non-integer value 12.5;",
            "declare it continuous (kind: continuous) or reclassify it into at most 64 whole-number classes"
        ] {
            XCTAssertTrue(r.stderr.contains(fragment), "'\(fragment)' not in: \(r.stderr)")
        }
        XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: p.output)) ?? [], [])

        // Whole degrees, listed in covariates.categorical: more than 64 classes, and that key named.
        try writeTestGeoTIFF(
            path: p.folder.file("more/climate.tif"), grid: p.grid,
            bands: [(0..<n).map { Float(1 + $0 % 4) }, (0..<n).map { Float($0 % 100) }], nodata: -9999)
        try p.editPipeline("      kind: categorical\n", "")
        try p.editPipeline("categorical: [geo]", "categorical: [geo, climate]")
        let listed = try CLI.run(["inspect", p.pipeline, "--quiet"])
        XCTAssertNotEqual(listed.status, 0, listed.stdout)
        for fragment in [
            "key 'covariates.categorical'", "covariate 'climate' (band 2 of ",
            "is listed as categorical here but holds a measurement: it has more than 64 classes on the grid",
            "remove it from covariates.categorical to read it as continuous"
        ] {
            XCTAssertTrue(listed.stderr.contains(fragment), "'\(fragment)' not in: \(listed.stderr)")
        }
        // Following the advice, the stack builds.
        try p.editPipeline("categorical: [geo, climate]", "categorical: [geo]")
        let fixed = try CLI.run(["inspect", p.pipeline, "--quiet"])
        XCTAssertEqual(fixed.status, 0, fixed.stderr)
    }

    func testInfiniteCovariateValues_areAnErrorNamingTheFile() throws {
        let p = try TinyProject()
        try writeTestGeoTIFF(path: p.folder.file("covs/ratio.tif"), grid: p.grid, nodata: -9999) { c, r in
            c == 20 && r == 10 ? .infinity : Float(c + r)
        }
        try assertFails(p, ["ratio.tif", "holds infinite values", "nodata"])
    }

    /// A covariate folder the user may not list is named with the system's reason, not "holds no raster"
    /// (run as the unprivileged user `nobody`, since root may list any folder).
    func testUnreadableFolder_namesThePermission() throws {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else {
            throw XCTSkip("needs root and setpriv (util-linux) to run the check as another user")
        }
        let p = try TinyProject()
        try FileManager.default.createDirectory(atPath: p.folder.file("locked"), withIntermediateDirectories: true)
        try writeTestGeoTIFF(path: p.folder.file("locked/slope.tif"), grid: p.grid) { c, r in Float(c * r) }
        try p.editPipeline("files: [covs/]", "files: [covs/, locked/]")
        // The project (where validate checks that the output folder can be made) open to nobody, the folder not.
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: p.folder.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: p.folder.file("locked"))
        defer {
            try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: p.folder.file("locked"))
        }
        let nobody = ["--reuid=65534", "--regid=65534", "--clear-groups", CLI.binary.path, "validate", p.pipeline]
        let setpriv = URL(fileURLWithPath: "/usr/bin/setpriv")
        let r = try CLI.run(nobody, executable: setpriv)
        XCTAssertNotEqual(r.status, 0, r.stdout)
        XCTAssertTrue(r.stderr.contains("cannot list the folder") && r.stderr.contains("Permission denied"), r.stderr)
        XCTAssertFalse(r.stderr.contains("holds no raster"), r.stderr)
        // Following the advice (read and execute permission): validate passes.
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: p.folder.file("locked"))
        let fixed = try CLI.run(nobody, executable: setpriv)
        XCTAssertEqual(fixed.status, 0, fixed.stderr)
    }

    func testRasterWithNoCRS() throws {
        let p = try TinyProject()
        try writeASCIIGridWithoutCRS(path: p.folder.file("covs/nocrs.asc"), width: 10, height: 10) { c, r in
            Float(c + r)
        }
        try assertFails(p, ["nocrs.asc", "no coordinate reference system"])
    }

    func testCRSThatCannotBeTransformed() throws {
        let p = try TinyProject()
        try p.editPipeline("crs: EPSG:4283", "crs: 'LOCAL_CS[\"plot grid\",UNIT[\"metre\",1]]'")
        try assertFails(p, ["cannot transform", "plot grid"])
        let v = try CLI.run(["validate", p.pipeline])
        XCTAssertEqual(v.status, 1, "validate finds it too: \(v.stdout)")
        XCTAssertTrue(v.stderr.contains("key 'sites.crs'") && v.stderr.contains("cannot transform"), v.stderr)
    }

    /// Models trained on more covariates are never used with fewer: a new run replaces them whole,
    /// and `predict` with the old models refuses the changed stack.
    func testFewerCovariatesAfterAnEarlierRun() throws {
        let p = try TinyProject()
        try p.editPipeline(
            "  size: 7\n",
            "  size: 7\n"
                + OutputFolderTests.quickTraining.replacingOccurrences(of: "model: transfer", with: "model: rf"))
        XCTAssertEqual(try CLI.run(["run", p.pipeline, "-q"]).status, 0)
        try FileManager.default.removeItem(atPath: p.folder.file("covs/wet.tif"))
        let predict = try CLI.run(["predict", p.pipeline, "-q"])
        XCTAssertEqual(predict.status, 1)
        XCTAssertTrue(predict.stderr.contains("'wet': not in covariates.files"), predict.stderr)
        let again = try CLI.run(["run", p.pipeline, "-q", "--overwrite"])
        XCTAssertEqual(again.status, 0, again.stderr)
        let model = try String(contentsOfFile: p.folder.file("out/models/cv/rf/fold_01/model.json"), encoding: .utf8)
        XCTAssertFalse(model.contains("\"wet\""), "the fold models were trained on the new stack")
    }

    func testCSVMissingNamedColumn() throws {
        let p = try TinyProject()
        try p.editPipeline("x_column: lon", "x_column: LONGITUDE")
        try assertFails(p, ["sites.csv", "LONGITUDE", "id, lon, lat"])
    }

    func testNonNumericValues_areCountedWithTheirLine() throws {
        let p = try TinyProject()
        try p.edit("horizons.csv") { $0.replacingOccurrences(of: "S002,0,15,", with: "S002,0,15,abc") }
        let r = try CLI.run(["run", p.pipeline, "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let report = try String(contentsOfFile: p.folder.file("out/report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("nonNumeric: 1"), report)
        XCTAssertTrue(report.contains("horizons.csv line 5"), report)
    }

    func testDecimalCommaCoordinates_areNamed_andListedInDroppedSites() throws {
        let p = try TinyProject()
        var original = ""
        try p.edit("sites.csv") { text in
            var lines = text.split(separator: "\n").map(String.init)
            original = lines[3]
            var fields = lines[3].split(separator: ",").map(String.init)
            fields[1] = "\"" + fields[1].replacingOccurrences(of: ".", with: ",") + "\""  // "148,1234567"
            lines[3] = fields.joined(separator: ",")
            return lines.joined(separator: "\n") + "\n"
        }
        let id = String(original.split(separator: ",")[0])
        let r = try CLI.run(["run", p.pipeline, "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let dropped = try String(contentsOfFile: p.folder.file("out/dropped_sites.csv"), encoding: .utf8)
        let row = dropped.split(separator: "\n").first { $0.hasPrefix(id + ",") }.map(String.init) ?? ""
        XCTAssertTrue(row.hasPrefix("\(id),4,"), "the site, its CSV line: \(dropped)")
        XCTAssertTrue(row.contains("decimal comma: write "), "the reason: \(dropped)")
    }

    func testNonNumericCoordinatesEverywhere_fail() throws {
        let p = try TinyProject()
        try p.edit("sites.csv") { text in
            text.split(separator: "\n").enumerated().map { i, l in
                i == 0
                    ? String(l)
                    : l.split(separator: ",").enumerated().map { $0 == 1 ? "east" : String($1) }.joined(separator: ",")
            }.joined(separator: "\n") + "\n"
        }
        try assertFails(p, ["sites.csv", "lon"])
    }

    func testSitesAllOutsideTheGrid() throws {
        let p = try TinyProject()
        try p.edit("sites.csv") { text in
            "id,lon,lat\n" + p.siteIDs.map { "\($0),140.0,-35.0" }.joined(separator: "\n") + "\n"
        }
        try assertFails(p, ["no usable sample", "24 outside the covariate grid", "swapped"])
    }

    func testEmptyHorizonTable() throws {
        let p = try TinyProject()
        try "id,top,bottom,oc\n".write(toFile: p.folder.file("horizons.csv"), atomically: true, encoding: .utf8)
        try assertFails(p, ["horizons.csv"])
    }

    func testUnknownYAMLKey() throws {
        let p = try TinyProject()
        try p.editPipeline("  unit: g/kg", "  unit: g/kg\n  units: percent")
        try assertFails(p, ["pipeline.yaml:17:3", "unknown key 'units'", "did you mean 'unit'"])
    }
}
