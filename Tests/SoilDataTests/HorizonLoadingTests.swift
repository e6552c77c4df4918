import XCTest

@testable import SoilData

final class HorizonLoadingTests: XCTestCase {
    let columns = HorizonColumns(id: "SID", top: "UD", bottom: "LD", value: "OC")

    func testLoadHorizons_eachCheckIsCountedWithItsLine() throws {
        let dir = try TempDir()
        let path = try dir.write(
            "horizons.csv",
            """
            SID,UD,LD,OC
            a,0,10,1.5
            a,10,20,NA
            a,20,30,
            a,30,40,NaN
            a,40,50,lots
            a,50,50,1
            a,70,60,1
            a,-5,0,2
            a,60,x,1
            ,0,10,1
            a,80,90,0.5
            b,0,10,NA
            """)
        let (horizons, issues) = try loadHorizons(path: path, columns: columns)
        XCTAssertEqual(
            horizons,
            [
                Horizon(siteID: "a", top: 0, bottom: 10, value: 1.5, line: 2),
                Horizon(siteID: "a", top: 80, bottom: 90, value: 0.5, line: 12)
            ])
        XCTAssertEqual(issues.entries(of: .missingValue).map(\.line), [3, 4, 5, 13])
        XCTAssertEqual(issues.entries(of: .nonNumeric).map(\.line), [6, 10])
        XCTAssertEqual(issues.entries(of: .topNotAboveBottom).map(\.line), [7, 8])
        XCTAssertEqual(issues.entries(of: .negativeDepth).map(\.line), [9])
        XCTAssertEqual(issues.entries(of: .missingID).map(\.line), [11])
        XCTAssertEqual(issues.entries(of: .emptyProfile).map(\.siteID), ["b"])
        XCTAssertEqual(issues.entries(of: .emptyProfile).map(\.line), [13])
        XCTAssertTrue(issues.entries.allSatisfy { $0.file == path })
        XCTAssertEqual(issues.entries(of: .missingValue).first?.action, "skipped horizon")
    }

    func testLoadHorizons_valueScaleIsApplied() throws {
        let dir = try TempDir()
        let path = try dir.write("h.csv", "SID,UD,LD,OC\na,0,10,15\n")
        var cols = columns
        cols.valueScale = 0.1
        let (horizons, _) = try loadHorizons(path: path, columns: cols)
        XCTAssertEqual(horizons.first?.value ?? .nan, 1.5, accuracy: 1e-12)
    }

    func testLoadHorizons_missingSurfaceAndDeepestDepthsAreRepairedAsMpspline2() throws {
        let dir = try TempDir()
        let path = try dir.write("h.csv", "SID,UD,LD,OC\na,NA,10,3\na,10,20,2\na,20,NA,1\nb,0,10,1\nb,,20,1\n")
        let (horizons, issues) = try loadHorizons(path: path, columns: columns)
        XCTAssertEqual(horizons.filter { $0.siteID == "a" }.map { [$0.top, $0.bottom] }, [[0, 10], [10, 20], [20, 30]])
        XCTAssertEqual(issues.entries(of: .missingDepth).map(\.line), [2, 4, 6])
        XCTAssertEqual(
            issues.entries(of: .missingDepth).map(\.action),
            ["set top to 0", "set bottom to top + 10 = 30", "skipped horizon"])
    }

    func testLoadHorizons_tableWithNoUsableHorizonsThrowsNamingTheFile() throws {
        let dir = try TempDir()
        let path = try dir.write("h.csv", "SID,UD,LD,OC\na,0,10,NA\nb,0,10,\n")
        let e = soilError { _ = try loadHorizons(path: path, columns: self.columns) }
        XCTAssertEqual(e?.kind, .noUsableHorizons)
        XCTAssertTrue(e?.message.hasPrefix("\(path) has no usable horizons") ?? false, e?.message ?? "")
        XCTAssertTrue(e?.message.contains("horizons.value_column") ?? false)

        let headerOnly = try dir.write("h2.csv", "SID,UD,LD,OC\n")
        XCTAssertEqual(soilError { _ = try loadHorizons(path: headerOnly, columns: self.columns) }?.kind, .noRows)
    }

    func testLoadHorizons_missingValueColumnNamesKey() throws {
        let dir = try TempDir()
        let path = try dir.write("h.csv", "SID,UD,LD,ORCDRC\na,0,10,1\n")
        let e = soilError { _ = try loadHorizons(path: path, columns: self.columns) }
        XCTAssertEqual(
            e?.message,
            "\(path) has no column 'OC' (the horizon value column, key horizons.value_column); "
                + "columns are: SID, UD, LD, ORCDRC")
    }
}
