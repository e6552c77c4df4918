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

    func testAdaptiveWithoutSpread_hasNoInterval() {
        let samples = (0..<30).map { IntervalSample(depth: 0, fold: $0 % 3, observed: Double($0), predicted: 0) }
        let c = IntervalCalibration.calibrate(samples, method: .adaptive, level: 0.9, model: "m", depth: "0-5cm")
        XCTAssertNil(c.q)
        let row = IntervalCoverage.measure(
            samples, model: "m", method: .adaptive, level: 0.9, depthLabels: ["0-5cm"], folds: 3)[0]
        XCTAssertTrue(row.picp.isNaN)
        XCTAssertEqual(row.folds, 0)
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
        XCTAssertEqual(summary.coverage.count, 2 * 2 * 4, "models x methods x (3 depths + all)")
        XCTAssertEqual(summary.levelSweep.count, 2 * 4 * IntervalSummary.sweepLevels.count)
        try EvaluationReport.write(
            table: table, predictions: predictions, intervals: summary, to: folder.path, title: "t", unit: "g/kg")
        let json = try String(contentsOfFile: folder.file("metrics.json"), encoding: .utf8)
        XCTAssertTrue(json.contains("\"picp\""))
        XCTAssertTrue(json.contains("\"mean_width\""))
        XCTAssertEqual(try IntervalSummary.read(path: folder.file(IntervalSummary.fileName)), summary)
        XCTAssertNoThrow(try EvaluationReport.readTable(metricsJSON: folder.file("metrics.json")))
        let md = try String(contentsOfFile: folder.file("summary.md"), encoding: .utf8)
        XCTAssertTrue(md.contains("## Prediction intervals (90 %)"), md)
        XCTAssertTrue(md.contains("| 0–5 cm | transfer |"), md)
        let svg = try String(contentsOfFile: folder.file("plots/interval_coverage.svg"), encoding: .utf8)
        XCTAssertTrue(svg.hasPrefix("<svg") || svg.hasPrefix("<?xml"))
        XCTAssertTrue(svg.contains("Nominal level"))
    }
}
