import XCTest

@testable import Evaluation

final class PairedBootstrapTests: XCTestCase {
    /// Two identical models differ by exactly 0, with an interval of [0, 0].
    func testIdenticalModels_haveZeroDifferenceAndInterval() {
        let sites = (0..<50).map { PairedBootstrap.SiteErrors(a: Double($0 % 7), b: Double($0 % 7), count: 1 + $0 % 3) }
        let d = PairedBootstrap.rmseDifference(sites, resamples: 500, seed: 1)
        XCTAssertEqual(d.difference, 0)
        XCTAssertEqual(d.lower, 0)
        XCTAssertEqual(d.upper, 0)
        XCTAssertEqual(d.sites, 50)
        XCTAssertEqual(d.samples, sites.reduce(0) { $0 + $1.count })
    }

    /// A model with half the squared error at every site is better with an interval below 0; the
    /// point is RMSE(A) - RMSE(B) over all samples; the same seed gives the same interval.
    func testUniformlyBetterModel_hasAnIntervalBelowZero() {
        let sites = (0..<80).map { i -> PairedBootstrap.SiteErrors in
            let b = 1 + Double((i * 37) % 11)
            return PairedBootstrap.SiteErrors(a: b / 2, b: b, count: 2)
        }
        let d = PairedBootstrap.rmseDifference(sites, resamples: 1000, seed: 7)
        let n = Double(sites.count * 2)
        let sa = sites.reduce(0) { $0 + $1.a }
        let sb = sites.reduce(0) { $0 + $1.b }
        XCTAssertEqual(d.difference, (sa / n).squareRoot() - (sb / n).squareRoot(), accuracy: 1e-12)
        XCTAssertLessThan(d.upper, 0)
        XCTAssertLessThanOrEqual(d.lower, d.difference)
        XCTAssertGreaterThanOrEqual(d.upper, d.difference)
        XCTAssertEqual(PairedBootstrap.rmseDifference(sites, resamples: 1000, seed: 7), d)
        XCTAssertNotEqual(PairedBootstrap.rmseDifference(sites, resamples: 1000, seed: 8).lower, d.lower)
    }

    /// Noise only: the 95 % interval of a difference whose sign is random per site contains 0, and it
    /// resamples sites (a site's samples move together), so more samples per site do not narrow it.
    func testNoise_intervalContainsZeroAndResamplesSitesNotSamples() {
        let one = (0..<60).map { i in PairedBootstrap.SiteErrors(a: i % 2 == 0 ? 2 : 1, b: i % 2 == 0 ? 1 : 2, count: 1)
        }
        let many = one.map { PairedBootstrap.SiteErrors(a: $0.a * 10, b: $0.b * 10, count: 10) }
        let d1 = PairedBootstrap.rmseDifference(one, resamples: 2000, seed: 3)
        let d10 = PairedBootstrap.rmseDifference(many, resamples: 2000, seed: 3)
        XCTAssertTrue(d1.lower < 0 && d1.upper > 0, "\(d1)")
        XCTAssertEqual(d1.upper - d1.lower, d10.upper - d10.lower, accuracy: 1e-12, "same sites, same width")
    }

    /// Without a site the difference is unknown, not zero.
    func testNoSite_isNaN() {
        XCTAssertTrue(PairedBootstrap.rmseDifference([], resamples: 100, seed: 1).difference.isNaN)
    }
}
