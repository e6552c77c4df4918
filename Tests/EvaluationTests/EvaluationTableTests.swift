import XCTest

@testable import Evaluation

final class EvaluationTableTests: XCTestCase {
    /// Two folds, one depth, one model:
    /// fold 0: observed [1, 2, 3], predicted [1, 2, 3] → RMSE 0, MAE 0
    /// fold 1: observed [1, 2, 3], predicted [2, 3, 4] → RMSE 1, MAE 1
    /// pooled: six residuals, three of 1 → RMSE sqrt(3/6) = 0.70711, MAE 0.5
    /// spread: sd(0, 1) with n - 1 divisor = sqrt(0.5) = 0.70711 for RMSE and MAE.
    func testBuild_spreadIsTheSDOfPerFoldMetrics() {
        var predictions: [HeldOutPrediction] = []
        for (fold, shift) in [(0, 0.0), (1, 1.0)] {
            for (i, o) in [1.0, 2, 3].enumerated() {
                predictions.append(
                    HeldOutPrediction(
                        siteID: "f\(fold)s\(i)", depth: 0, fold: fold, observed: o,
                        predicted: ["m": o + shift]))
            }
        }
        let table = EvaluationTable.build(predictions: predictions, models: ["m"], depthLabels: ["0-5cm"], folds: 2)
        let row = table.row(model: "m", depth: "0-5cm")!
        XCTAssertEqual(row.metrics.n, 6)
        XCTAssertEqual(row.metrics.rmse, 0.5.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(row.metrics.mae, 0.5, accuracy: 1e-12)
        XCTAssertEqual(row.perFold.map(\.rmse), [0, 1])
        XCTAssertEqual(row.foldSD.folds, 2)
        XCTAssertEqual(row.foldSD.rmse, 0.5.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(row.foldSD.mae, 0.5.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(row.foldSD.r, 0, accuracy: 1e-12, "both folds correlate perfectly")
        XCTAssertTrue(row.foldSD.kge.isFinite)
    }

    func testBuild_hasOneRowPerModelAndDepthThenAllDepths() throws {
        let predictions = try syntheticPredictions()
        let table = EvaluationTable.build(
            predictions: predictions, models: ["transfer", "cnn", "rf"],
            depthLabels: ["0-5cm", "5-15cm", "15-30cm"], folds: 5)
        XCTAssertEqual(
            table.rows.map(\.depth),
            [
                "0-5cm", "0-5cm", "0-5cm", "5-15cm", "5-15cm", "5-15cm",
                "15-30cm", "15-30cm", "15-30cm", "all", "all", "all"
            ])
        XCTAssertEqual(table.rows.prefix(3).map(\.model), ["transfer", "cnn", "rf"])
        XCTAssertTrue(table.rows.allSatisfy { $0.perFold.count == 5 && $0.foldSD.folds == 5 })
        // The better model (less noise) should come out better.
        let transfer = table.row(model: "transfer", depth: "all")!.metrics
        let rf = table.row(model: "rf", depth: "all")!.metrics
        XCTAssertLessThan(transfer.rmse, rf.rmse)
        XCTAssertGreaterThan(transfer.r2, rf.r2)
    }

    func testBuild_allDepthsPoolsEverySampleAndMissingPredictionsAreSkipped() throws {
        let predictions = try syntheticPredictions()
        let table = EvaluationTable.build(
            predictions: predictions, models: ["transfer", "cnn", "rf"],
            depthLabels: ["a", "b", "c"], folds: 5)
        let transferAll = table.row(model: "transfer", depth: "all")!
        XCTAssertEqual(transferAll.metrics.n, predictions.count)
        XCTAssertEqual(
            transferAll.metrics,
            Metrics.compute(
                observed: predictions.map(\.observed),
                predicted: predictions.map { $0.predicted["transfer"]! }))
        let perDepth = ["a", "b", "c"].map { table.row(model: "transfer", depth: $0)!.metrics.n }
        XCTAssertEqual(perDepth.reduce(0, +), predictions.count)
        XCTAssertEqual(perDepth[2], predictions.filter { $0.depth == 2 }.count)

        let rfCount = predictions.filter { $0.predicted["rf"] != nil }.count
        XCTAssertLessThan(rfCount, predictions.count, "the fixture leaves some rf predictions out")
        XCTAssertEqual(table.row(model: "rf", depth: "all")!.metrics.n, rfCount)
        XCTAssertEqual(table.row(model: "rf", depth: "all")!.perFold.map(\.n).reduce(0, +), rfCount)
    }

    func testBuild_modelWithoutPredictionsGetsNaNRows() {
        let p = [
            HeldOutPrediction(siteID: "a", depth: 0, fold: 0, observed: 1, predicted: ["m": 1]),
            HeldOutPrediction(siteID: "b", depth: 0, fold: 1, observed: 2, predicted: ["m": .nan])
        ]
        let table = EvaluationTable.build(predictions: p, models: ["m", "ghost"], depthLabels: ["d"], folds: 2)
        XCTAssertEqual(table.row(model: "m", depth: "d")!.metrics.n, 1, "a NaN prediction counts as missing")
        XCTAssertEqual(table.row(model: "ghost", depth: "d")!.metrics, .empty)
        XCTAssertEqual(
            table.row(model: "ghost", depth: "all")!.foldSD,
            FoldSpread(folds: 0, r: .nan, r2: .nan, rmse: .nan, mae: .nan, kge: .nan))
    }

    func testFoldSpread_ignoresEmptyFoldsAndNaNMetrics() {
        let folds = [
            Metrics(n: 3, r: 0.5, r2: 0.2, rmse: 1, mae: 1, kge: .nan),
            Metrics.empty,
            Metrics(n: 1, r: .nan, r2: .nan, rmse: 3, mae: 2, kge: .nan)
        ]
        let s = FoldSpread(perFold: folds)
        XCTAssertEqual(s.folds, 2)
        XCTAssertEqual(s.rmse, 2.0.squareRoot(), accuracy: 1e-12)  // sd(1, 3)
        XCTAssertEqual(s.mae, 0.5.squareRoot(), accuracy: 1e-12)  // sd(1, 2)
        XCTAssertTrue(s.r.isNaN, "one usable R is no spread")
        XCTAssertTrue(s.kge.isNaN)
    }

    func testFreezeSweepEntry_takesTheModelsRowsFromATable() throws {
        let table = EvaluationTable.build(
            predictions: try syntheticPredictions(), models: ["transfer", "cnn", "rf"],
            depthLabels: ["a", "b", "c"], folds: 5)
        let entry = FreezeSweepEntry(f: 2, table: table, model: "cnn")
        XCTAssertEqual(entry.rows.map(\.depth), ["a", "b", "c", "all"])
        XCTAssertEqual(entry.row(depth: "b"), table.row(model: "cnn", depth: "b"))
    }
}
