import XCTest

@testable import SoilData

final class IntervalValuesTests: XCTestCase {
    let depths = [DepthInterval(top: 0, bottom: 5), DepthInterval(top: 5, bottom: 15)]
    let columns = IntervalColumns(id: "id", columns: ["soc_0_5", "soc_5_15"])

    func testLoadIntervalValues_missingAndNonNumericBecomeNilAndAreCounted() throws {
        let dir = try TempDir()
        let path = try dir.write("iv.csv", "id,soc_0_5,soc_5_15\na,1.5,1.0\nb,NA,0.7\nc,2,x\nd,,NA\n")
        let (profiles, issues) = try loadIntervalValues(path: path, columns: columns, depths: depths)
        XCTAssertEqual(
            profiles,
            [
                SiteProfile(siteID: "a", values: [1.5, 1.0], line: 2),
                SiteProfile(siteID: "b", values: [nil, 0.7], line: 3),
                SiteProfile(siteID: "c", values: [2, nil], line: 4)
            ])
        XCTAssertEqual(issues.entries(of: .missingValue).map(\.line), [3, 5, 5])
        XCTAssertEqual(issues.entries(of: .nonNumeric).map(\.line), [4])
        XCTAssertEqual(issues.entries(of: .emptyProfile).map(\.line), [5])
        XCTAssertEqual(issues.entries(of: .missingValue).first?.action, "left 0-5cm missing")
    }

    func testLoadIntervalValues_duplicateSiteIsAnError() throws {
        let dir = try TempDir()
        let path = try dir.write("iv.csv", "id,soc_0_5,soc_5_15\na,1,1\na,2,2\n")
        let e = soilError { _ = try loadIntervalValues(path: path, columns: self.columns, depths: self.depths) }
        XCTAssertEqual(e?.kind, .duplicateSite)
        XCTAssertTrue(e?.message.contains("line 2 and line 3") ?? false)
    }

    func testLoadIntervalValues_missingColumnNamesDepth() throws {
        let dir = try TempDir()
        let path = try dir.write("iv.csv", "id,soc_0_5\na,1\n")
        let e = soilError { _ = try loadIntervalValues(path: path, columns: self.columns, depths: self.depths) }
        XCTAssertTrue(
            e?.message.contains("no column 'soc_5_15' (the 5-15cm value column, key intervals.columns)") ?? false,
            e?.message ?? "")
    }
}
