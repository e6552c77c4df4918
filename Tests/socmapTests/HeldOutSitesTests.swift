import Foundation
import TestSupport
import XCTest

/// `socmap run` with `evaluate.zones` on the tiny project: the zone table, predictions.csv with
/// coordinates, the held-out sites' GeoPackage (read back by GDAL's ogrinfo) and QGIS opening it
/// with its style and in the map project.
final class HeldOutSitesTests: XCTestCase {
    static let training = OutputFolderTests.quickTraining + "  zones: geo\n"

    func testRun_writesZonesCoordinatesAndAGeoPackageThatMatchesThePredictions() throws {
        let p = try TinyProject()
        try p.editPipeline("  size: 7\n", "  size: 7\n" + Self.training)
        let r = try CLI.run(["run", p.pipeline])
        XCTAssertEqual(r.status, 0, r.stderr)
        let eval = p.folder.file("out/evaluation")

        // zones.csv: every class of 'geo' at every depth for both models, with counts that add up.
        let zones = try String(contentsOfFile: eval + "/zones.csv", encoding: .utf8).split(separator: "\n").map(
            String.init)
        XCTAssertEqual(zones[0], "model,depth,zone,zone_label,n,r,r2,rmse,rrmse,mae,me,kge,too_few")
        XCTAssertEqual(zones.count, 1 + 2 * 6 * 3)
        let predictions = try String(contentsOfFile: eval + "/predictions.csv", encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        XCTAssertEqual(
            predictions[0],
            [
                "site", "depth", "fold", "observed", "transfer", "rf", "transfer_q05", "transfer_q95", "rf_q05",
                "rf_q95", "x", "y", "lon", "lat"
            ])
        let (xColumn, yColumn) = (10, 11)
        let rows = predictions.dropFirst()
        for (code, label) in [(1, "Alluvium"), (2, "Basalt"), (3, "Sandstone")] {
            let lines = zones.filter { $0.hasPrefix("transfer,0-5cm,\(code),\(label),") }
            XCTAssertEqual(lines.count, 1, "zone \(code) at 0-5cm")
            // Sites in columns 0-13 are Alluvium, 14-27 Basalt, 28-39 Sandstone (TinyProject).
            let expected = rows.filter { row in
                guard row[1] == "0-5cm", let x = Double(row[xColumn]) else { return false }
                let col = Int(((x - p.grid.transform.coefficients[0]) / 100).rounded(.down))
                return 1 + col / 14 == code
            }.count
            XCTAssertEqual(lines.first.map { Int($0.split(separator: ",")[4]) }, expected, "n of zone \(code)")
            XCTAssertGreaterThan(expected, 0)
        }
        let summary = try String(contentsOfFile: eval + "/summary.md", encoding: .utf8)
        XCTAssertTrue(summary.contains("Accuracy by zone (geo)"), summary)
        XCTAssertTrue(summary.contains("**(too few)**"), "the tiny project's zones hold fewer than 10 samples")
        try RunRecordTests.assertRecordIsTheReport(p.folder.file("out"))
        let report = try String(contentsOfFile: p.folder.file("out/report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("### Accuracy by zone (geo)"), report)
        XCTAssertTrue(report.contains("interval by zone (`evaluate.zones`; folds pooled)"), report)
        XCTAssertTrue(summary.contains("### Coverage by zone (transfer, log_conformal, 90 %)"), summary)
        XCTAssertTrue(summary.contains("| Alluvium | "), summary)
        let reportJSON =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: p.folder.file("out/report.json")))) as? [String: Any]
        let zonesJSON = (reportJSON?["evaluation"] as? [String: Any])?["zones"] as? [String: Any]
        XCTAssertEqual(
            (zonesJSON?["zones"] as? [[String: Any]])?.compactMap { $0["label"] as? String },
            ["Alluvium", "Basalt", "Sandstone"])
        XCTAssertEqual(zonesJSON?["nodata_sites"] as? Int, 0)
        let metricsJSON =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: eval + "/metrics.json")))
            as? [String: Any]
        XCTAssertEqual(((metricsJSON?["zones"] as? [String: Any])?["rows"] as? [Any])?.count, 2 * 6 * 3)
        XCTAssertTrue(FileManager.default.fileExists(atPath: eval + "/plots/rmse_by_zone.svg"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: eval + "/plots/relative_bias_0-5cm.png"))
        // lon/lat are the sites' own (GDA94 ~ WGS84 to a metre) coordinates.
        let sites = try String(contentsOfFile: p.folder.file("sites.csv"), encoding: .utf8).split(separator: "\n")
            .dropFirst()
            .map { $0.split(separator: ",").map(String.init) }
        let site1 = try XCTUnwrap(sites.first { $0[0] == "S001" })
        let row1 = try XCTUnwrap(rows.first { $0[0] == "S001" })
        XCTAssertEqual(Double(row1[xColumn + 2])!, Double(site1[1])!, accuracy: 1e-4)
        XCTAssertEqual(Double(row1[xColumn + 3])!, Double(site1[2])!, accuracy: 1e-4)

        // The GeoPackage, as GDAL's ogrinfo reads it: a layer per depth, every held-out sample once.
        let gpkg = eval + "/heldout_sites.gpkg"
        let summaryInfo = try XCTUnwrap(runTool("ogrinfo", ["-so", "-al", gpkg]), "gdal-bin's ogrinfo is needed")
        for depth in ["0-5cm", "5-15cm", "15-30cm", "30-60cm", "60-100cm", "100-200cm"] {
            XCTAssertTrue(summaryInfo.contains("Layer name: heldout_\(depth)"), summaryInfo)
        }
        for field in [
            "site: String", "fold: Integer64", "observed: Real", "pred_transfer: Real", "res_rf: Real",
            "rbias_transfer: Real"
        ] {
            XCTAssertTrue(summaryInfo.contains(field), "\(field): \(summaryInfo)")
        }
        let features = try parseOGRInfo(try XCTUnwrap(runTool("ogrinfo", ["-al", "-q", gpkg])))
        XCTAssertEqual(features.count, rows.count)
        for row in rows {
            let f = try XCTUnwrap(features["heldout_\(row[1])|\(row[0])"], "\(row[0]) \(row[1])")
            XCTAssertEqual(f["fold"].flatMap { Int($0) }, Int(row[2])! + 1, "fold is 1-based in the GeoPackage")
            let observed = Double(row[3])!
            for (key, csvValue) in [
                ("observed", row[3]), ("pred_transfer", row[4]), ("pred_rf", row[5]), ("x", row[xColumn]),
                ("y", row[yColumn])
            ] {
                let value = try XCTUnwrap(f[key].flatMap(Double.init), "\(key) of \(row[0])")
                XCTAssertEqual(
                    value, Double(csvValue)!, accuracy: 1e-9 * max(1, abs(value)), "\(key) of \(row[0]) \(row[1])")
            }
            for (model, column) in [("transfer", 4), ("rf", 5)] {
                let predicted = Double(row[column])!
                XCTAssertEqual(Double(f["res_\(model)"]!)!, predicted - observed, accuracy: 1e-9)
                if observed == 0 {
                    XCTAssertEqual(f["rbias_\(model)"], "(null)", "relative bias is NULL where obs = 0")
                } else {
                    XCTAssertEqual(Double(f["rbias_\(model)"]!)!, (predicted - observed) / observed, accuracy: 1e-9)
                }
            }
        }

        // QGIS opens each layer with the style beside it, and the map project lists the layers.
        let style = eval + "/heldout_sites.qml"
        XCTAssertTrue(try String(contentsOfFile: style, encoding: .utf8).contains("attr=\"rbias_transfer\""))
        let project = p.folder.file("out/maps/soc_maps.qgs")
        let output = try runWithQGIS(
            """
            layer = QgsVectorLayer("\(gpkg)|layername=heldout_0-5cm", "heldout", "ogr")
            check(layer.isValid(), "the GeoPackage layer opens")
            check(layer.featureCount() == \(rows.filter { $0[1] == "0-5cm" }.count), \
            "feature count %d" % layer.featureCount())
            message, ok = layer.loadNamedStyle("\(style)")
            check(ok, "style loads: " + message)
            r = layer.renderer()
            check(r.type() == "graduatedSymbol", "graduated renderer, not " + r.type())
            check(r.classAttribute() == "rbias_transfer", "classified on rbias_transfer")
            check(len(r.ranges()) == 7, "seven classes")
            check(
                abs(r.ranges()[3].lowerValue() + 1 / 11) < 1e-9 and r.ranges()[3].upperValue() == 0.1,
                "centred on 0: within a factor of 1.1")
            project = QgsProject.instance()
            check(project.read("\(project)"), "project opens")
            held = project.mapLayersByName("heldout_0-5cm")
            check(len(held) == 1 and held[0].isValid(), "the project's held-out layer opens")
            check(held[0].renderer().type() == "graduatedSymbol", "the project's layer is styled")
            check(held[0].featureCount() == layer.featureCount(), "the same features")
            check(len(project.mapLayersByName("soc_0-5cm")) == 1, "the maps are still there")
            print("ok")
            """)
        XCTAssertTrue(output.contains("ok"), output)
    }

    /// Features of `ogrinfo -al -q` keyed by "<layer>|<site>": field values as printed, plus x and y.
    func parseOGRInfo(_ text: String) throws -> [String: [String: String]] {
        var out: [String: [String: String]] = [:]
        var layer = ""
        var current: [String: String] = [:]
        func flush() {
            if let site = current["site"] { out["\(layer)|\(site)"] = current }
            current = [:]
        }
        for line in text.split(separator: "\n").map(String.init) {
            if line.hasPrefix("OGRFeature(") {
                flush()
                layer = String(line.dropFirst("OGRFeature(".count).prefix { $0 != ")" })
            } else if let eq = line.range(of: ") = "), let open = line.range(of: " (") {
                current[line[..<open.lowerBound].trimmingCharacters(in: .whitespaces)] = String(line[eq.upperBound...])
            } else if line.trimmingCharacters(in: .whitespaces).hasPrefix("POINT (") {
                let inner = line.trimmingCharacters(in: .whitespaces).dropFirst("POINT (".count).dropLast()
                let xy = inner.split(separator: " ")
                current["x"] = String(xy[0])
                current["y"] = String(xy[1])
            }
        }
        flush()
        return out
    }
}
