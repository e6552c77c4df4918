import Foundation
import XCTest

@testable import SoilData

/// Plausibility checks on soil tables: file encodings and kinds, long sites tables, depth units, gaps and
/// value ranges; each problem is an error naming the file or a counted issue with its CSV line.
final class PlausibilityTests: XCTestCase {
    let horizonColumns = HorizonColumns(
        id: "id", top: "top", bottom: "bottom", value: "oc",
        keyPrefix: "profiles.horizons")

    func assertMessage(_ e: SoilDataError?, _ fragments: [String], file: StaticString = #filePath, line: UInt = #line) {
        for f in fragments {
            XCTAssertTrue(
                e?.message.contains(f) ?? false, "'\(e?.message ?? "no error")' lacks '\(f)'", file: file, line: line)
        }
        XCTAssertFalse(e?.message.contains("NSCocoaErrorDomain") ?? false, e?.message ?? "", file: file, line: line)
    }

    // MARK: Files and encodings

    func testCSV_UTF16LittleEndianWithBOM_isAnErrorNamingTheEncoding() throws {
        let dir = try TempDir()
        let bytes: [UInt8] = [0xFF, 0xFE] + "id,x\nA,1\n".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let path = try dir.write("le.csv", bytes: bytes)
        let e = soilError { _ = try CSVTable(path: path) }
        XCTAssertEqual(e?.kind, .badEncoding)
        assertMessage(e, [path, "UTF-16 little-endian", "not UTF-8", "save it as UTF-8"])
    }

    func testCSV_UTF16BigEndianWithBOM_isAnErrorNamingTheEncoding() throws {
        let dir = try TempDir()
        let bytes: [UInt8] = [0xFE, 0xFF] + "id,x\nA,1\n".utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        let path = try dir.write("be.csv", bytes: bytes)
        let e = soilError { _ = try CSVTable(path: path) }
        XCTAssertEqual(e?.kind, .badEncoding)
        assertMessage(e, [path, "UTF-16 big-endian", "save it as UTF-8"])
    }

    func testCSV_UTF16WithoutBOM_isAnErrorNamingNULBytes() throws {
        let dir = try TempDir()
        let path = try dir.write("nobom.csv", bytes: "id,x\nA,1\n".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        let e = soilError { _ = try CSVTable(path: path) }
        XCTAssertEqual(e?.kind, .badEncoding)
        assertMessage(e, [path, "UTF-16 little-endian text without a byte-order mark", "NUL bytes"])
    }

    func testCSV_Latin1_isAnErrorNamingLineAndByte() throws {
        let dir = try TempDir()
        // "Ré" in Latin-1: 0xE9 is not valid UTF-8 on its own.
        let path = try dir.write("latin1.csv", bytes: Array("id,name\nA,x\nB,R".utf8) + [0xE9] + Array("\n".utf8))
        let e = soilError { _ = try CSVTable(path: path) }
        XCTAssertEqual(e?.kind, .badEncoding)
        XCTAssertEqual(e?.line, 3)
        assertMessage(e, ["\(path) line 3", "byte E9 is not UTF-8", "Latin-1", "save it as UTF-8"])
    }

    func testCSV_UTF8WithBOMAndCRLF_isReadLikePlainUTF8() throws {
        let dir = try TempDir()
        let path = try dir.write(
            "bom.csv", bytes: [0xEF, 0xBB, 0xBF] + Array("id,top,bottom,oc\r\nA,0,10,Ré\r\nA,10,20,2\r\n".utf8))
        let t = try CSVTable(path: path)
        XCTAssertEqual(t.header, ["id", "top", "bottom", "oc"])
        XCTAssertEqual(t.rows.map { $0[3] }, ["Ré", "2"])
        let (horizons, issues) = try loadHorizons(path: path, columns: horizonColumns)
        XCTAssertEqual(horizons.map(\.line), [3])
        XCTAssertEqual(issues.entries(of: .nonNumeric).map(\.line), [2])
    }

    func testCSV_folderIsAnErrorNamingThePath() throws {
        let dir = try TempDir()
        let e = soilError { _ = try CSVTable(path: dir.url.path) }
        XCTAssertEqual(e?.kind, .unreadableFile)
        assertMessage(e, [dir.url.path, "is a folder"])
    }

    func testCSV_missingFileAndDanglingLinkAreErrorsNamingThePath() throws {
        let dir = try TempDir()
        let e = soilError { _ = try CSVTable(path: dir.url.appendingPathComponent("nope.csv").path) }
        assertMessage(e, ["nope.csv", "no such file", "check the path"])
        let link = dir.url.appendingPathComponent("link.csv").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "gone.csv")
        assertMessage(soilError { _ = try CSVTable(path: link) }, ["link.csv", "no such file"])
    }

    func testCSV_aReadErrorIsNamedWithoutFoundationCodes() throws {
        // /proc/self/mem passes every check before reading and then fails with an I/O error (Linux).
        try XCTSkipUnless(FileManager.default.fileExists(atPath: "/proc/self/mem"), "needs Linux /proc")
        let e = soilError { _ = try CSVTable(path: "/proc/self/mem") }
        XCTAssertEqual(e?.kind, .unreadableFile)
        assertMessage(e, ["cannot read /proc/self/mem: reading failed"])
    }

    func testCSV_emptyAndBlankFilesAreErrors_headerOnlyTablesTooWhenLoaded() throws {
        let dir = try TempDir()
        for (name, text) in [("empty.csv", ""), ("blank.csv", "\n\r\n\n")] {
            let path = try dir.write(name, text)
            let e = soilError { _ = try CSVTable(path: path) }
            XCTAssertEqual(e?.kind, .emptyFile, name)
            assertMessage(e, ["\(path) is empty", "header line"])
        }
        let headerOnly = try dir.write("header.csv", "id,top,bottom,oc\r\n")
        XCTAssertEqual(try CSVTable(path: headerOnly).rows.count, 0, "a header alone is a valid table")
        let h = soilError { _ = try loadHorizons(path: headerOnly, columns: self.horizonColumns) }
        XCTAssertEqual(h?.kind, .noRows)
        assertMessage(h, ["\(headerOnly) has a header (line 1) but no rows", "one row per horizon"])
        let s = soilError { _ = try loadSites(path: headerOnly, columns: SiteColumns(id: "id", x: "top", y: "bottom")) }
        assertMessage(s, ["\(headerOnly) has a header (line 1) but no rows", "one row per site"])
        let i = soilError {
            _ = try loadIntervalValues(
                path: headerOnly, columns: IntervalColumns(id: "id", columns: ["oc"]),
                depths: [DepthInterval(top: 0, bottom: 5)])
        }
        XCTAssertEqual(i?.kind, .noRows)
    }

    // MARK: Long sites tables

    func testLoadSites_repeatedRowsWithTheSameCoordinatesAreCountedAndKeptOnce() throws {
        let dir = try TempDir()
        let path = try dir.write(
            "long.csv", "id,x,y,top,bottom,oc\na,1,2,0,10,5\na,1,2,10,20,4\nb,3,4,0,10,6\na,1,2,20,30,3\nb,,,10,20,5\n")
        let (sites, issues) = try loadSites(path: path, columns: SiteColumns(id: "id", x: "x", y: "y"))
        XCTAssertEqual(sites, [Site(id: "a", x: 1, y: 2, line: 2), Site(id: "b", x: 3, y: 4, line: 4)])
        XCTAssertEqual(issues.entries(of: .repeatedSiteRow).map(\.line), [3, 5])
        XCTAssertEqual(
            issues.entries(of: .repeatedSiteRow).first?.message, "site 'a' repeats line 2 with the same coordinates")
        XCTAssertEqual(issues.entries(of: .missingCoordinate).map(\.line), [6])
        XCTAssertEqual(issues.entries(of: .missingCoordinate).first?.action, "skipped row; site kept from line 4")
        // The same file serves as the horizon table.
        let (horizons, _) = try loadHorizons(path: path, columns: horizonColumns)
        XCTAssertEqual(horizons.count, 5)
    }

    func testLoadSites_repeatedRowWithOtherCoordinatesIsAnErrorNamingBothLines() throws {
        let dir = try TempDir()
        let path = try dir.write("long.csv", "id,x,y\na,1,2\nb,3,4\na,1,2.5\n")
        let e = soilError {
            _ = try loadSites(path: path, columns: SiteColumns(id: "id", x: "x", y: "y", keyPrefix: "sites"))
        }
        XCTAssertEqual(e?.kind, .duplicateSite)
        XCTAssertEqual(e?.line, 4)
        assertMessage(
            e,
            [
                path, "'a' appears on line 2 and line 4 with different coordinates", "(1, 2) and (1, 2.5)",
                "key sites.id_column"
            ])
    }

    // MARK: Depth units

    func testCheckDepthUnits_metresAreAnErrorNamingFileColumnsKeysAndTheFix() throws {
        let dir = try TempDir()
        let path = try dir.write("m.csv", "id,top,bottom,oc\na,0,0.1,5\na,0.1,0.4,3\na,0.4,1.2,1\nb,0,0.3,4\n")
        let (horizons, _) = try loadHorizons(path: path, columns: horizonColumns)
        let e = soilError {
            try checkDepthUnits(horizons, depths: DepthInterval.standard, path: path, columns: self.horizonColumns)
        }
        XCTAssertEqual(e?.kind, .depthsNotInCentimetres)
        assertMessage(
            e,
            [
                path, "look like metres",
                """
                horizon bottoms (column 'bottom', key profiles.horizons.bottom_column) reach \
                only 1.2 (median 0.35) over 4 horizons
                """,
                "intervals reach 200 cm", "profiles.horizons.top_column", "in cm", "depth_scale: 100"
            ])
        // One deep profile does not hide a table in metres.
        let deep = horizons + [Horizon(siteID: "c", top: 0, bottom: 4.5, value: 1, line: 6)]
        XCTAssertEqual(
            soilError {
                try checkDepthUnits(deep, depths: DepthInterval.standard, path: path, columns: self.horizonColumns)
            }?.kind,
            .depthsNotInCentimetres)
    }

    func testCheckDepthUnits_centimetresAndScaledMetresPass() throws {
        let dir = try TempDir()
        let cm = try dir.write("cm.csv", "id,top,bottom,oc\na,0,10,5\na,10,40,3\n")
        let (inCM, _) = try loadHorizons(path: cm, columns: horizonColumns)
        XCTAssertNoThrow(try checkDepthUnits(inCM, depths: DepthInterval.standard, path: cm, columns: horizonColumns))
        let m = try dir.write("m.csv", "id,top,bottom,oc\na,0,0.1,5\na,0.1,0.4,3\n")
        var scaled = horizonColumns
        scaled.depthScale = 100
        let (fromMetres, _) = try loadHorizons(path: m, columns: scaled)
        XCTAssertEqual(fromMetres.map(\.bottom), [10, 40])
        XCTAssertNoThrow(try checkDepthUnits(fromMetres, depths: DepthInterval.standard, path: m, columns: scaled))
        // A few thin surface layers in a table in cm are fine.
        let thin = inCM + [Horizon(siteID: "b", top: 0, bottom: 1, value: 9, line: 4)]
        XCTAssertNoThrow(try checkDepthUnits(thin, depths: DepthInterval.standard, path: cm, columns: horizonColumns))
        // Depth intervals that stop above 3 cm do not make shallow horizons suspicious.
        XCTAssertNoThrow(
            try checkDepthUnits(
                [Horizon(siteID: "a", top: 0, bottom: 2, value: 1, line: 2)],
                depths: [DepthInterval(top: 0, bottom: 2)], path: m, columns: horizonColumns))
    }

    // MARK: Gaps

    func testHarmonise_gapsAreCountedWithLinesAndTheSplineSpansThem() {
        var issues = DataIssues()
        let input = [
            Horizon(siteID: "s", top: 0, bottom: 10, value: 10, line: 2),
            Horizon(siteID: "s", top: 20, bottom: 40, value: 4, line: 3),
            Horizon(siteID: "s", top: 40, bottom: 60, value: 2, line: 4)
        ]
        let p = harmonise(input, depths: DepthInterval.standard, source: "h.csv", issues: &issues)
        let gaps = issues.entries(of: .gapBetweenHorizons)
        XCTAssertEqual(gaps.map(\.line), [3])
        XCTAssertEqual(gaps.first?.message, "site 's': no horizon between 10 and 20 cm (line 2 ends, line 3 starts)")
        XCTAssertEqual(gaps.first?.action, "spline fitted across the gap (a straight line in it)")
        // 5-15 and 15-30 overlap the gap and still get a value, between the horizons' values.
        let v515 = value(p[0].values[1])
        let v1530 = value(p[0].values[2])
        XCTAssertTrue(v515 > 4 && v515 < 11, "\(v515)")
        XCTAssertTrue(v1530 > 2 && v1530 < 10, "\(v1530)")
        XCTAssertEqual(issues.count(of: .partialCoverage), 0, "a gap is not partial coverage")
        XCTAssertTrue(issues.summary().contains { $0.hasPrefix("gapBetweenHorizons: 1 (spline fitted across the gap") })
    }

    // MARK: Valid range

    func testValidRange_defaultsPerUnit() {
        XCTAssertEqual(ValidRange.default(forUnit: "g/kg").map { [$0.min, $0.max] }, [0, 1000])
        XCTAssertEqual(ValidRange.default(forUnit: "%").map { [$0.min, $0.max] }, [0, 100])
        XCTAssertEqual(ValidRange.default(forUnit: "Percent").map { [$0.min, $0.max] }, [0, 100])
        XCTAssertEqual(ValidRange.default(forUnit: "g/cm3").map { [$0.min, $0.max] }, [0, 3])
        XCTAssertNil(ValidRange.default(forUnit: "kg/m2"))
        XCTAssertTrue(ValidRange.default(forUnit: "g/kg")!.description.contains("[0, 1000] (the default for unit g/kg"))
    }

    func testLoadHorizons_valuesOutsideTheValidRangeAreSkippedWithTheirLines() throws {
        let dir = try TempDir()
        let path = try dir.write(
            "h.csv", "id,top,bottom,oc\na,0,10,5\na,10,20,-1\na,20,30,1e30\na,30,40,1000\nb,0,10,2000\n")
        var columns = horizonColumns
        columns.validRange = ValidRange(min: 0, max: 1000, origin: "profiles.valid_range")
        let (horizons, issues) = try loadHorizons(path: path, columns: columns)
        XCTAssertEqual(horizons.map(\.line), [2, 5])
        let out = issues.entries(of: .outOfRange)
        XCTAssertEqual(out.map(\.line), [3, 4, 6])
        XCTAssertEqual(
            out.first?.message,
            "value -1 in column 'oc' is outside the plausible range [0, 1000] (profiles.valid_range)")
        XCTAssertEqual(out.first?.action, "skipped horizon")
        XCTAssertEqual(issues.entries(of: .emptyProfile).map(\.siteID), ["b"])
        // The range applies after value_scale.
        columns.valueScale = 0.1
        let (scaled, scaledIssues) = try loadHorizons(path: path, columns: columns)
        XCTAssertEqual(scaled.map(\.line), [2, 5, 6])
        XCTAssertTrue(
            scaledIssues.entries(of: .outOfRange).first?.message.contains("(-0.1 after value_scale 0.1)") ?? false)
    }

    func testLoadIntervalValues_valuesOutsideTheValidRangeAreLeftMissingWithTheirLines() throws {
        let dir = try TempDir()
        let path = try dir.write("iv.csv", "id,a,b\ns1,5,-3\ns2,1e30,2\ns3,-1,-2\n")
        let depths = [DepthInterval(top: 0, bottom: 5), DepthInterval(top: 5, bottom: 15)]
        let columns = IntervalColumns(
            id: "id", columns: ["a", "b"],
            validRange: ValidRange(min: 0, max: 100, origin: "profiles.valid_range"))
        let (profiles, issues) = try loadIntervalValues(path: path, columns: columns, depths: depths)
        XCTAssertEqual(
            profiles,
            [
                SiteProfile(siteID: "s1", values: [5, nil], line: 2),
                SiteProfile(siteID: "s2", values: [nil, 2], line: 3)
            ])
        XCTAssertEqual(issues.entries(of: .outOfRange).map(\.line), [2, 3, 4, 4])
        XCTAssertEqual(issues.entries(of: .outOfRange).first?.action, "left 5-15cm missing")
        XCTAssertEqual(issues.entries(of: .emptyProfile).map(\.line), [4])
    }
}
