import Applicability
import XCTest

/// The expected error against the DI: groups of equal count, non-decreasing RMSE, linear between points,
/// constant beyond the ends.
final class ErrorProfileTests: XCTestCase {
    func testProfile_isTheGroupsRMSE_madeNonDecreasing() throws {
        // 40 samples: DI 0..<40, errors 1 (first ten), 3 (next ten), 2 (next ten), 4 (last ten).
        let di = (0..<40).map(Double.init)
        let errors = (0..<40).map { i -> Double in [1.0, -3, 2, -4][i / 10] }
        let p = try XCTUnwrap(ErrorProfile(di: di.reversed(), errors: errors.reversed()), "order does not matter")
        XCTAssertEqual(p.samples, 40)
        XCTAssertEqual(p.di, [4.5, 14.5, 24.5, 34.5], "four groups of ten, at their mean DI")
        let pooled = ((9.0 + 4.0) / 2).squareRoot()
        XCTAssertEqual(p.rmse[0], 1)
        XCTAssertEqual(p.rmse[1], pooled, accuracy: 1e-12, "groups 2 and 3 pooled: their RMSE together")
        XCTAssertEqual(p.rmse[2], pooled, accuracy: 1e-12)
        XCTAssertEqual(p.rmse[3], 4)
        XCTAssertEqual(p.expected(-5), 1, "constant below the first point")
        XCTAssertEqual(p.expected(100), 4, "constant beyond the last point: no extrapolated trend")
        XCTAssertEqual(p.expected(9.5), 1 + (pooled - 1) / 2, accuracy: 1e-12, "linear between points")
        XCTAssertTrue(p.expected(.nan).isNaN)
        XCTAssertTrue(zip(p.rmse, p.rmse.dropFirst()).allSatisfy { $0 <= $1 })
    }

    func testFewSamples_giveOneGroup_andNoneGiveNoProfile() throws {
        let p = try XCTUnwrap(ErrorProfile(di: [0.1, 0.5, 0.2], errors: [1, -2, 2]))
        XCTAssertEqual(p.di.count, 1)
        XCTAssertEqual(p.rmse[0], (9.0 / 3).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(p.expected(0), p.rmse[0])
        XCTAssertNil(ErrorProfile(di: [.nan], errors: [1]))
        let many = try XCTUnwrap(
            ErrorProfile(di: (0..<1000).map(Double.init), errors: [Double](repeating: 1, count: 1000)))
        XCTAssertEqual(many.di.count, ErrorProfile.groups, "at most ten groups")
    }
}
