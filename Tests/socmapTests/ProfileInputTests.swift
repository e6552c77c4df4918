import Foundation
import TestSupport
import XCTest

/// Plausibility of the soil tables, end to end: each problem is either an error (non-zero exit, a message
/// naming the file, key or line and what to do, nothing written) or counted with its CSV lines in
/// out/report.md; and no run changes anything outside out/.
final class ProfileInputTests: XCTestCase {
    /// Runs `socmap <command>` and checks failure, message fragments, no raw Foundation error, no output,
    /// and no change anywhere in the project folder.
    func assertFails(
        _ p: TinyProject, _ fragments: [String], command: String = "run",
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let before = FolderSnapshot(p.folder.path)
        let r = try CLI.run(command == "run" ? ["run", p.pipeline, "--quiet"] : [command, p.pipeline])
        XCTAssertNotEqual(r.status, 0, "expected failure; stdout: \(r.stdout)", file: file, line: line)
        XCTAssertTrue(r.stderr.hasPrefix("error: "), r.stderr, file: file, line: line)
        for f in fragments {
            XCTAssertTrue(r.stderr.contains(f), "stderr lacks '\(f)': \(r.stderr)", file: file, line: line)
        }
        XCTAssertFalse(
            r.stderr.contains("NSCocoaErrorDomain") || r.stderr.contains("Code="), r.stderr, file: file, line: line)
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: p.output), "no output may be written", file: file, line: line)
        XCTAssertEqual(FolderSnapshot(p.folder.path).changes(since: before), [], file: file, line: line)
    }

    /// Runs `socmap run`, checks success and that only out/ changed; returns report.md and the stderr notes.
    func runSucceeds(
        _ p: TinyProject, file: StaticString = #filePath, line: UInt = #line
    ) throws -> (report: String, notes: String) {
        let before = FolderSnapshot(p.folder.path)
        let r = try CLI.run(["run", p.pipeline])
        XCTAssertEqual(r.status, 0, r.stderr, file: file, line: line)
        XCTAssertEqual(
            FolderSnapshot(p.folder.path, excluding: ["out"]).changes(since: before), [], file: file, line: line)
        let report = (try? String(contentsOfFile: p.folder.file("out/report.md"), encoding: .utf8)) ?? ""
        return (report, r.stderr)
    }

    /// Rewrites every data row of a CSV of the project.
    func editRows(_ p: TinyProject, _ name: String, _ change: @escaping ([String]) -> [String]) throws {
        try p.edit(name) { text in
            text.split(separator: "\n").enumerated().map { i, l in
                i == 0
                    ? String(l)
                    : change(l.split(separator: ",", omittingEmptySubsequences: false).map(String.init)).joined(
                        separator: ",")
            }.joined(separator: "\n") + "\n"
        }
    }

    // MARK: 1. Depths in metres

    func testDepthsInMetres_failBeforeAnyWorkNamingFileColumnsKeysAndTheFix() throws {
        let p = try TinyProject()
        try editRows(p, "horizons.csv") { f in [f[0], String(Double(f[1])! / 100), String(Double(f[2])! / 100), f[3]] }
        let fragments = [
            "horizons.csv", "look like metres", "column 'bottom', key profiles.horizons.bottom_column",
            "reach only 1.1 (median 0.4)", "intervals reach 200 cm", "profiles.horizons.top_column", "in cm",
            "depth_scale: 100"
        ]
        try assertFails(p, fragments)
        try assertFails(p, fragments, command: "validate")
        let loud = try CLI.run(["run", p.pipeline])
        XCTAssertFalse(
            loud.stderr.contains("covariates:"), "the tables are checked before any raster is read: \(loud.stderr)")
    }

    func testDepthScale_turnsMetresIntoCentimetres_andMustBePositive() throws {
        let p = try TinyProject()
        try editRows(p, "horizons.csv") { f in [f[0], String(Double(f[1])! / 100), String(Double(f[2])! / 100), f[3]] }
        try p.editPipeline("    value_column: oc\n", "    value_column: oc\n    depth_scale: 100\n")
        let (report, _) = try runSucceeds(p)
        for depth in ["0-5cm", "5-15cm", "15-30cm", "30-60cm", "60-100cm", "100-200cm"] {
            XCTAssertTrue(report.contains("| \(depth) | 24 |"), report)
        }
        try FileManager.default.removeItem(atPath: p.output)
        for bad in ["0", "-100"] {
            try p.editPipeline("depth_scale: 100", "depth_scale: \(bad)")
            try assertFails(
                p, ["pipeline.yaml:23:", "profiles.horizons.depth_scale", "greater than 0"], command: "validate")
            try p.editPipeline("depth_scale: \(bad)", "depth_scale: 100")
        }
    }

    // MARK: 2. Gaps between horizons

    func testGapsBetweenHorizons_areCountedWithTheirLinesInTheReport() throws {
        let p = try TinyProject()
        // S001's second horizon starts at 20 instead of 15 (line 3), S002's third at 50 instead of 40 (line 7).
        try p.edit("horizons.csv") {
            $0.replacingOccurrences(of: "S001,15,40,", with: "S001,20,40,").replacingOccurrences(
                of: "S002,40,110,", with: "S002,50,110,")
        }
        let (report, _) = try runSucceeds(p)
        XCTAssertTrue(
            report.contains(
                """
                gapBetweenHorizons: 2 (spline fitted across the gap (a straight line \
                in it)) — horizons.csv lines 3, 7
                """
            ), report)
        XCTAssertTrue(report.contains("| 15-30cm | 24 |"), "sites with a gap keep their values: \(report)")
    }

    // MARK: 3. Valid range

    func testHorizonValuesOutsideTheDefaultRange_areSkippedAndReportedWithLines() throws {
        let p = try TinyProject()
        // g/kg: [0, 1000] by default. S002's surface (line 5) is negative, S003's (line 8) 1e30.
        try p.edit("horizons.csv") { text in
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            lines[4] = "S002,0,15,-4.5"
            lines[7] = "S003,0,15,1e30"
            return lines.joined(separator: "\n")
        }
        let (report, _) = try runSucceeds(p)
        XCTAssertTrue(report.contains("outOfRange: 2 (skipped horizon) — horizons.csv lines 5, 8"), report)
        XCTAssertTrue(
            report.contains(
                """
                Values outside [0, 1000] (the default for unit g/kg; set \
                profiles.valid_range to change it) were skipped
                """
            ), report)
        let json = try String(contentsOfFile: p.folder.file("out/report.json"), encoding: .utf8)
        XCTAssertTrue(json.contains("\"outOfRange\" : 2") || json.contains("\"outOfRange\": 2"), json)
    }

    func testValidRangeKey_isUsedAndChecked() throws {
        let p = try TinyProject()
        try p.editPipeline("  unit: g/kg\n", "  unit: g/kg\n  valid_range: [0, 30]\n")
        let (report, _) = try runSucceeds(p)
        XCTAssertTrue(report.contains("outOfRange: "), report)
        XCTAssertTrue(report.contains("(skipped horizon) — horizons.csv line"), report)
        let validate = try CLI.run(["validate", p.pipeline])
        XCTAssertEqual(validate.status, 0, validate.stderr)
        XCTAssertTrue(
            validate.stdout.contains("values outside [0, 30] (profiles.valid_range) skipped: "), validate.stdout)

        try p.editPipeline("valid_range: [0, 30]", "valid_range: [30, 0]")
        try FileManager.default.removeItem(atPath: p.output)
        try assertFails(p, ["pipeline.yaml:17:", "profiles.valid_range", "min < max"], command: "validate")
        try p.editPipeline("valid_range: [30, 0]", "valid_range: [0, lots]")
        try assertFails(p, ["pipeline.yaml:17:", "profiles.valid_range", "expected a number"], command: "validate")
    }

    func testUnitWithoutDefaultRange_isSaidInTheReportAndByValidate() throws {
        let p = try TinyProject()
        try p.editPipeline("  unit: g/kg\n", "  unit: kg/m2\n")
        let (report, _) = try runSucceeds(p)
        XCTAssertTrue(
            report.contains("No valid range for unit kg/m2: only non-numbers were rejected; set profiles.valid_range."),
            report)
        let validate = try CLI.run(["validate", p.pipeline])
        XCTAssertTrue(
            validate.stdout.contains("no valid range for unit 'kg/m2' (set profiles.valid_range)"), validate.stdout)
    }

    /// An interval table made from the tiny project's sites: surface value 20 + i, halving with depth.
    func useIntervals(_ p: TinyProject, valueScale: String = "1", edit: (inout [String]) -> Void = { _ in }) throws {
        var lines = ["site,d1,d2,d3,d4,d5,d6"]
        for (i, id) in p.siteIDs.enumerated() {
            lines.append(([id] + (0..<6).map { String(Double(20 + i) / Double(1 << $0)) }).joined(separator: ","))
        }
        edit(&lines)
        try (lines.joined(separator: "\n") + "\n").write(
            toFile: p.folder.file("intervals.csv"), atomically: true, encoding: .utf8)
        try p.editPipeline(
            """
              horizons:
                file: horizons.csv
                id_column: id
                top_column: top
                bottom_column: bottom
                value_column: oc
            """,
            """
              intervals:
                file: intervals.csv
                id_column: site
                columns: [d1, d2, d3, d4, d5, d6]
                value_scale: \(valueScale)
            """)
    }

    func testIntervalValuesOutsideTheRange_areLeftMissingAndReportedWithLines() throws {
        let p = try TinyProject()
        try useIntervals(p) { lines in
            lines[2] = "S002,-1,10,5,2.5,1.25,0.6"
            lines[5] = "S005,24,12,1e30,3,1.5,0.75"
        }
        let (report, _) = try runSucceeds(p)
        XCTAssertTrue(report.contains("outOfRange: 2 (2 different actions) — intervals.csv lines 3, 6"), report)
        XCTAssertTrue(report.contains("| 0-5cm | 23 |"), report)
        XCTAssertTrue(report.contains("| 15-30cm | 23 |"), report)
    }

    // MARK: 4. Scale factors

    func testValueScaleZeroOrNegative_isAValidationErrorNamingTheKey() throws {
        let p = try TinyProject()
        try useIntervals(p, valueScale: "0")
        for command in ["validate", "run"] {
            try assertFails(
                p, ["pipeline.yaml:21:", "profiles.intervals.value_scale", "greater than 0"], command: command)
        }
        let q = try TinyProject()
        for bad in ["0", "-0.1"] {
            try q.editPipeline("    value_column: oc\n", "    value_column: oc\n    value_scale: \(bad)\n")
            for command in ["validate", "run"] {
                try assertFails(
                    q, ["pipeline.yaml:23:", "profiles.horizons.value_scale", "greater than 0"], command: command)
            }
            try q.editPipeline("    value_scale: \(bad)\n", "")
        }
    }

    // MARK: 5. A depth interval without samples

    func testDepthWithNoSample_failsBeforeTrainingNamingTheDepth() throws {
        let p = try TinyProject()
        try p.editPipeline(
            "  size: 7\n",
            "  size: 7\ndepths: [\"0-5\", \"5-15\", \"15-30\", \"30-60\", \"60-100\", \"100-200\", \"200-300\"]\n"
                + EvaluateCommandTests.training)
        try assertFails(
            p,
            [
                "no site has a value at 200-300cm (no profile reaches it)", "horizon depths", "cm",
                "remove the depth from 'depths'", "horizons.csv"
            ])
    }

    // MARK: 6. Sites whose coordinates cannot be transformed

    func testUntransformableSites_areCountedAsRead() throws {
        let p = try TinyProject()
        try p.edit("sites.csv") { $0 + "POLE,149.0,95.0\n" }
        let (report, notes) = try runSucceeds(p)
        XCTAssertTrue(report.contains("| rows in sites.csv | 25 |"), report)
        XCTAssertTrue(report.contains("| sites read | 25 |"), report)
        XCTAssertTrue(report.contains("| coordinates not transformable | 1 |"), report)
        XCTAssertTrue(report.contains("| **used** | **24** |"), report)
        XCTAssertTrue(
            notes.contains("sites: 25 read from sites.csv; 1 with coordinates that could not be transformed"), notes)
        let dropped = try String(contentsOfFile: p.folder.file("out/dropped_sites.csv"), encoding: .utf8)
        XCTAssertTrue(dropped.contains("POLE,26,coordinates could not be transformed"), dropped)
    }

    // MARK: 7. Long tables

    /// Writes long.csv: the horizon table with each site's coordinates repeated on every row.
    func writeLongTable(_ p: TinyProject) throws {
        let sites = try String(contentsOfFile: p.folder.file("sites.csv"), encoding: .utf8).split(separator: "\n")
            .dropFirst()
        var coords: [String: String] = [:]
        for s in sites {
            let f = s.split(separator: ",")
            coords[String(f[0])] = "\(f[1]),\(f[2])"
        }
        let horizons = try String(contentsOfFile: p.folder.file("horizons.csv"), encoding: .utf8).split(separator: "\n")
            .dropFirst()
        let rows = horizons.map { h -> String in
            let f = h.split(separator: ",", maxSplits: 1)
            return "\(f[0]),\(coords[String(f[0])]!),\(f[1])"
        }
        try (["id,lon,lat,top,bottom,oc"] + rows).joined(separator: "\n").appending("\n")
            .write(toFile: p.folder.file("long.csv"), atomically: true, encoding: .utf8)
        try p.editPipeline("  file: sites.csv", "  file: long.csv")
        try p.editPipeline("    file: horizons.csv", "    file: long.csv")
    }

    func testLongTable_servesAsSitesAndHorizons_repeatedRowsCounted() throws {
        let p = try TinyProject()
        try writeLongTable(p)
        let (report, notes) = try runSucceeds(p)
        XCTAssertTrue(report.contains("| rows in long.csv | 72 |"), report)
        XCTAssertTrue(report.contains("| repeated rows of a site (same coordinates) | 48 |"), report)
        XCTAssertTrue(report.contains("| sites read | 24 |"), report)
        XCTAssertTrue(report.contains("| **used** | **24** |"), report)
        XCTAssertTrue(
            report.contains("repeatedSiteRow: 48 (kept the site once) — long.csv lines 3, 4, 6, 7, 9"), report)
        XCTAssertTrue(notes.contains("sites: 24 read from long.csv (48 repeated rows)"), notes)
        let json =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: p.folder.file("out/report.json")))) as? [String: Any]
        let sites = json?["sites"] as? [String: Any]
        XCTAssertEqual(sites?["read"] as? Int, 24)
        XCTAssertEqual(sites?["repeated_rows"] as? Int, 48)
        XCTAssertEqual(sites?["skipped_rows"] as? Int, 0)
    }

    func testLongTable_disagreeingCoordinates_failNamingBothLines() throws {
        let p = try TinyProject()
        try writeLongTable(p)
        try p.edit("long.csv") { text in
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            var f = lines[3].split(separator: ",").map(String.init)  // S001's third horizon, line 4
            f[2] = String(Double(f[2])! + 0.01)
            lines[3] = f.joined(separator: ",")
            return lines.joined(separator: "\n")
        }
        try assertFails(
            p, ["long.csv", "site id 'S001' appears on line 2 and line 4 with different coordinates", "sites.id_column"]
        )
    }

    // MARK: 8. Files and encodings

    func utf16(_ text: String, bigEndian: Bool) -> Data {
        Data(
            (bigEndian ? [0xFE, 0xFF] : [0xFF, 0xFE])
                + text.utf16.flatMap {
                    bigEndian ? [UInt8($0 >> 8), UInt8($0 & 0xFF)] : [UInt8($0 & 0xFF), UInt8($0 >> 8)]
                })
    }

    func testUTF16Tables_failNamingFileAndEncoding() throws {
        for bigEndian in [false, true] {
            let p = try TinyProject()
            let text = try String(contentsOfFile: p.folder.file("sites.csv"), encoding: .utf8)
            try utf16(text, bigEndian: bigEndian).write(to: URL(fileURLWithPath: p.folder.file("sites.csv")))
            let fragments = [
                "sites.csv", "UTF-16 \(bigEndian ? "big" : "little")-endian", "not UTF-8", "save it as UTF-8"
            ]
            try assertFails(p, fragments)
            try assertFails(p, fragments, command: "validate")
        }
    }

    func testLatin1Table_failsNamingFileLineAndEncoding() throws {
        let p = try TinyProject()
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: p.folder.file("horizons.csv"))))
        bytes += Array("S001,110,120,".utf8) + [0xB5] + Array("\n".utf8)  // Latin-1 µ on line 74
        try Data(bytes).write(to: URL(fileURLWithPath: p.folder.file("horizons.csv")))
        try assertFails(p, ["horizons.csv line 74", "not UTF-8", "Latin-1", "save it as UTF-8"])
    }

    func testUTF8BOMAndCRLF_areAccepted() throws {
        let p = try TinyProject()
        for name in ["sites.csv", "horizons.csv"] {
            let text = try String(contentsOfFile: p.folder.file(name), encoding: .utf8)
            try Data([0xEF, 0xBB, 0xBF] + Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8))
                .write(to: URL(fileURLWithPath: p.folder.file(name)))
        }
        let (report, _) = try runSucceeds(p)
        XCTAssertTrue(report.contains("| **used** | **24** |"), report)
        XCTAssertTrue(report.contains("| sites read | 24 |"), report)
        XCTAssertFalse(report.contains("nonNumeric") || report.contains("missingValue"), report)
    }

    func testEmptyHeaderOnlyFolderAndUnreadableTables_failNamingTheFile() throws {
        let p = try TinyProject()
        let sites = try Data(contentsOf: URL(fileURLWithPath: p.folder.file("sites.csv")))
        try Data().write(to: URL(fileURLWithPath: p.folder.file("sites.csv")))
        try assertFails(p, ["sites.csv is empty", "header line"])
        try assertFails(p, ["sites.csv is empty"], command: "validate")
        try "id,lon,lat\r\n".write(toFile: p.folder.file("sites.csv"), atomically: true, encoding: .utf8)
        try assertFails(p, ["sites.csv has a header (line 1) but no rows", "one row per site"])
        try sites.write(to: URL(fileURLWithPath: p.folder.file("sites.csv")))

        try FileManager.default.createDirectory(atPath: p.folder.file("tables"), withIntermediateDirectories: false)
        try p.editPipeline("    file: horizons.csv", "    file: tables")
        try assertFails(p, ["cannot read", "/tables", "is a folder", "path of the CSV file"])
        try assertFails(p, ["is a folder"], command: "validate")
        try p.editPipeline("    file: tables", "    file: nothere.csv")
        try assertFails(p, ["nothere.csv", "no such file", "check the path"])
        try p.editPipeline("    file: nothere.csv", "    file: horizons.csv")

        guard getuid() != 0 else { return }  // root reads any file: permissions cannot make one unreadable
        try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: p.folder.file("horizons.csv"))
        defer {
            try? FileManager.default.setAttributes(
                [.posixPermissions: 0o644], ofItemAtPath: p.folder.file("horizons.csv"))
        }
        try assertFails(p, ["horizons.csv", "permission denied"])
    }
}
