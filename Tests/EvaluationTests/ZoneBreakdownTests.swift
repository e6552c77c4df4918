import Foundation
import XCTest

@testable import Evaluation

/// The metrics per zone (`evaluate.zones`) on a case small enough to compute by hand.
final class ZoneBreakdownTests: XCTestCase {
    /// Zone 1 "Humid": sites a, b (depth 0 both, depth 1 only a); zone 2 "Arid": site c; zone 3
    /// "Alpine": no site; site d on nodata; site e missing from the assignment (counted as nodata).
    let predictions = [
        HeldOutPrediction(siteID: "a", depth: 0, fold: 0, observed: 10, predicted: ["m1": 12, "m2": 9]),
        HeldOutPrediction(siteID: "b", depth: 0, fold: 1, observed: 20, predicted: ["m1": 16, "m2": 21]),
        HeldOutPrediction(siteID: "a", depth: 1, fold: 0, observed: 5, predicted: ["m1": 6, "m2": 5]),
        HeldOutPrediction(siteID: "c", depth: 0, fold: 1, observed: 8, predicted: ["m1": 8]),
        HeldOutPrediction(siteID: "d", depth: 0, fold: 0, observed: 30, predicted: ["m1": 1, "m2": 1]),
        HeldOutPrediction(siteID: "d", depth: 1, fold: 0, observed: 15, predicted: ["m1": 1, "m2": 1]),
        HeldOutPrediction(siteID: "e", depth: 0, fold: 1, observed: 3, predicted: ["m1": 3, "m2": 3])
    ]
    static let zoneOfSite: [String: Int?] = ["a": 1, "b": 1, "c": 2, "d": Int?.none]
    let assignment = ZoneAssignment(
        source: "climate", labels: [1: "Humid", 2: "Arid", 3: "Alpine"], zoneOfSite: zoneOfSite)

    func build(minimum: Int = 2) -> ZoneBreakdown {
        ZoneBreakdown.build(
            predictions: predictions, models: ["m1", "m2"], depthLabels: ["0-5cm", "5-15cm"],
            assignment: assignment, minimumCount: minimum)
    }

    func testBreakdown_computesEveryMetricPerModelDepthAndZone() throws {
        let b = build()
        XCTAssertEqual(b.zones.map(\.code), [1, 2, 3], "every class of the raster, zones without sites too")
        XCTAssertEqual(b.zones.map(\.label), ["Humid", "Arid", "Alpine"])
        XCTAssertEqual(b.zones.map(\.sites), [2, 1, 0])
        XCTAssertEqual(b.rows.count, 2 * 3 * 2, "depth x zone x model")
        // Zone 1, depth 0, m1: errors +2 and -4: RMSE sqrt(10), MAE 3, ME -1, rRMSE 100 sqrt(10)/15.
        let m1 = try XCTUnwrap(b.row(model: "m1", depth: "0-5cm", zone: 1)).metrics
        XCTAssertEqual(m1.n, 2)
        XCTAssertEqual(m1.rmse, 10.0.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(m1.mae, 3, accuracy: 1e-12)
        XCTAssertEqual(m1.me, -1, accuracy: 1e-12)
        XCTAssertEqual(m1.rrmse, 100 * 10.0.squareRoot() / 15, accuracy: 1e-9)
        // R2 = 1 - SSres/SStot = 1 - 20/50.
        XCTAssertEqual(m1.r2, 0.6, accuracy: 1e-12)
        XCTAssertEqual(
            m1, Metrics.compute(observed: [10, 20], predicted: [12, 16]), "the same metrics as the main table")
        // Zone 1, depth 0, m2: errors -1 and +1.
        let m2 = try XCTUnwrap(b.row(model: "m2", depth: "0-5cm", zone: 1)).metrics
        XCTAssertEqual(m2.rmse, 1, accuracy: 1e-12)
        XCTAssertEqual(m2.me, 0, accuracy: 1e-12)
        // Zone 2: m2 has no prediction there, m1 one exact one.
        XCTAssertEqual(b.row(model: "m1", depth: "0-5cm", zone: 2)?.metrics.n, 1)
        XCTAssertEqual(b.row(model: "m1", depth: "0-5cm", zone: 2)?.metrics.rmse, 0)
        XCTAssertEqual(b.row(model: "m2", depth: "0-5cm", zone: 2)?.metrics.n, 0)
        XCTAssertTrue(b.row(model: "m2", depth: "0-5cm", zone: 2)?.metrics.rmse.isNaN ?? false)
        // Zone 1, depth 1: one sample.
        XCTAssertEqual(b.row(model: "m1", depth: "5-15cm", zone: 1)?.metrics.rmse, 1)
        // Held-out samples per depth and zone, whatever the models predicted.
        XCTAssertEqual(b.samples, [[2, 1, 0], [1, 0, 0]])
        // d (nodata) and e (not assigned) are counted, not dropped silently: 2 sites, 3 samples.
        XCTAssertEqual(b.nodataSites, 2)
        XCTAssertEqual(b.nodataSamples, 3)
    }

    func testZonesBelowTheMinimum_areMarkedNotHidden() throws {
        let b = build(minimum: 2)
        XCTAssertEqual(b.row(model: "m1", depth: "0-5cm", zone: 1)?.tooFew, false)
        XCTAssertEqual(b.row(model: "m1", depth: "0-5cm", zone: 2)?.tooFew, true)
        XCTAssertEqual(b.row(model: "m1", depth: "0-5cm", zone: 3)?.tooFew, true)
        let csv = ZoneTables.csv(b).split(separator: "\n").map(String.init)
        XCTAssertEqual(csv[0], "model,depth,zone,zone_label,n,r,r2,rmse,rrmse,mae,me,kge,too_few")
        XCTAssertEqual(csv.count, 1 + 12)
        XCTAssertTrue(csv.contains("m1,0-5cm,2,Arid,1,NA,NA,0.0,0.0,0.0,0.0,NA,true"), csv.joined(separator: "\n"))
        XCTAssertTrue(csv.contains { $0.hasPrefix("m2,5-15cm,3,Alpine,0,") && $0.hasSuffix(",true") })
        let md = ZoneTables.markdown(b, unit: "g/kg")
        XCTAssertTrue(md.contains("## Accuracy by zone (climate)"), md)
        XCTAssertTrue(md.contains("| 2 Arid | 1 **(too few)** |"), md)
        XCTAssertTrue(md.contains("| 3 Alpine | 0 **(too few)** | – | – |"), md)
        XCTAssertTrue(md.contains("| 1 Humid | 2 | 0.600 / 3.16 / -1.00 | 0.960 / 1.00 / +0.00 |"), md)
        XCTAssertTrue(md.contains("2 held-out sites (3 samples) lie on nodata"), md)
        XCTAssertEqual(ZoneBreakdown.defaultMinimumCount, 10)
        // A code found at a site but missing from the raster's labels is listed as "class <code>".
        let extra = ZoneBreakdown.build(
            predictions: predictions, models: ["m1"], depthLabels: ["0-5cm", "5-15cm"],
            assignment: ZoneAssignment(source: "z", labels: [1: "Humid"], zoneOfSite: ["a": 1, "c": 9]))
        XCTAssertEqual(extra.zones.map(\.label), ["Humid", "class 9"])
        XCTAssertEqual(build(minimum: 10).rows.filter(\.tooFew).count, 12)
    }

    func testReport_writesZonesCSVPlotJSONAndCoordinates() throws {
        let folder = try TempFolder()
        let b = build()
        let table = EvaluationTable.build(
            predictions: predictions, models: ["m1", "m2"], depthLabels: ["0-5cm", "5-15cm"], folds: 2)
        let locations = ["a": SiteLocation(x: 1000, y: 2000, lon: 100.5, lat: 30.25)]
        let written = try EvaluationReport.write(
            table: table, predictions: predictions, locations: locations, zones: b,
            to: folder.path, title: "T", unit: "g/kg")
        XCTAssertTrue(written.contains(folder.file("zones.csv")))
        XCTAssertTrue(written.contains(folder.file("plots/rmse_by_zone.svg")))
        let svg = try String(contentsOfFile: folder.file("plots/rmse_by_zone.svg"), encoding: .utf8)
        XCTAssertTrue(svg.contains("Arid* (n=1)"), "too-few zones marked in the plot")
        let summary = try String(contentsOfFile: folder.file("summary.md"), encoding: .utf8)
        XCTAssertTrue(summary.contains("Accuracy by zone (climate)"))
        let json =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder.file("metrics.json"))))
            as? [String: Any]
        let zones = json?["zones"] as? [String: Any]
        XCTAssertEqual((zones?["rows"] as? [Any])?.count, 12)
        XCTAssertEqual(zones?["nodata_sites"] as? Int, 2)
        XCTAssertNoThrow(try EvaluationReport.readTable(metricsJSON: folder.file("metrics.json")))
        // predictions.csv: the old columns in their order, then x, y, lon, lat (NA when unknown).
        let lines = try String(contentsOfFile: folder.file("predictions.csv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines[0], "site,depth,fold,observed,m1,m2,x,y,lon,lat")
        XCTAssertEqual(lines[1], "a,0-5cm,0,10.0,12.0,9.0,1000.0,2000.0,100.5,30.25")
        XCTAssertTrue(lines[3].hasPrefix("b,0-5cm,1,20.0,16.0,21.0,NA,NA,NA,NA"), String(lines[3]))
    }
}
