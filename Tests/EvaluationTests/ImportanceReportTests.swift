import Foundation
import TextFormat
import XCTest

@testable import Evaluation

/// The covariate importance's figures, files, tables and plots.
final class ImportanceReportTests: XCTestCase {
    func testRow_isTheRiseOfThePooledRMSE_meanAndSDOverRepeats_onTheSamplesWithABasePrediction() {
        let observed = [1.0, 2, 3, 4, .nan]
        let base = [1.0, 2, 3, .nan, 5]
        // Repeat 1 misses every kept sample by 1, repeat 2 by 3; the samples left out do not count.
        let shuffled = [[2.0, 3, 4, 100, 100], [4.0, 5, 6, 100, 100]]
        let r = PermutationImportanceRow.measure(
            model: "rf", depth: "0-5cm", covariate: "elev", observed: observed, base: base, shuffled: shuffled)
        XCTAssertEqual(r.n, 3)
        XCTAssertEqual(r.baseRMSE, 0)
        XCTAssertEqual(r.rmseIncrease, 2, accuracy: 1e-12)
        XCTAssertEqual(r.rmseIncreaseSD, 2.squareRoot(), accuracy: 1e-12)
        let once = PermutationImportanceRow.measure(
            model: "rf", depth: "0-5cm", covariate: "elev", observed: observed, base: base, shuffled: [shuffled[0]])
        XCTAssertTrue(once.rmseIncreaseSD.isNaN, "no SD from one repeat")
    }

    func testGrid_isTwentyQuantilesAtMidProbabilities_withoutRepeats() {
        let values = (0...100).map(Double.init)
        let grid = PartialDependence.grid(values)
        XCTAssertEqual(grid.count, 20)
        XCTAssertEqual(grid.first!, 2.5, accuracy: 1e-12)
        XCTAssertEqual(grid.last!, 97.5, accuracy: 1e-12)
        XCTAssertEqual(PartialDependence.grid([3, 3, 3, .nan]), [3])
        XCTAssertEqual(PartialDependence.grid([0, 1], count: 2), [0.25, 0.75])
        XCTAssertEqual(PartialDependence.grid([]), [])
    }

    static func importance() -> CovariateImportance {
        func row(_ m: String, _ d: String, _ c: String, _ inc: Double, _ sd: Double = 0.1) -> PermutationImportanceRow {
            PermutationImportanceRow(
                model: m, depth: d, covariate: c, n: 50, baseRMSE: 5, rmseIncrease: inc, rmseIncreaseSD: sd)
        }
        return CovariateImportance(
            models: ["transfer", "rf"], depthLabels: ["0-5cm", "5-15cm"], repeats: 3, seeds: "7/importance",
            rows: [
                row("transfer", "0-5cm", "elev", 2), row("transfer", "0-5cm", "geo", 0.5),
                row("transfer", "0-5cm", "wet", .nan), row("transfer", "5-15cm", "elev", 0.1),
                row("transfer", "5-15cm", "geo", 0.2), row("transfer", "5-15cm", "wet", -0.1),
                row("rf", "0-5cm", "elev", 1), row("rf", "0-5cm", "geo", 0.7), row("rf", "0-5cm", "wet", 0),
                row("rf", "5-15cm", "elev", 0.1), row("rf", "5-15cm", "geo", 0.4), row("rf", "5-15cm", "wet", 0)
            ],
            forest: ForestImportanceTable(
                model: "rf", depthLabels: ["0-5cm", "5-15cm"], covariates: ["elev", "geo", "wet"],
                values: [[0.5, 0.2], [0.3, 0.7], [0.2, 0.1]], mean: [0.35, 0.45, 0.15]),
            partialDependence: PartialDependence(
                model: "transfer", fit: "final model, models/transfer/",
                curves: [
                    PartialDependenceCurve(
                        depth: "0-5cm", covariate: "elev", rank: 1, categorical: false, values: [100, 200, 300],
                        predictions: [10, 12, 15], n: 50),
                    PartialDependenceCurve(
                        depth: "0-5cm", covariate: "geo", rank: 2, categorical: true, values: [1, 2, 3],
                        predictions: [11, 9, 13], n: 50)
                ]))
    }

    func testRanking_byTheMeanOverModels_NaNLeftOut_perModelToo() {
        let i = Self.importance()
        XCTAssertEqual(i.ranked(depth: "0-5cm"), ["elev", "geo", "wet"])
        XCTAssertEqual(i.ranked(depth: "5-15cm"), ["geo", "elev", "wet"])
        XCTAssertEqual(i.ranked(depth: "0-5cm", models: ["rf"]), ["elev", "geo", "wet"])
        XCTAssertEqual(i.ranked(depth: "5-15cm", models: ["transfer"]), ["geo", "elev", "wet"])
        XCTAssertEqual(i.ranked(depth: "30-60cm"), [])
    }

    func testFiles_CSVTablesAndPlots() throws {
        let i = Self.importance()
        let csv = i.csv().split(separator: "\n").map(String.init)
        XCTAssertEqual(csv[0], "model,depth,covariate,rmse_increase,rmse_increase_sd,base_rmse,n,repeats")
        XCTAssertEqual(csv[1], "transfer,0-5cm,elev,2.0,0.1,5.0,50,3")
        XCTAssertEqual(csv[3], "transfer,0-5cm,wet,NA,0.1,5.0,50,3")
        XCTAssertEqual(csv.count, 13)
        let pd = i.partialDependence!.csv().split(separator: "\n").map(String.init)
        XCTAssertEqual(pd[0], "model,depth,rank,covariate,categorical,value,prediction,n")
        XCTAssertEqual(pd[1], "transfer,0-5cm,1,elev,false,100.0,10.0,50")
        XCTAssertEqual(pd.count, 7)

        let md = i.markdown(unit: "g/kg", heading: "###", folder: "evaluation/")
        XCTAssertTrue(md.contains("### What drives the map: covariate importance"), md)
        XCTAssertTrue(md.contains("#### 0–5 cm"), md)
        XCTAssertTrue(
            md.contains(
                "| Rank | Covariate | transfer RMSE increase (g/kg) | rf RMSE increase (g/kg) | rf impurity share |"),
            md)
        XCTAssertTrue(md.contains("| 1 | elev | 2.00 ± 0.100 | 1.00 ± 0.100 | 0.500 |"), md)
        XCTAssertTrue(md.contains("| 1 | geo | 0.200 ± 0.100 | 0.400 ± 0.100 | 0.700 |"), md)
        XCTAssertTrue(
            md.contains("`evaluation/importance.csv`") && md.contains("`evaluation/plots/partial_dependence.svg`"), md)
        XCTAssertTrue(md.contains("3 seeded permutations (seed stream `7/importance`)"), md)
        XCTAssertTrue(
            md.contains("| 0–5 cm | 2 | geo | 3 classes | 9.00 to 13.0 (lowest to highest class) | 4.00 |"), md)
        XCTAssertTrue(md.contains("| 0–5 cm | 1 | elev | 100 to 300 | 10.0 to 15.0 | 5.00 |"), md)

        let svg = try XCTUnwrap(ImportancePlot.render(i, title: "t", unit: "g/kg"))
        // Bars: a per model and covariate with a finite increase (transfer's wet at 0-5 cm has none); the other
        // rects are the background, the legend's two boxes, and per panel its frame and its clip path.
        XCTAssertEqual(svg.components(separatedBy: "<rect").count - 1 - 1 - 2 - 2 * 2, 11, svg)
        XCTAssertTrue(svg.contains(">elev</text>") && svg.contains(">wet</text>"))
        let plot = try XCTUnwrap(PartialDependencePlot.render(i.partialDependence!, title: "t", unit: "g/kg"))
        XCTAssertEqual(plot.components(separatedBy: "<polyline").count - 1, 1, "a line for the continuous covariate")
        XCTAssertEqual(
            plot.components(separatedBy: "<circle").count - 1, 6 + 2, "a dot per grid value, two in the legend")
        XCTAssertTrue(plot.contains("0–5 cm: 2. geo"))

        let folder = try TempFolder()
        let predictions = try syntheticPredictions(depths: 2, models: ["transfer", "rf"])
        let files = try EvaluationReport.write(
            table: EvaluationTable.build(
                predictions: predictions, models: ["transfer", "rf"], depthLabels: i.depthLabels, folds: 5),
            predictions: predictions, importance: i, to: folder.path, title: "t", unit: "g/kg")
        for f in [
            CovariateImportance.csvFile, PartialDependence.csvFile, CovariateImportance.plotFile,
            PartialDependence.plotFile
        ] {
            XCTAssertTrue(files.contains { $0.hasSuffix(f) }, "\(f) in \(files)")
        }
        let summary = try String(contentsOfFile: folder.file("summary.md"), encoding: .utf8)
        XCTAssertTrue(summary.contains("## What drives the map: covariate importance"), summary)
    }
}
