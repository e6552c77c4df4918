import Foundation
import Randomness
import XCTest

@testable import Evaluation

/// Where the kriging variance belongs in the interval (`KrigingVarianceCheck`): only where a band scaled by the
/// kriging SD is calibrated in every fifth of it, and better than the maps' method.
final class KrigingVarianceCheckTests: XCTestCase {
    /// Held-out samples of one depth in 5 folds whose error SD is `sd(s)` at kriging SD s.
    func samples(seed: UInt64, sd: (Double) -> Double) -> [IntervalSample] {
        var rng = SplitMix64(seed: seed)
        func uniform() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
        return (0..<2000).map { i in
            let s = 0.2 + 2 * uniform()
            // A normal error by Box-Muller.
            let z = (-2 * log(max(uniform(), 1e-300))).squareRoot() * cos(2 * .pi * uniform())
            return IntervalSample(depth: 0, fold: i % 5, observed: 10 + sd(s) * z, predicted: 10, spread: s)
        }
    }

    func testFolded_whereTheErrorGrowsWithTheKrigingSD_notWhereItDoesNot() {
        let growing = KrigingVarianceCheck.measure(
            samples(seed: 3, sd: { $0 }), model: "rf+rk", method: .conformal, level: 0.9, folds: 5,
            depthLabels: ["0-5cm"])
        let d = growing.depths[0]
        XCTAssertTrue(d.folded, "\(d)")
        XCTAssertLessThan(d.methodCoverage[4], 0.85, "the constant band misses the far cells")
        XCTAssertTrue(d.krigedCoverage.allSatisfy { abs($0 - 0.9) <= 0.05 }, "\(d.krigedCoverage)")
        let constant = KrigingVarianceCheck.measure(
            samples(seed: 4, sd: { _ in 1 }), model: "rf+rk", method: .conformal, level: 0.9, folds: 5,
            depthLabels: ["0-5cm"])
        XCTAssertFalse(constant.depths[0].folded, "\(constant.depths[0])")
        XCTAssertFalse(constant.folded("0-5cm"))
        XCTAssertTrue(growing.folded("0-5cm"))
        XCTAssertTrue(growing.markdown(unit: "g/kg").contains(" | 2000 | "), growing.markdown(unit: "g/kg"))
    }

    /// Where the kriging SD is constant (a pure nugget far from nothing) its fifths coincide: the empty ones have
    /// no coverage, written as null and read back as NaN.
    func testConstantKrigingSD_leavesEmptyFifths_thatRoundTripThroughJSON() throws {
        let constant = samples(seed: 5, sd: { _ in 1 }).map {
            IntervalSample(depth: 0, fold: $0.fold, observed: $0.observed, predicted: $0.predicted, spread: 0.7)
        }
        let check = KrigingVarianceCheck.measure(
            constant, model: "transfer+rk", method: .logConformal, level: 0.9, folds: 5, depthLabels: ["0-5cm"])
        XCTAssertTrue(check.depths[0].methodCoverage.contains { $0.isNaN }, "\(check.depths[0])")
        let json = try JSONEncoder().encode(check)
        XCTAssertTrue(String(decoding: json, as: UTF8.self).contains("null"))
        XCTAssertEqual(try JSONDecoder().decode(KrigingVarianceCheck.self, from: json), check)
    }
}
