import FileIO
import Foundation
import Randomness
import XCTest

@testable import Evaluation

final class IntervalTests: XCTestCase {
    /// Scores 0.5, 1.0, ..., 5.0 (n = 10).
    let tenScores = (1...10).map { Double($0) * 0.5 }

    func testConformalQuantile_isTheCeilNPlusOneLevelthSmallestScore() {
        // level 0.9: ceil(11 · 0.9) = ceil(9.9) = 10th smallest = 5.0 (the plain 90 % quantile would be 4.5).
        XCTAssertEqual(ConformalQuantile.quantile(of: tenScores.reversed(), level: 0.9), 5.0)
        // 0.8: ceil(8.8) = 9th = 4.5; 0.5: ceil(5.5) = 6th = 3.0; 0.1: ceil(1.1) = 2nd = 1.0.
        XCTAssertEqual(ConformalQuantile.quantile(of: tenScores, level: 0.8), 4.5)
        XCTAssertEqual(ConformalQuantile.quantile(of: tenScores, level: 0.5), 3.0)
        XCTAssertEqual(ConformalQuantile.quantile(of: tenScores, level: 0.1), 1.0)
        // 9 scores at 0.9: ceil(10 · 0.9) = 9, exactly the largest (no rounding up to 10).
        XCTAssertEqual(ConformalQuantile.quantile(of: Array(tenScores.prefix(9)), level: 0.9), 4.5)
    }

    func testConformalQuantile_tooFewScoresGiveNoInterval() {
        XCTAssertNil(
            ConformalQuantile.quantile(of: Array(tenScores.prefix(8)), level: 0.9), "ceil(9 · 0.9) = 9 > 8: infinite")
        XCTAssertNil(ConformalQuantile.quantile(of: [], level: 0.5))
        XCTAssertEqual(ConformalQuantile.minimumCount(level: 0.9), 9)
        XCTAssertEqual(ConformalQuantile.minimumCount(level: 0.95), 19)
        XCTAssertEqual(ConformalQuantile.minimumCount(level: 0.8), 4)
        XCTAssertEqual(ConformalQuantile.minimumCount(level: 0.5), 1)
        for level in stride(from: 0.05, to: 0.99, by: 0.05) {
            let n = ConformalQuantile.minimumCount(level: level)
            XCTAssertNotNil(ConformalQuantile.quantile(of: [Double](repeating: 1, count: n), level: level), "\(level)")
            if n > 1 {
                XCTAssertNil(
                    ConformalQuantile.quantile(of: [Double](repeating: 1, count: n - 1), level: level), "\(level)")
            }
        }
    }

    /// `count` samples over `folds` folds and one depth, residuals N(0, s²) with s = 1 or, when
    /// `heteroscedastic`, s = the sample's spread drawn from 0.2 ... 2.
    func exchangeable(count: Int, folds: Int, heteroscedastic: Bool, seed: UInt64) -> [IntervalSample] {
        var random = SplitMix64(seed: seed)
        func uniform() -> Double { Double(random.next() >> 11) * 0x1.0p-53 }
        func normal() -> Double { (-2 * log(max(uniform(), 1e-12))).squareRoot() * cos(2 * .pi * uniform()) }
        return (0..<count).map { i in
            let spread = 0.2 + 1.8 * uniform()
            let predicted = 10 + 5 * uniform()
            let residual = normal() * (heteroscedastic ? spread : 1)
            return IntervalSample(
                depth: 0, fold: i % folds, observed: predicted + residual, predicted: predicted, spread: spread)
        }
    }

    func testPICP_onExchangeableResiduals_isNearTheLevel() {
        let samples = exchangeable(count: 2000, folds: 5, heteroscedastic: false, seed: 2025)
        for method in IntervalMethod.allCases {
            let rows = IntervalCoverage.measure(
                samples, model: "m", method: method, level: 0.9, depthLabels: ["0-5cm"], folds: 5)
            XCTAssertEqual(rows.map(\.depth), ["0-5cm", EvaluationTable.allDepths])
            XCTAssertEqual(rows[0].picp, 0.9, accuracy: 0.03, "\(method)")
            XCTAssertEqual(rows[0].folds, 5)
            XCTAssertEqual(rows[0].n, 2000)
            XCTAssertEqual(rows[1].picp, rows[0].picp, accuracy: 1e-12)
        }
        // Plain conformal on N(0, 1) residuals: width near 2 · 1.645.
        let plain = IntervalCoverage.measure(
            samples, model: "m", method: .conformal, level: 0.9, depthLabels: ["0-5cm"], folds: 5)
        XCTAssertEqual(plain[0].meanWidth, 2 * 1.645, accuracy: 0.25)
    }

    func testAdaptiveInterval_isNarrowerWhereTheSpreadIsSmall() {
        let samples = exchangeable(count: 2000, folds: 5, heteroscedastic: true, seed: 7)
        let c = IntervalCalibration.calibrate(samples, method: .adaptive, level: 0.9, model: "m", depth: "0-5cm")
        XCTAssertEqual(c.n, 2000)
        XCTAssertGreaterThan(c.floor, 0)
        let narrow = c.halfWidth(spread: 0.2)!
        let wide = c.halfWidth(spread: 2)!
        XCTAssertLessThan(narrow, wide / 4)
        let conformal = IntervalCalibration.calibrate(
            samples, method: .conformal, level: 0.9, model: "m", depth: "0-5cm")
        XCTAssertEqual(
            conformal.halfWidth(spread: 0.2), conformal.halfWidth(spread: 2), "plain conformal ignores the spread")
        // With residuals that scale with the spread, both cover; adaptive is narrower on average.
        let a = IntervalCoverage.measure(
            samples, model: "m", method: .adaptive, level: 0.9, depthLabels: ["0-5cm"], folds: 5)[0]
        let p = IntervalCoverage.measure(
            samples, model: "m", method: .conformal, level: 0.9, depthLabels: ["0-5cm"], folds: 5)[0]
        XCTAssertEqual(a.picp, 0.9, accuracy: 0.03)
        XCTAssertEqual(p.picp, 0.9, accuracy: 0.03)
        XCTAssertLessThan(a.meanWidth, p.meanWidth)
    }

    /// Errors that grow with the value, as a skewed property's do, plus a small constant error (the
    /// measurement's): observed = max(0, predicted · e^(0.3 z) + 0.5 z'), the predictions spread over 2 ... 100.
    func multiplicative(count: Int, folds: Int, seed: UInt64) -> [IntervalSample] {
        var random = SplitMix64(seed: seed)
        func uniform() -> Double { Double(random.next() >> 11) * 0x1.0p-53 }
        func normal() -> Double { (-2 * log(max(uniform(), 1e-12))).squareRoot() * cos(2 * .pi * uniform()) }
        return (0..<count).map { i in
            let predicted = 2 * exp(log(50) * uniform())
            return IntervalSample(
                depth: 0, fold: i % folds, observed: max(0, predicted * exp(0.3 * normal()) + 0.5 * normal()),
                predicted: predicted)
        }
    }

    func testLogConformal_holdsInEveryFifthOfTheValue_whereTheConstantBandDoesNot() throws {
        let samples = multiplicative(count: 3000, folds: 5, seed: 11)
        let log = ConditionalCoverage.measure(
            samples, model: "m", method: .logConformal, level: 0.9, depthLabels: ["0-5cm"], folds: 5)
        let constant = ConditionalCoverage.measure(
            samples, model: "m", method: .conformal, level: 0.9, depthLabels: ["0-5cm"], folds: 5)
        XCTAssertEqual(log.map(\.fifth), [1, 2, 3, 4, 5])
        XCTAssertEqual(log.map(\.n).reduce(0, +), 3000)
        XCTAssertTrue(zip(log.dropLast(), log.dropFirst()).allSatisfy { $0.to <= $1.from }, "fifths in order")
        for row in log { XCTAssertEqual(row.picp, 0.9, accuracy: 0.05, "log conformal, fifth \(row.fifth)") }
        XCTAssertGreaterThan(constant[0].picp, 0.97, "a constant band is too wide where values are low")
        XCTAssertLessThan(constant[4].picp, 0.82, "and too narrow where they are high")
        XCTAssertGreaterThan(log[4].meanWidth, 10 * log[0].meanWidth, "the log band widens with the value")
        // Marginal coverage still near the level.
        let marginal = IntervalCoverage.measure(
            samples, model: "m", method: .logConformal, level: 0.9, depthLabels: ["0-5cm"], folds: 5)
        XCTAssertEqual(marginal[0].picp, 0.9, accuracy: 0.02)

        // The band: (p + c) e^(±q) − c, asymmetric around p, with c a tenth of the median observation.
        let c = IntervalCalibration.calibrate(samples, method: .logConformal, level: 0.9, model: "m", depth: "0-5cm")
        let offset = try XCTUnwrap(c.offset)
        let median = ConformalQuantile.median(samples.map(\.observed))
        XCTAssertEqual(offset, 0.05 * median, accuracy: 1e-12)
        let q = try XCTUnwrap(c.q)
        let b = try XCTUnwrap(c.bounds(predicted: 20, spread: .nan))
        XCTAssertEqual(b.lower, (20 + offset) * Foundation.exp(-q) - offset, accuracy: 1e-9)
        XCTAssertEqual(b.upper, (20 + offset) * Foundation.exp(q) - offset, accuracy: 1e-9)
        XCTAssertGreaterThan(b.upper - 20, 20 - b.lower)
        XCTAssertGreaterThan(try XCTUnwrap(c.bounds(predicted: 0, spread: .nan)).lower, -offset)
        XCTAssertNil(c.halfWidth(spread: 1), "no single half-width")
    }

    func testScaledConformal_holdsInEveryFifth_withAScaleFittedOnTheCalibrationFoldsOnly() throws {
        let samples = multiplicative(count: 3000, folds: 5, seed: 13)
        let rows = ConditionalCoverage.measure(
            samples, model: "m", method: .scaledConformal, level: 0.9, depthLabels: ["0-5cm"], folds: 5)
        XCTAssertEqual(rows.count, 5)
        for row in rows { XCTAssertEqual(row.picp, 0.9, accuracy: 0.05, "scaled conformal, fifth \(row.fifth)") }
        XCTAssertGreaterThan(rows[4].meanWidth, 10 * rows[0].meanWidth, "the band widens with the value")
        let c = IntervalCalibration.calibrate(
            samples, method: .scaledConformal, level: 0.9, model: "m", depth: "0-5cm")
        let scale = try XCTUnwrap(c.scale)
        XCTAssertEqual(scale.x.count, ResidualScale.groups)
        XCTAssertTrue(zip(scale.x, scale.x.dropFirst()).allSatisfy { $0 <= $1 }, "knots by prediction")
        // The first knot: the mean |residual| of the 300 lowest predictions, at their mean prediction.
        let lowest = samples.sorted { $0.predicted < $1.predicted }.prefix(300)
        XCTAssertEqual(scale.x[0], lowest.map(\.predicted).reduce(0, +) / 300, accuracy: 1e-9)
        XCTAssertEqual(scale.y[0], lowest.map { abs($0.observed - $0.predicted) }.reduce(0, +) / 300, accuracy: 1e-9)
        let q = try XCTUnwrap(c.q)
        let b = try XCTUnwrap(c.bounds(predicted: 20, spread: .nan))
        XCTAssertEqual(b.lower, 20 - q * scale(20), accuracy: 1e-9)
        XCTAssertEqual(b.upper, 20 + q * scale(20), accuracy: 1e-9)
        let m = try XCTUnwrap(c.median(predicted: 20, spread: .nan))
        XCTAssertEqual(m, 20 + (c.centre ?? .nan) * scale(20), accuracy: 1e-9)
        let json = try JSONEncoder().encode(c)
        XCTAssertEqual(try JSONDecoder().decode(IntervalCalibration.self, from: json), c, "written and read back")
    }

    func testMedian_isThePredictionMovedToWhereHalfTheHeldOutObservationsLie() throws {
        // A model that predicts a third too high: most observations lie below its prediction.
        let samples = multiplicative(count: 3000, folds: 5, seed: 12).map {
            var s = $0
            s.predicted *= 1.3
            return s
        }
        let below = Double(samples.filter { $0.observed <= $0.predicted }.count) / Double(samples.count)
        XCTAssertGreaterThan(below, 0.75, "the prediction is not a median")
        for method in [IntervalMethod.logConformal, .conformal] {
            let row = IntervalCoverage.measure(
                samples, model: "m", method: method, level: 0.9, depthLabels: ["0-5cm"], folds: 5)[0]
            XCTAssertEqual(row.belowMedian, 0.5, accuracy: 0.03, "\(method): held-out share below Q0.5")
        }
        let c = IntervalCalibration.calibrate(samples, method: .logConformal, level: 0.9, model: "m", depth: "0-5cm")
        let (offset, centre) = (try XCTUnwrap(c.offset), try XCTUnwrap(c.centre))
        XCTAssertEqual(centre, log(1 / 1.3), accuracy: 0.03, "the log-scale shift undoes the factor")
        let m = try XCTUnwrap(c.median(predicted: 26, spread: .nan))
        XCTAssertEqual(m, (26 + offset) * Foundation.exp(centre) - offset, accuracy: 1e-9)
        let b = try XCTUnwrap(c.bounds(predicted: 26, spread: .nan))
        XCTAssertTrue(b.lower < m && m < b.upper)
        // Written and read back with the calibration.
        let json = try JSONEncoder().encode(c)
        XCTAssertEqual(try JSONDecoder().decode(IntervalCalibration.self, from: json).centre, centre)
    }

    func testSmearing_movesLogMediansToTheMean_withFactorsFromTheOtherFolds() throws {
        // observed = (1 + p) e^ε − 1 with ε ~ N(0, 0.5²): expm1 of the log1p prediction is the median; the
        // mean is (1 + p) e^(0.125) − 1, Duan's factor e^(σ²/2) ≈ 1.133.
        var random = SplitMix64(seed: 5)
        func uniform() -> Double { Double(random.next() >> 11) * 0x1.0p-53 }
        func normal() -> Double { (-2 * log(max(uniform(), 1e-12))).squareRoot() * cos(2 * .pi * uniform()) }
        var predictions = (0..<4000).map { i -> HeldOutPrediction in
            let p = 2 * exp(log(20) * uniform())
            return HeldOutPrediction(
                siteID: "s\(i)", depth: i % 2, fold: i % 4, observed: (1 + p) * exp(0.5 * normal()) - 1,
                predicted: ["m": p])
        }
        let before = predictions
        let meanError = { (list: [HeldOutPrediction]) in
            list.map { $0.observed - $0.predicted["m"]! }.reduce(0, +) / Double(list.count)
        }
        XCTAssertGreaterThan(meanError(before), 1, "the median is biased low: observed minus predicted above 0")
        let factors = SmearingFactor.moveToMean(&predictions, models: ["m"], depthLabels: ["0-5cm", "5-15cm"])
        XCTAssertEqual(factors.map(\.depth), ["0-5cm", "5-15cm"])
        XCTAssertEqual(factors.map(\.n), [2000, 2000])
        for f in factors { XCTAssertEqual(f.factor, exp(0.125), accuracy: 0.03) }
        XCTAssertEqual(meanError(predictions), 0, accuracy: 0.1, "the mean is not biased")
        // Sample 0 (depth 0, fold 0) is corrected with the factor of the other folds at its depth.
        let others = before.filter { $0.depth == 0 && $0.fold != 0 }.map { ($0.observed, $0.predicted["m"]!) }
        let own = try XCTUnwrap(SmearingFactor.factor(others)).factor
        XCTAssertEqual(
            predictions[0].predicted["m"]!, SmearingFactor.mean(median: before[0].predicted["m"]!, factor: own),
            accuracy: 1e-12)
        XCTAssertNotEqual(own, factors[0].factor, "not the factor of every fold")
    }

    func testGroupCoverage_countsEachHeldOutSampleInItsGroup() {
        func sample(
            _ site: String, _ depth: Int, observed: Double, _ lower: Double, _ upper: Double
        ) -> HeldOutPrediction {
            var p = HeldOutPrediction(siteID: site, depth: depth, fold: 0, observed: observed, predicted: ["m": 1])
            p.bounds["m"] = IntervalBounds(lower: lower, upper: upper)
            return p
        }
        let predictions = [
            sample("a", 0, observed: 1, 0, 2), sample("a", 0, observed: 5, 0, 2), sample("b", 0, observed: 1, 0, 4),
            sample("c", 0, observed: 1, 0, 2), sample("a", 1, observed: 1, 0, 2)
        ]
        let rows = GroupCoverage.measure(
            predictions, models: ["m"], depthLabels: ["0-5cm", "5-15cm"], groups: ["in", "out"]
        ) { p in p.siteID == "a" ? "in" : p.siteID == "b" ? "out" : nil }
        XCTAssertEqual(rows.map(\.group), ["in", "out", "in", "out"])
        XCTAssertEqual(rows.map(\.n), [2, 1, 1, 0], "site c is in no group")
        XCTAssertEqual(rows[0].picp, 0.5)
        XCTAssertEqual(rows[0].meanWidth, 2)
        XCTAssertEqual(rows[1].picp, 1)
        XCTAssertEqual(rows[1].meanWidth, 4)
        XCTAssertTrue(rows[3].picp.isNaN)
    }

    func testAdaptiveWithoutSpread_hasNoInterval() {
        let samples = (0..<30).map { IntervalSample(depth: 0, fold: $0 % 3, observed: Double($0), predicted: 0) }
        let c = IntervalCalibration.calibrate(samples, method: .adaptive, level: 0.9, model: "m", depth: "0-5cm")
        XCTAssertNil(c.q)
        let row = IntervalCoverage.measure(
            samples, model: "m", method: .adaptive, level: 0.9, depthLabels: ["0-5cm"], folds: 3)[0]
        XCTAssertTrue(row.picp.isNaN)
        XCTAssertEqual(row.folds, 0)
    }

    func testCalibratedRange_isTheCentralBinomialRangeOfACalibratedBandsPICP() throws {
        // 64 samples (a fifth of an Edgeroi depth): a calibrated 90 % band lies within 53/64 to 62/64.
        let r = try XCTUnwrap(CalibratedRange.picp(n: 64, level: 0.9))
        XCTAssertEqual(r.lowerBound, 53.0 / 64, accuracy: 1e-12)
        XCTAssertEqual(r.upperBound, 62.0 / 64, accuracy: 1e-12)
        // Against the definition, summed directly: at most 2.5 % outside on each side, and one count
        // further in would leave more than 2.5 % outside.
        for (n, level) in [(10, 0.9), (64, 0.9), (200, 0.95), (530, 0.9), (5000, 0.8)] {
            let range = try XCTUnwrap(CalibratedRange.picp(n: n, level: level))
            let low = Int((range.lowerBound * Double(n)).rounded())
            let high = Int((range.upperBound * Double(n)).rounded())
            let pmf = (0...n).map { CalibratedRange.probability(of: $0, in: n, level: level) }
            XCTAssertEqual(pmf.reduce(0, +), 1, accuracy: 1e-9, "n \(n)")
            XCTAssertLessThanOrEqual(pmf[..<low].reduce(0, +), 0.025 + 1e-12, "n \(n)")
            XCTAssertGreaterThan(pmf[...low].reduce(0, +), 0.025, "n \(n)")
            XCTAssertLessThanOrEqual(pmf[(high + 1)...].reduce(0, +), 0.025 + 1e-12, "n \(n)")
            XCTAssertGreaterThan(pmf[high...].reduce(0, +), 0.025, "n \(n)")
            XCTAssertTrue(range.contains(level), "n \(n)")
        }
        // Simulated calibrated bands: about 95 % of their PICPs fall inside (at least, by discreteness).
        var rng = SplitMix64(seed: 5)
        var misses = 0
        for _ in 0..<4000 {
            let inside = (0..<64).filter { _ in Double(rng.next() >> 11) / Double(1 << 53) < 0.9 }.count
            if CalibratedRange.isMiss(picp: Double(inside) / 64, n: 64, level: 0.9) { misses += 1 }
        }
        XCTAssertEqual(Double(misses) / 4000, 0.035, accuracy: 0.015, "P(miss) = 1 − 0.967 for n = 64")
        XCTAssertTrue(CalibratedRange.isMiss(picp: 0.794, n: 63, level: 0.9))
        XCTAssertFalse(CalibratedRange.isMiss(picp: 0.844, n: 64, level: 0.9), "within chance at n = 64")
        XCTAssertTrue(CalibratedRange.isMiss(picp: 0.844, n: 3000, level: 0.9), "not at n = 3000")
        XCTAssertNil(CalibratedRange.picp(n: 0, level: 0.9))
        XCTAssertFalse(CalibratedRange.isMiss(picp: 0.5, n: 0, level: 0.9))
        XCTAssertNotNil(CalibratedRange.picp(n: 100_000, level: 0.9), "no overflow")
    }

    func testReport_writesCoverageIntoMetricsSummaryAndAPlot() throws {
        let folder = try TempFolder()
        let predictions = try syntheticPredictions(sites: 60, depths: 3, folds: 5, models: ["transfer", "rf"])
        let table = EvaluationTable.build(
            predictions: predictions, models: ["transfer", "rf"], depthLabels: ["0-5", "5-15", "15-30"], folds: 5)
        var samples: [String: [IntervalSample]] = [:]
        for model in ["transfer", "rf"] {
            samples[model] = predictions.compactMap { p in
                p.predicted[model].map {
                    IntervalSample(depth: p.depth, fold: p.fold, observed: p.observed, predicted: $0, spread: 0.5)
                }
            }
        }
        let summary = IntervalSummary.build(
            samples: samples, models: ["transfer", "rf"], depthLabels: table.depthLabels, folds: 5,
            level: 0.9, method: .conformal, sweepModel: "transfer")
        let methods = IntervalMethod.allCases.count
        XCTAssertEqual(summary.coverage.count, 2 * methods * 4, "models x methods x (3 depths + all)")
        XCTAssertEqual(summary.levelSweep.count, methods * 4 * IntervalSummary.sweepLevels.count)
        XCTAssertEqual(summary.conditional?.count, 2 * methods * 3 * 5, "models x methods x depths x fifths")
        // Each held-out prediction with its interval, as predictions.csv carries them.
        var bounded = predictions
        for model in ["transfer", "rf"] {
            let list = samples[model]!
            let bounds = IntervalCalibration.heldOutBounds(list, method: .conformal, level: 0.9, folds: 5)
            XCTAssertEqual(bounds.count, list.count)
            // The samples are the model's predictions, in order.
            let predictedHere = predictions.indices.filter { predictions[$0].predicted[model] != nil }
            for (i, b) in zip(predictedHere, bounds) { bounded[i].bounds[model] = b }
        }
        try EvaluationReport.write(
            table: table, predictions: bounded, intervals: summary, to: folder.path, title: "t", unit: "g/kg")
        let csv = try String(contentsOfFile: folder.file("predictions.csv"), encoding: .utf8)
        let header = csv.split(separator: "\n")[0]
        XCTAssertEqual(header, "site,depth,fold,observed,transfer,rf,transfer_q05,transfer_q95,rf_q05,rf_q95")
        let inside = csv.split(separator: "\n").dropFirst().filter { line in
            let f = line.split(separator: ",")
            return Double(f[6])! <= Double(f[3])! && Double(f[3])! <= Double(f[7])!
        }
        let share = Double(inside.count) / Double(predictions.count)
        let measured = summary.coverage.first { $0.model == "transfer" && $0.method == .conformal && $0.depth == "all" }
        XCTAssertEqual(share, 0.9, accuracy: 0.05, "the bounds in the file hold about 90 %")
        XCTAssertNotNil(measured)
        let json = try String(contentsOfFile: folder.file("metrics.json"), encoding: .utf8)
        XCTAssertTrue(json.contains("\"picp\""))
        XCTAssertTrue(json.contains("\"mean_width\""))
        var written = summary
        written.predictionsSHA256 = try SHA256Hasher.hex(fileAt: folder.file("predictions.csv"))
        XCTAssertEqual(
            try IntervalSummary.read(path: folder.file(IntervalSummary.fileName)), written,
            "read back as built, with the SHA-256 of the predictions.csv written beside it")
        XCTAssertNoThrow(try EvaluationReport.readTable(metricsJSON: folder.file("metrics.json")))
        let md = try String(contentsOfFile: folder.file("summary.md"), encoding: .utf8)
        XCTAssertTrue(md.contains("## Prediction intervals (90 %)"), md)
        XCTAssertTrue(md.contains("| 0–5 cm | transfer |"), md)
        XCTAssertTrue(md.contains("### Coverage where the values are low and high (transfer, 90 %)"), md)
        XCTAssertTrue(md.contains("log_conformal PICP") && md.contains("scaled_conformal PICP"), md)
        // Each fifth's range of a calibrated band, a star on a PICP outside it, and the count.
        let rows = try XCTUnwrap(summary.conditional)
        for row in rows {
            let range = try XCTUnwrap(row.calibratedRange)
            XCTAssertEqual(range, CalibratedRange.picp(n: row.n, level: 0.9).map { [$0.lowerBound, $0.upperBound] })
            XCTAssertEqual(row.isMiss, row.picp < range[0] - 1e-12 || row.picp > range[1] + 1e-12)
        }
        let mapped = rows.filter { $0.model == "transfer" && $0.method == .conformal }
        XCTAssertTrue(
            md.contains("The maps' method (conformal): \(mapped.filter(\.isMiss).count) of \(mapped.count) fifths"), md)
        let section = try XCTUnwrap(md.components(separatedBy: "### Coverage where the values are low and high").last)
            .components(separatedBy: "\n#")[0]
        let starred = section.split(separator: "\n").filter { $0.hasPrefix("| ") && $0.contains("*") }.count
        XCTAssertEqual(starred > 0, rows.contains { $0.model == "transfer" && $0.isMiss }, md)
        let svg = try String(contentsOfFile: folder.file("plots/interval_coverage.svg"), encoding: .utf8)
        XCTAssertTrue(svg.hasPrefix("<svg") || svg.hasPrefix("<?xml"))
        XCTAssertTrue(svg.contains("Nominal level"))
        let fifths = try String(contentsOfFile: folder.file("plots/interval_coverage_by_fifth.svg"), encoding: .utf8)
        XCTAssertTrue(fifths.contains("Fifth of the predicted value"), fifths)
        XCTAssertTrue(fifths.contains("log_conformal"), fifths)
        XCTAssertFalse(fifths.contains("Pooled over depths"), "no pooled line is drawn, so none in the legend")
        XCTAssertEqual(
            fifths.components(separatedBy: "fill=\"#dddddd\"").count - 1, 5 * IntervalMethod.allCases.count,
            "a calibrated range per fifth and method")
        XCTAssertEqual(
            fifths.components(separatedBy: "<polyline").count - 1, 3 * IntervalMethod.allCases.count,
            "a line per depth and method")
    }
}
