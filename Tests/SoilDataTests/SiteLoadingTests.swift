import XCTest

@testable import SoilData

final class SiteLoadingTests: XCTestCase {
    let columns = SiteColumns(id: "ID", x: "LON", y: "LAT")

    func testLoadSites_readsCoordinatesAndLines() throws {
        let dir = try TempDir()
        let path = try dir.write("sites.csv", "ID,LON,LAT\n s1 ,149.5,-30.1\ns2,149.6,-30.2\n")
        let (sites, issues) = try loadSites(path: path, columns: columns)
        XCTAssertEqual(
            sites, [Site(id: "s1", x: 149.5, y: -30.1, line: 2), Site(id: "s2", x: 149.6, y: -30.2, line: 3)])
        XCTAssertTrue(issues.isEmpty)
    }

    func testLoadSites_badCoordinatesAreSkippedAndCountedWithLine() throws {
        let dir = try TempDir()
        let path = try dir.write("sites.csv", "ID,LON,LAT\ns1,149.5,-30.1\ns2,NA,-30.2\ns3,149.7,abc\n,1,2\ns5,1,2\n")
        let (sites, issues) = try loadSites(path: path, columns: columns)
        XCTAssertEqual(sites.map(\.id), ["s1", "s5"])
        XCTAssertEqual(issues.entries(of: .missingCoordinate).map(\.line), [3])
        XCTAssertEqual(issues.entries(of: .nonNumeric).map(\.line), [4])
        XCTAssertEqual(issues.entries(of: .missingID).map(\.line), [5])
        XCTAssertEqual(issues.entries(of: .missingCoordinate).first?.action, "skipped site")
    }

    func testLoadSites_duplicateIDIsAnErrorNamingBothLines() throws {
        let dir = try TempDir()
        let path = try dir.write("sites.csv", "ID,LON,LAT\ns1,1,2\ns2,1,2\ns1,3,4\n")
        let e = soilError { _ = try loadSites(path: path, columns: self.columns) }
        XCTAssertEqual(e?.kind, .duplicateSite)
        XCTAssertTrue(e?.message.contains("'s1' appears on line 2 and line 4") ?? false, e?.message ?? "")
    }

    func testLoadSites_allRowsBadIsAnError() throws {
        let dir = try TempDir()
        let path = try dir.write("sites.csv", "ID,LON,LAT\ns1,,2\ns2,x,2\n")
        let e = soilError { _ = try loadSites(path: path, columns: self.columns) }
        XCTAssertEqual(e?.kind, .noUsableSites)
        XCTAssertTrue(e?.message.contains("line 2") ?? false, e?.message ?? "")
    }

    func testLoadSites_missingColumnNamesTheKey() throws {
        let dir = try TempDir()
        let path = try dir.write("sites.csv", "ID,X,LAT\ns1,1,2\n")
        let e = soilError { _ = try loadSites(path: path, columns: self.columns) }
        XCTAssertEqual(
            e?.message, "\(path) has no column 'LON' (the site x column, key sites.x_column); columns are: ID, X, LAT")
    }

    func testLocate_profileWithoutSiteIsCountedAsUnknownSite() {
        var issues = DataIssues()
        let sites = [Site(id: "a", x: 1, y: 2, line: 2)]
        let profiles = [SiteProfile(siteID: "a", values: [1], line: 2), SiteProfile(siteID: "zz", values: [2], line: 7)]
        let located = locate(profiles, sites: sites, profilesFile: "h.csv", issues: &issues)
        XCTAssertEqual(located.map(\.site.id), ["a"])
        XCTAssertEqual(issues.entries(of: .unknownSite).map(\.line), [7])
        XCTAssertEqual(issues.entries(of: .unknownSite).first?.siteID, "zz")
    }
}
