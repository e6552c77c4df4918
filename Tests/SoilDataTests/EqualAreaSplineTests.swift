import Randomness
import XCTest

@testable import SoilData

final class EqualAreaSplineTests: XCTestCase {
    /// Worked by hand (checked with the numpy script below). Horizons 0-10 (y=10) and 10-30 (y=4),
    /// λ = 0.1, n = 2: R = 2(10+20) = 60, QQᵀ = 2, so (R + 12nλ) b = 6(y₂−y₁)
    /// gives b = −36/62.4 = −15/26;
    /// s̄ = y − nλQᵀb = (10 − 3/26, 4 + 3/26) = (257/26, 107/26).
    /// Piece 1: γ = b/20 = −3/104, α = s̄₁ − γ·100/3 = 141/13;
    /// piece 2: b0 = −15/26, γ = 3/208, α = 207/26.
    /// Means: 0-5 = α₁ + γ₁·25/3 = 1103/104; 5-15 = (4765/104 + 6905/208)/10 = 3287/416;
    /// 15-30 = (17120 − 6905)/208/15 = 681/208; 30-60 is below the profile.
    func testSpline_twoHorizonsMatchesHandWorkedValues() {
        let fit = fitEqualAreaSpline(
            [
                HorizonValue(top: 0, bottom: 10, value: 10),
                HorizonValue(top: 10, bottom: 30, value: 4)
            ], options: SplineOptions(lambda: 0.1))
        XCTAssertEqual(fit.fittedHorizonMeans[0], 257.0 / 26, accuracy: 1e-12)
        XCTAssertEqual(fit.fittedHorizonMeans[1], 107.0 / 26, accuracy: 1e-12)
        XCTAssertEqual(fit.boundarySlopes[0], -15.0 / 26, accuracy: 1e-12)
        XCTAssertEqual(value(fit.value(atDepth: 0)), 141.0 / 13, accuracy: 1e-12)
        XCTAssertEqual(value(fit.value(atDepth: 10)), 207.0 / 26, accuracy: 1e-12)
        XCTAssertEqual(value(fit.value(atDepth: 30)), 207.0 / 26 - 15.0 / 26 * 20 + 3.0 / 208 * 400, accuracy: 1e-12)
        let means = DepthInterval.standard.map { fit.mean(over: $0) }
        XCTAssertEqual(value(means[0]), 1103.0 / 104, accuracy: 1e-12)
        XCTAssertEqual(value(means[1]), 3287.0 / 416, accuracy: 1e-12)
        XCTAssertEqual(value(means[2]), 681.0 / 208, accuracy: 1e-12)
        XCTAssertNil(means[3])
        XCTAssertNil(means[4])
        XCTAssertNil(means[5])
    }

    /// Reference numbers from two independent implementations, run in a scratch venv:
    /// (1) a dense numpy transcription of mpspline2's mpspline_est1 (Z = I + 6nλQᵀR⁻¹Q, s̄ = Z⁻¹y,
    ///     b = 6R⁻¹Qs̄, mpspline_fit1's gap line), with interval means by a 400,000-point midpoint rule
    ///     of the curve clamped to [0, 1000];
    /// (2) PyPI `mpspline` 0.2.0 (a Python port of mpspline2), `spline_one(df, 'VAL')`: its est_icm (s̄)
    ///     and est_1cm (point values at whole cm) agree with (1) to 1e-15.
    /// Profiles are the two sites of mpspline2's `mpspline()` example, and one whose curve dips below 0.
    func testSpline_matchesMpspline2Reference() {
        struct Case {
            let tops, bottoms, values, sBar: [Double]
            let means: [Double?]
            let points: [(Double, Double)]
        }
        let cases = [
            Case(
                tops: [0, 20, 40, 60], bottoms: [10, 30, 50, 70], values: [6, 4, 3, 10],
                sBar: [5.9564854477216915, 4.011978378431838, 3.194128491797169, 9.837407682049305],
                means: [
                    6.092468423591479, 5.571200349424302, 4.2673076934602685, 4.272620112888763, 9.837407682050364, nil
                ],
                points: [
                    (0, 6.137796082214647), (12, 5.376291417344232), (33, 3.3313449913697597), (55, 6.450067724743089),
                    (69, 10.494551633766712)
                ]),
            Case(
                tops: [0, 15, 45, 80], bottoms: [5, 30, 60, 100], values: [0.1, 0.9, 2.5, 6],
                sBar: [0.11590307375709659, 0.9042046937235603, 2.5217127773332226, 5.95817945518612],
                means: [
                    0.11590307375704482, 0.3809543030420397, 0.9042046937235193, 2.0768397079041594,
                    5.0869181048980545, nil
                ],
                points: [
                    (0, 0.0827716700964787), (7, 0.26168124986381525), (12, 0.46046967182752246),
                    (33, 1.4057542543185537), (69, 4.11110539257311)
                ]),
            Case(
                tops: [0, 10, 20, 40], bottoms: [10, 20, 40, 60], values: [20, 0.5, 0.2, 3],
                sBar: [18.938849768825754, 1.658456857043469, 0.1617429423465959, 2.940950431784179],
                means: [22.254944241246992, 10.14661171001363, 0.015672406445756636, 2.3402900063170247, nil, nil],
                points: [
                    (0, 23.360309065385106), (7, 16.860763899442865), (33, 0.806261278680072), (55, 3.3407652165788013)
                ])
        ]
        for (k, c) in cases.enumerated() {
            let h = (0..<c.tops.count).map { HorizonValue(top: c.tops[$0], bottom: c.bottoms[$0], value: c.values[$0]) }
            let fit = fitEqualAreaSpline(h, options: SplineOptions())
            for (got, want) in zip(fit.fittedHorizonMeans, c.sBar) {
                XCTAssertEqual(got, want, accuracy: 1e-10, "case \(k)")
            }
            for (d, want) in c.points {
                XCTAssertEqual(value(fit.unclampedValue(atDepth: d)), want, accuracy: 1e-10, "case \(k) at \(d)")
            }
            for (iv, want) in zip(DepthInterval.standard, c.means) {
                let got = fit.mean(over: iv)
                if let want {
                    XCTAssertEqual(value(got), want, accuracy: 1e-7, "case \(k) \(iv)")
                } else {
                    XCTAssertNil(got, "case \(k) \(iv)")
                }
            }
        }
    }

    func testSpline_meanOverEachHorizonEqualsFittedHorizonValue_randomProfiles() {
        var rng = SplitMix64(seed: 20_251_129)
        for trial in 0..<200 {
            let n = rng.int(1, 9)
            var depth = rng.uniform(0, 5)
            var h: [HorizonValue] = []
            for _ in 0..<n {
                if rng.uniform(0, 1) < 0.3 { depth += rng.uniform(0.5, 20) }  // a gap
                let th = rng.uniform(1, 40)
                h.append(HorizonValue(top: depth, bottom: depth + th, value: rng.uniform(-5, 50)))
                depth += th
            }
            let lambda = [0.001, 0.1, 1, 10][trial % 4]
            let fit = fitEqualAreaSpline(h, options: SplineOptions(lambda: lambda))
            for (i, x) in fit.horizons.enumerated() {
                let m = value(fit.unclampedMean(from: x.top, to: x.bottom))
                XCTAssertEqual(
                    m, fit.fittedHorizonMeans[i], accuracy: 1e-9 * max(1, abs(m)), "trial \(trial) horizon \(i)")
            }
            // The curve is continuous across horizon boundaries and gaps.
            let joins = fit.pieces.dropLast().map(\.end)
            for (j, x) in joins.enumerated() {
                let left = fit.pieces[j].value(at: x)
                let right = fit.pieces[j + 1].value(at: x)
                XCTAssertEqual(left, right, accuracy: 1e-8 * max(1, abs(left)), "trial \(trial) join at \(x)")
            }
        }
    }

    func testSpline_tinyLambdaReproducesInputValues() {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<50 {
            var depth = 0.0
            let h = (0..<rng.int(2, 8)).map { _ -> HorizonValue in
                let th = rng.uniform(2, 30)
                defer { depth += th + (rng.uniform(0, 1) < 0.25 ? rng.uniform(1, 10) : 0) }
                return HorizonValue(top: depth, bottom: depth + th, value: rng.uniform(0, 40))
            }
            let fit = fitEqualAreaSpline(h, options: SplineOptions(lambda: 1e-9))
            for (x, s) in zip(h, fit.fittedHorizonMeans) { XCTAssertEqual(s, x.value, accuracy: 1e-6) }
            for x in h { XCTAssertEqual(value(fit.unclampedMean(from: x.top, to: x.bottom)), x.value, accuracy: 1e-6) }
        }
    }

    func testSpline_largerLambdaSmoothsTowardTheProfileMean() {
        let h = [HorizonValue(top: 0, bottom: 10, value: 10), HorizonValue(top: 10, bottom: 20, value: 0)]
        let rough = fitEqualAreaSpline(h, options: SplineOptions(lambda: 0.01)).fittedHorizonMeans
        let smooth = fitEqualAreaSpline(h, options: SplineOptions(lambda: 100)).fittedHorizonMeans
        XCTAssertGreaterThan(rough[0] - rough[1], smooth[0] - smooth[1])
        XCTAssertGreaterThan(smooth[0] - smooth[1], 0)
    }

    func testSpline_singleHorizonIsConstant() {
        let fit = fitEqualAreaSpline([HorizonValue(top: 10, bottom: 40, value: 2.5)])
        XCTAssertEqual(fit.fittedHorizonMeans, [2.5])
        XCTAssertEqual(fit.value(atDepth: 25), 2.5)
        XCTAssertNil(fit.value(atDepth: 5))
        XCTAssertNil(fit.value(atDepth: 41))
        XCTAssertEqual(fit.mean(over: DepthInterval(top: 15, bottom: 30)), 2.5)
        XCTAssertEqual(fit.mean(over: DepthInterval(top: 30, bottom: 60)), 2.5, "mean over the covered 30-40")
    }

    func testSpline_inputOrderDoesNotMatter() {
        let h = [
            HorizonValue(top: 30, bottom: 60, value: 1), HorizonValue(top: 0, bottom: 10, value: 5),
            HorizonValue(top: 10, bottom: 30, value: 3)
        ]
        let a = fitEqualAreaSpline(h)
        let b = fitEqualAreaSpline(h.sorted { $0.top < $1.top })
        XCTAssertEqual(a.horizons.map(\.top), [0, 10, 30])
        XCTAssertEqual(a.fittedHorizonMeans, b.fittedHorizonMeans)
    }

    func testSpline_clampedMeansStayWithinLimits() {
        // The third profile of the reference test dips below 0 between 15 and 30 cm.
        let low = fitEqualAreaSpline([
            HorizonValue(top: 0, bottom: 10, value: 20), HorizonValue(top: 10, bottom: 20, value: 0.5),
            HorizonValue(top: 20, bottom: 40, value: 0.2), HorizonValue(top: 40, bottom: 60, value: 3)
        ])
        XCTAssertLessThan(value(low.unclampedMean(from: 15, to: 30)), 0)
        XCTAssertGreaterThanOrEqual(value(low.mean(from: 15, to: 30)), 0)
        XCTAssertEqual(value(low.value(atDepth: 25)), 0, "the clamped curve is 0 where the raw curve is negative")
        XCTAssertLessThan(value(low.unclampedValue(atDepth: 25)), 0)

        let high = fitEqualAreaSpline(
            [HorizonValue(top: 0, bottom: 10, value: 990), HorizonValue(top: 10, bottom: 20, value: 700)],
            options: SplineOptions())
        XCTAssertGreaterThan(value(high.unclampedValue(atDepth: 0)), 1000)
        XCTAssertEqual(value(high.value(atDepth: 0)), 1000)
        let m = value(high.mean(from: 0, to: 5))
        XCTAssertLessThanOrEqual(m, 1000)
        XCTAssertLessThan(m, value(high.unclampedMean(from: 0, to: 5)))
    }

    func testClampedIntegral_matchesFineMidpointRule() {
        var rng = SplitMix64(seed: 99)
        for _ in 0..<100 {
            let p = QuadraticPiece(
                start: 2, end: 12, a: rng.uniform(-3, 3), b: rng.uniform(-2, 2), c: rng.uniform(-0.5, 0.5))
            let lo = rng.uniform(-2, 0)
            let hi = rng.uniform(0, 3)
            let n = 20_000
            var s = 0.0
            for k in 0..<n {
                let x = 3 + (Double(k) + 0.5) * 8 / Double(n)
                s += min(max(p.value(at: x), lo), hi)
            }
            XCTAssertEqual(p.clampedIntegral(from: 3, to: 11, lo: lo, hi: hi), s * 8 / Double(n), accuracy: 1e-5)
        }
    }
}
