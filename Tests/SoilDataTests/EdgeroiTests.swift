import Foundation
import XCTest

@testable import SoilData

/// Harmonises the real Edgeroi horizons (shared/real-data, next to the repository) to the six standard
/// depths. Skipped when the shared folder is not there.
final class EdgeroiTests: XCTestCase {
    func edgeroiPath() throws -> String {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let candidates = [
            ProcessInfo.processInfo.environment["SOCMAP_SHARED"].map { "\($0)/real-data/edgeroi/horizons.csv" },
            repo.deletingLastPathComponent().appendingPathComponent("shared/real-data/edgeroi/horizons.csv").path
        ].compactMap { $0 }
        guard let path = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw XCTSkip("Edgeroi horizons.csv not found (looked in \(candidates.joined(separator: ", ")))")
        }
        return path
    }

    func testEdgeroi_harmonisesOrganicCarbonToStandardDepths() throws {
        let path = try edgeroiPath()
        let columns = HorizonColumns(id: "SOURCEID", top: "UHDICM", bottom: "LHDICM", value: "ORCDRC", valueScale: 0.1)
        let (horizons, loadIssues) = try loadHorizons(path: path, columns: columns)
        var issues = loadIssues
        let profiles = harmonise(horizons, depths: DepthInterval.standard, source: path, issues: &issues)
        let perDepth = (0..<6).map { k in profiles.filter { $0.values[k] != nil }.count }
        print(
            "Edgeroi: \(horizons.count) horizons, \(profiles.count) profiles; sites with a value per depth "
                + zip(DepthInterval.standard, perDepth).map { "\($0.label)=\($1)" }.joined(separator: " "))
        for line in issues.summary() { print("  " + line) }

        // The data set's README: 359 profiles, 325 with organic carbon, covering all six depths.
        XCTAssertEqual(Set(horizons.map(\.siteID)).count, 325)
        XCTAssertEqual(issues.count(of: .emptyProfile), 359 - 325)
        XCTAssertEqual(issues.count(of: .overlappingHorizons), 0)
        XCTAssertEqual(profiles.count, 325)
        // Site 199_CAN_CP193_1 has no horizon above 10 cm, so 0-5 is missing for it (mpspline2 does the same);
        // eight profiles end above 100 cm. Counts from this implementation on the shared file (2026-11-29).
        XCTAssertEqual(perDepth, [324, 325, 325, 325, 325, 317])
        XCTAssertEqual(issues.entries(of: .startsBelowSurface).compactMap(\.siteID).first, "199_CAN_CP193_1")
        for p in profiles { for v in p.values.compactMap({ $0 }) { XCTAssert(v >= 0 && v <= 1000) } }
    }
}
