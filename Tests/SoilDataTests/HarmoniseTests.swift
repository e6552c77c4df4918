import XCTest

@testable import SoilData

final class HarmoniseTests: XCTestCase {
    func h(_ id: String, _ top: Double, _ bottom: Double, _ v: Double, line: Int) -> Horizon {
        Horizon(siteID: id, top: top, bottom: bottom, value: v, line: line)
    }

    func testHarmonise_matchesSplineMeansAndKeepsFirstAppearanceOrder() {
        let input = [
            h("b", 0, 10, 10, line: 2), h("a", 0, 20, 3, line: 3), h("b", 10, 30, 4, line: 4),
            h("a", 20, 40, 1, line: 5)
        ]
        var issues = DataIssues()
        let profiles = harmonise(input, depths: DepthInterval.standard, options: SplineOptions(), issues: &issues)
        XCTAssertEqual(profiles.map(\.siteID), ["b", "a"])
        XCTAssertEqual(profiles.map(\.line), [2, 3])
        // Site b is the hand-worked two-horizon profile of EqualAreaSplineTests.
        XCTAssertEqual(value(profiles[0].values[0]), 1103.0 / 104, accuracy: 1e-12)
        XCTAssertEqual(value(profiles[0].values[1]), 3287.0 / 416, accuracy: 1e-12)
        XCTAssertEqual(value(profiles[0].values[2]), 681.0 / 208, accuracy: 1e-12)
        XCTAssertEqual(profiles[0].values.count, 6)
    }

    func testHarmonise_intervalAtOrBelowDeepestBottomIsNil() {
        var issues = DataIssues()
        let p = harmonise(
            [h("s", 0, 10, 2, line: 2), h("s", 10, 30, 1, line: 3)], depths: DepthInterval.standard,
            issues: &issues)
        XCTAssertNotNil(p[0].values[2])
        XCTAssertEqual(p[0].values[3], nil, "30-60 starts at the deepest bottom")
        XCTAssertEqual(p[0].values[5], nil)
        // Float32 noise in the deepest bottom does not create a 1e-6 cm sliver of 30-60.
        let q = harmonise(
            [h("s", 0, 10, 2, line: 2), h("s", 10, 30.0000011920929, 1, line: 3)],
            depths: DepthInterval.standard, issues: &issues)
        XCTAssertEqual(q[0].values[3], nil)
        XCTAssertEqual(issues.count(of: .partialCoverage), 0)
    }

    func testHarmonise_straddlingIntervalIsMeanOverCoveredPart() {
        let input = [h("s", 0, 10, 2, line: 2), h("s", 10, 45, 1, line: 3)]
        var issues = DataIssues()
        let p = harmonise(input, depths: DepthInterval.standard, issues: &issues)
        let fit = fitEqualAreaSpline(input.map { HorizonValue(top: $0.top, bottom: $0.bottom, value: $0.value) })
        XCTAssertEqual(value(p[0].values[3]), value(fit.mean(from: 30, to: 45)), accuracy: 1e-12)
        XCTAssertEqual(issues.entries(of: .partialCoverage).count, 1)
        XCTAssertTrue(
            issues.entries(of: .partialCoverage).first?.message.contains("covers only 30-45cm of 30-60cm") ?? false)
        XCTAssertEqual(issues.entries(of: .partialCoverage).first?.line, 2)
    }

    func testHarmonise_profileStartingBelowSurfaceLeavesTopIntervalsMissing() {
        var issues = DataIssues()
        let p = harmonise(
            [h("s", 10, 20, 2, line: 4), h("s", 20, 40, 1, line: 5)], depths: DepthInterval.standard,
            issues: &issues)
        XCTAssertEqual(p[0].values[0], nil)
        XCTAssertNotNil(p[0].values[1], "5-15 is averaged over the covered 10-15")
        XCTAssertEqual(issues.count(of: .startsBelowSurface), 1)
    }

    func testHarmonise_overlappingHorizonsSkipTheSiteWithBothLines() {
        let input = [
            h("ok", 0, 10, 1, line: 2), h("bad", 0, 20, 1, line: 3), h("bad", 10, 30, 2, line: 4),
            h("ok", 10, 20, 1, line: 5)
        ]
        var issues = DataIssues()
        let p = harmonise(input, depths: DepthInterval.standard, issues: &issues)
        XCTAssertEqual(p.map(\.siteID), ["ok"])
        let overlap = issues.entries(of: .overlappingHorizons)
        XCTAssertEqual(overlap.count, 1)
        XCTAssertEqual(overlap.first?.line, 4)
        XCTAssertEqual(overlap.first?.siteID, "bad")
        XCTAssertEqual(overlap.first?.action, "skipped site")
        XCTAssertTrue(overlap.first?.message.contains("line 3") ?? false, overlap.first?.message ?? "")
    }

    func testHarmonise_overlapWithinToleranceIsAdjustedAndCounted() {
        var issues = DataIssues()
        let p = harmonise(
            [h("s", 0, 10, 1, line: 2), h("s", 9.9999999, 20, 2, line: 3)], depths: DepthInterval.standard,
            issues: &issues)
        XCTAssertEqual(p.count, 1)
        XCTAssertEqual(issues.entries(of: .adjustedDepth).map(\.line), [3])
        XCTAssertEqual(issues.entries(of: .adjustedDepth).first?.action, "adjusted top to 10")
    }

    func testHarmonise_duplicateHorizons() {
        var issues = DataIssues()
        let same = harmonise(
            [h("s", 0, 10, 1, line: 2), h("s", 0, 10, 1, line: 3), h("s", 10, 20, 2, line: 4)],
            depths: DepthInterval.standard, issues: &issues)
        XCTAssertEqual(same.count, 1)
        XCTAssertEqual(issues.entries(of: .duplicateHorizon).map(\.line), [3])
        XCTAssertEqual(issues.entries(of: .duplicateHorizon).first?.action, "skipped horizon")

        var issues2 = DataIssues()
        let differ = harmonise(
            [h("s", 0, 10, 1, line: 2), h("s", 0, 10, 5, line: 3)], depths: DepthInterval.standard,
            issues: &issues2)
        XCTAssertTrue(differ.isEmpty)
        XCTAssertEqual(issues2.entries(of: .duplicateHorizon).first?.action, "skipped site")
        XCTAssertEqual(issues2.entries(of: .duplicateHorizon).first?.line, 3)
    }

    func testHarmonise_badHorizonsFromOtherSourcesAreCounted() {
        var issues = DataIssues()
        let p = harmonise(
            [
                h("s", 0, 10, 1, line: 2), h("s", 20, 10, 1, line: 3), h("s", -5, 0, 1, line: 4),
                h("s", 10, 20, .nan, line: 5), h("t", -3, -1, 1, line: 6)
            ],
            depths: DepthInterval.standard, issues: &issues)
        XCTAssertEqual(p.map(\.siteID), ["s"])
        XCTAssertEqual(issues.entries(of: .topNotAboveBottom).map(\.line), [3])
        XCTAssertEqual(issues.entries(of: .negativeDepth).map(\.line), [4, 6])
        XCTAssertEqual(issues.entries(of: .nonNumeric).map(\.line), [5])
        XCTAssertEqual(issues.entries(of: .emptyProfile).map(\.siteID), ["t"])
    }

    func testHarmonise_valuesAreClampedToLimitsAndCounted() {
        var issues = DataIssues()
        let input = [
            h("low", 0, 10, 20, line: 2), h("low", 10, 20, 0.5, line: 3), h("low", 20, 40, 0.2, line: 4),
            h("low", 40, 60, 3, line: 5),
            h("high", 0, 10, 990, line: 6), h("high", 10, 20, 700, line: 7)
        ]
        let p = harmonise(
            input, depths: DepthInterval.standard, options: SplineOptions(minValue: 0, maxValue: 1000),
            issues: &issues)
        for profile in p {
            for v in profile.values.compactMap({ $0 }) {
                XCTAssertGreaterThanOrEqual(v, 0)
                XCTAssertLessThanOrEqual(v, 1000)
            }
        }
        // Reference (see EqualAreaSplineTests): the clamped 15-30 mean of "low" is 0.015672406445756636.
        XCTAssertEqual(value(p[0].values[2]), 0.015672406445756636, accuracy: 1e-7)
        let clamped = issues.entries(of: .clampedValue)
        XCTAssertTrue(clamped.contains { $0.siteID == "low" && $0.message.contains("15-30cm") })
        XCTAssertTrue(clamped.contains { $0.siteID == "high" && $0.message.contains("0-5cm") })
        XCTAssertFalse(clamped.contains { $0.siteID == "low" && $0.message.contains("0-5cm") })
    }

    func testHarmonise_profileDeeperThanAllIntervalsIsSkippedAndCounted() {
        var issues = DataIssues()
        let p = harmonise([h("deep", 250, 300, 1, line: 2)], depths: DepthInterval.standard, issues: &issues)
        XCTAssertTrue(p.isEmpty)
        XCTAssertEqual(issues.entries(of: .noDepthCovered).map(\.line), [2])
    }

    // Found by Fuzz/FuzzHorizons: a spline that leaves double precision (values near 1e308, a horizon
    // 1e-320 cm thick) gave NaN interval values, which passed the clamp to [min, max].
    func testHarmonise_splineThatOverflowsSkipsTheSiteInsteadOfGivingNaN() {
        var issues = DataIssues()
        let huge = [
            h("huge", 0, 5, 1e308, line: 2), h("huge", 5, 15, -1e308, line: 3), h("huge", 15, 30, 1e308, line: 4)
        ]
        let subnormal = Double.leastNormalMagnitude / 1e12  // about 2e-320 cm
        let thin = [h("thin", 0, subnormal, 5, line: 5), h("thin", subnormal, 200, 1, line: 6)]
        let p = harmonise(huge + thin + [h("ok", 0, 10, 2, line: 7)], depths: DepthInterval.standard, issues: &issues)
        XCTAssertEqual(p.map(\.siteID), ["ok"])
        XCTAssertEqual(issues.entries(of: .nonNumeric).map(\.siteID), ["huge", "thin"])
        XCTAssertEqual(issues.entries(of: .nonNumeric).map(\.line), [2, 5])
    }
}
