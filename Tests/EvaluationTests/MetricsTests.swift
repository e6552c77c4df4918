import XCTest

@testable import Evaluation

final class MetricsTests: XCTestCase {
    /// Worked by hand:
    /// observed o = [1, 2, 3, 4], predicted p = [2, 2, 4, 4]
    /// mean o = 2.5, mean p = 3
    /// deviations o: [-1.5, -0.5, 0.5, 1.5]  p: [-1, -1, 1, 1]
    /// Σ do·dp = 1.5 + 0.5 + 0.5 + 1.5 = 4;  SS_o = 2.25 + 0.25 + 0.25 + 2.25 = 5;  SS_p = 4
    /// R = 4 / sqrt(5 · 4) = 2 / sqrt(5) = 0.894427191
    /// residuals p - o = [1, 0, 1, 0]: SSres = 2, R² = 1 - 2/5 = 0.6
    /// RMSE = sqrt(2/4) = 0.707106781, MAE = 2/4 = 0.5
    /// α = sqrt(4/5) = 0.894427191, β = 3/2.5 = 1.2
    /// KGE = 1 - sqrt(2 · (1 - 0.894427191)² + 0.2²) = 1 - sqrt(0.022291236 + 0.04) = 1 - 0.249582 = 0.750418
    /// ME = (1 + 0 + 1 + 0)/4 = 0.5; rRMSE = 100 · 0.707106781 / 2.5 = 28.2842712 %
    func testCompute_matchesHandWorkedExample() {
        let m = Metrics.compute(observed: [1, 2, 3, 4], predicted: [2, 2, 4, 4])
        XCTAssertEqual(m.n, 4)
        XCTAssertEqual(m.r, 0.894427191, accuracy: 1e-9)
        XCTAssertEqual(m.r2, 0.6, accuracy: 1e-12)
        XCTAssertEqual(m.rmse, 0.707106781, accuracy: 1e-9)
        XCTAssertEqual(m.mae, 0.5, accuracy: 1e-12)
        XCTAssertEqual(m.kge, 0.750418, accuracy: 1e-6)
        XCTAssertEqual(m.me, 0.5, accuracy: 1e-12)
        XCTAssertEqual(m.rrmse, 28.2842712, accuracy: 1e-6)
    }

    /// Worked by hand: o = [10, 20, 30], p = [8, 17, 30]; residuals p - o = [-2, -3, 0]
    /// ME = -5/3 = -1.6666667 (under-prediction is negative), MAE = 5/3
    /// RMSE = sqrt((4 + 9 + 0)/3) = sqrt(13/3) = 2.0816660; mean o = 20, rRMSE = 100 · 2.0816660/20 = 10.408330 %
    func testMeanErrorAndRelativeRMSE_matchHandWorkedValues() {
        let m = Metrics.compute(observed: [10, 20, 30], predicted: [8, 17, 30])
        XCTAssertEqual(m.me, -5.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(m.mae, 5.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(m.rmse, 2.0816660, accuracy: 1e-7)
        XCTAssertEqual(m.rrmse, 10.408330, accuracy: 1e-6)
    }

    /// Errors of both signs cancel in ME but not in MAE: o = [1, 2, 3, 4], p = [2, 1, 4, 3] gives ME = 0, MAE = 1.
    /// The same errors on values ten times larger give the same ME and RMSE but a tenth of the rRMSE.
    func testMeanError_isTheSignedBiasAndRelativeRMSEScalesWithTheMean() {
        let m = Metrics.compute(observed: [1, 2, 3, 4], predicted: [2, 1, 4, 3])
        XCTAssertEqual(m.me, 0, accuracy: 1e-15)
        XCTAssertEqual(m.mae, 1, accuracy: 1e-15)
        XCTAssertEqual(m.rrmse, 40, accuracy: 1e-12, "RMSE 1 over a mean of 2.5")
        let large = Metrics.compute(observed: [10, 20, 30, 40], predicted: [11, 19, 31, 39])
        XCTAssertEqual(large.rmse, 1, accuracy: 1e-12)
        XCTAssertEqual(large.rrmse, 4, accuracy: 1e-12)
        XCTAssertEqual(Metrics.compute(observed: [1, 2, 3, 4], predicted: [2, 3, 4, 5]).me, 1, accuracy: 1e-15)
    }

    func testCompute_perfectPredictionsScoreOne() {
        let v = [3.5, 1.25, 8, 0.5, 12]
        let m = Metrics.compute(observed: v, predicted: v)
        XCTAssertEqual(m.r, 1, accuracy: 1e-15)
        XCTAssertEqual(m.r2, 1)
        XCTAssertEqual(m.rmse, 0)
        XCTAssertEqual(m.mae, 0)
        XCTAssertEqual(m.kge, 1, accuracy: 1e-15)
    }

    /// p = o + 1 for o = [1, 2, 3, 4]: R = 1, α = 1, β = 3.5/2.5 = 1.4, so KGE = 1 - 0.4 = 0.6;
    /// SSres = 4, SStot = 5, R² = 0.2; RMSE = MAE = 1.
    func testKGE_penalisesABiasedPrediction() {
        let m = Metrics.compute(observed: [1, 2, 3, 4], predicted: [2, 3, 4, 5])
        XCTAssertEqual(m.r, 1, accuracy: 1e-15)
        XCTAssertEqual(m.kge, 0.6, accuracy: 1e-12)
        XCTAssertEqual(m.r2, 0.2, accuracy: 1e-12)
        XCTAssertEqual(m.rmse, 1, accuracy: 1e-12)
        XCTAssertEqual(m.mae, 1, accuracy: 1e-12)
    }

    /// p = 2·o: R = 1 but α = 2 and β = 2, KGE = 1 - sqrt(2); R² = 1 - 30/5 = -5 (worse than the mean).
    func testKGE_penalisesAStretchedPrediction() {
        let m = Metrics.compute(observed: [1, 2, 3, 4], predicted: [2, 4, 6, 8])
        XCTAssertEqual(m.kge, 1 - 2.0.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(m.r2, -5, accuracy: 1e-12)
    }

    func testCompute_edgeCasesGiveNaNNotNonsense() {
        let empty = Metrics.compute(observed: [], predicted: [])
        XCTAssertEqual(empty.n, 0)
        XCTAssertTrue(empty.r.isNaN && empty.r2.isNaN && empty.rmse.isNaN && empty.mae.isNaN && empty.kge.isNaN)

        let one = Metrics.compute(observed: [2], predicted: [3])
        XCTAssertEqual(one.rmse, 1)
        XCTAssertEqual(one.mae, 1)
        XCTAssertTrue(one.r.isNaN && one.r2.isNaN && one.kge.isNaN, "one pair has no correlation or variance")

        let flatObserved = Metrics.compute(observed: [5, 5, 5], predicted: [4, 5, 6])
        XCTAssertTrue(flatObserved.r.isNaN && flatObserved.r2.isNaN && flatObserved.kge.isNaN)

        let flatPredicted = Metrics.compute(observed: [1, 2, 3], predicted: [2, 2, 2])
        XCTAssertTrue(flatPredicted.r.isNaN && flatPredicted.kge.isNaN)
        XCTAssertEqual(flatPredicted.r2, 0, accuracy: 1e-15, "predicting the mean scores R² = 0")

        let zeroMean = Metrics.compute(observed: [-1, 1], predicted: [-2, 2])
        XCTAssertEqual(zeroMean.r, 1, accuracy: 1e-15)
        XCTAssertTrue(zeroMean.kge.isNaN, "β is undefined when the observed mean is 0")
        XCTAssertTrue(zeroMean.rrmse.isNaN, "RMSE relative to a zero mean is undefined")
        XCTAssertEqual(zeroMean.me, 0, accuracy: 1e-15)
        XCTAssertTrue(empty.me.isNaN && empty.rrmse.isNaN)
    }

    func testCompute_largeOffsetsKeepPrecision() {
        let o = [1.0, 2, 3, 4].map { $0 + 1e9 }
        let p = [2.0, 2, 4, 4].map { $0 + 1e9 }
        let m = Metrics.compute(observed: o, predicted: p)
        XCTAssertEqual(m.r, 0.894427191, accuracy: 1e-7)
        XCTAssertEqual(m.r2, 0.6, accuracy: 1e-7)
    }

    func testCodable_writesNaNAsNullAndReadsItBack() throws {
        let m = Metrics.compute(observed: [2], predicted: [3])
        let data = try JSONEncoder().encode(m)
        let text = String(decoding: data, as: UTF8.self)
        XCTAssertTrue(text.contains("\"r\":null"), text)
        let back = try JSONDecoder().decode(Metrics.self, from: data)
        XCTAssertEqual(back, m)
        XCTAssertNotEqual(back, Metrics.compute(observed: [2, 3], predicted: [3, 3]))
    }

    func testValue_looksUpMetricsByKey() {
        let m = Metrics(n: 3, r: 0.1, r2: 0.2, rmse: 0.3, rrmse: 0.35, mae: 0.4, me: 0.45, kge: 0.5)
        XCTAssertEqual(Metrics.definitions.map(\.key), ["r", "r2", "rmse", "rrmse", "mae", "me", "kge"])
        XCTAssertEqual(Metrics.definitions.map { m.value($0.key) }, [0.1, 0.2, 0.3, 0.35, 0.4, 0.45, 0.5])
    }

    func testCodable_writesEveryDefinedMetric() throws {
        let m = Metrics.compute(observed: [10, 20, 30], predicted: [8, 17, 30])
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(m)) as? [String: Any]
        XCTAssertEqual(Set(object?.keys.map { $0 } ?? []), Set(["n"] + Metrics.definitions.map(\.key)))
        XCTAssertEqual(object?["me"] as? Double ?? 0, -5.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(try JSONDecoder().decode(Metrics.self, from: JSONEncoder().encode(m)), m)
        var other = m
        other.me += 0.1
        XCTAssertNotEqual(other, m, "ME takes part in equality")
    }

    /// The best mean error is the one closest to zero, whatever its sign.
    func testBestMeanError_isClosestToZero() {
        let me = Metrics.definition("me")!
        XCTAssertEqual(me.bestValue([-0.2, 0.5, -1]), 0.2)
        XCTAssertTrue(me.isBest(-0.2, 0.2))
        XCTAssertFalse(me.isBest(0.5, 0.2))
        XCTAssertEqual(Metrics.definition("rmse")!.bestValue([3, 1, 2]), 1)
        XCTAssertEqual(Metrics.definition("r2")!.bestValue([0.3, .nan, 0.1]), 0.3)
    }
}
