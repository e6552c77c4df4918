import XCTest

@testable import SoilData

final class DataIssuesTests: XCTestCase {
    func testSummary_oneLinePerKindWithCountActionAndFirstLines() {
        var issues = DataIssues()
        for line in 2...9 {
            issues.append(
                DataIssue(
                    kind: .missingValue, file: "/data/horizons.csv", line: line, siteID: "s",
                    message: "no value", action: "skipped horizon"))
        }
        issues.append(
            DataIssue(
                kind: .negativeDepth, file: "/data/horizons.csv", line: 12, siteID: "s",
                message: "neg", action: "skipped horizon"))
        XCTAssertEqual(issues.counts.map(\.kind), [.missingValue, .negativeDepth])
        XCTAssertEqual(issues.counts.map(\.count), [8, 1])
        XCTAssertEqual(
            issues.summary(),
            [
                "missingValue: 8 (skipped horizon) — horizons.csv lines 2, 3, 4, 5, 6, … 3 more",
                "negativeDepth: 1 (skipped horizon) — horizons.csv line 12"
            ])
        var merged = DataIssues()
        merged.append(contentsOf: issues)
        XCTAssertEqual(merged.entries.count, 9)
        XCTAssertEqual(merged.count(of: .missingValue), 8)
    }
}
