import Foundation
import Patches
import RasterIO
import TestSupport
import XCTest

@testable import Configuration

/// `predict.aoa`: the dissimilarity index and area-of-applicability maps of a real run.
final class ApplicabilityMapTests: XCTestCase {
    static let sections = PredictCommandTests.sections
        .replacingOccurrences(
            of: "  keep_tiles: false\n", with: "  keep_tiles: false\n  aoa: true\nevaluate:\n  folds: 3\n")

    func testAOA_writesDIAndMaskCOGs_zeroAtTrainingSites_shareInReport() throws {
        let p = try TinyProject()
        try p.editPipeline("  size: 7\n", "  size: 7\n" + Self.sections)
        let r = try CLI.run(["run", p.pipeline, "-q"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let maps = p.folder.file("out/maps")
        let files = try FileManager.default.contentsOfDirectory(atPath: maps)
        for name in ["soc_di", "soc_aoa"] {
            for ext in ["tif", "qml", "png"] {
                XCTAssertTrue(files.contains("\(name).\(ext)"), "\(name).\(ext) in \(files)")
            }
        }
        let project = try String(contentsOfFile: p.folder.file("out/maps/soc_maps.qgs"), encoding: .utf8)
        XCTAssertTrue(
            project.contains("soc_di.tif") && project.contains("soc_aoa.tif"), "both layers in the QGIS project")

        // Valid COGs: Float32 DI, Byte mask with nodata, the threshold and share in the metadata.
        let diInfo = runTool("gdalinfo", [p.folder.file("out/maps/soc_di.tif")]) ?? ""
        let aoaInfo = runTool("gdalinfo", [p.folder.file("out/maps/soc_aoa.tif")]) ?? ""
        XCTAssertTrue(diInfo.contains("LAYOUT=COG") && diInfo.contains("Type=Float32"), diInfo)
        XCTAssertTrue(
            aoaInfo.contains("LAYOUT=COG") && aoaInfo.contains("Type=Byte") && aoaInfo.contains("NoData Value=255"),
            aoaInfo)
        for info in [diInfo, aoaInfo] {
            XCTAssertTrue(info.contains("SOCMAP_AOA_THRESHOLD=") && info.contains("SOCMAP_AOA_SHARE_INSIDE="), info)
            XCTAssertTrue(
                info.contains("SOCMAP_AOA_WEIGHTS=rf"), "rf is trained, so auto weighs by its importance: \(info)")
        }
        let validators = [
            "/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_cloud_optimized_geotiff.py",
            "/usr/share/doc/python3-gdal/examples/validate_cloud_optimized_geotiff.py"
        ]
        if let script = validators.first(where: { FileManager.default.fileExists(atPath: $0) }) {
            for name in ["soc_di", "soc_aoa"] {
                let out = runTool("python3", [script, p.folder.file("out/maps/\(name).tif")]) ?? ""
                XCTAssertTrue(out.contains("is a valid cloud optimized GeoTIFF"), "\(name): \(out)")
            }
        }
        let thresholdLine = diInfo.split(separator: "\n").first { $0.contains("SOCMAP_AOA_THRESHOLD=") }!
        let threshold = Float(thresholdLine.split(separator: "=").last!.trimmingCharacters(in: .whitespaces))!

        // DI >= 0 where mapped, nodata exactly where the depth maps are; AOA = DI <= threshold.
        let read = { (name: String) in
            try RasterDataset(path: p.folder.file("out/maps/\(name).tif")).read(band: 1, window: p.grid.fullWindow)
        }
        let di = try read("soc_di")
        let aoa = try read("soc_aoa")
        let map = try read("soc_0-5cm")
        XCTAssertEqual(di.valid, map.valid, "the DI is mapped where the maps are")
        XCTAssertEqual(aoa.valid, map.valid, "the AOA is mapped where the maps are")
        var inside = 0
        var mapped = 0
        for k in di.values.indices where di.valid[k] {
            mapped += 1
            XCTAssertGreaterThanOrEqual(di.values[k], 0)
            XCTAssertTrue(aoa.values[k] == 0 || aoa.values[k] == 1)
            if aoa.values[k] == 1 { inside += 1 }
            if abs(di.values[k] - threshold) > 1e-5 {
                XCTAssertEqual(aoa.values[k] == 1, di.values[k] <= threshold, "cell \(k)")
            }
        }
        XCTAssertGreaterThan(mapped, 0)
        // The training sites' cells: DI 0 (their covariates are a training point).
        let data = try PatchFile.read(path: p.folder.file("out/patches.socp"))
        var checked = 0
        for s in data.sites {
            let k = s.row * p.grid.width + s.col
            guard di.valid[k] else { continue }
            XCTAssertLessThan(di.values[k], 1e-6, "site \(s.id) at column \(s.col), row \(s.row)")
            checked += 1
        }
        XCTAssertGreaterThan(checked, 0, "some training site lies on a mapped cell")

        // The report gives the threshold and the share inside.
        try RunRecordTests.assertRecordIsTheReport(p.folder.file("out"))
        let report = try String(contentsOfFile: p.folder.file("out/report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("## Area of applicability"), report)
        XCTAssertTrue(
            report.contains("Inside the area of applicability: ") && report.contains("(\(inside) of \(mapped))"), report
        )
        let json =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: p.folder.file("out/report.json")))) as! [String: Any]
        let a = json["area_of_applicability"] as! [String: Any]
        XCTAssertEqual(a["share_inside"] as! Double, Double(inside) / Double(mapped), accuracy: 1e-12)
        XCTAssertEqual(a["threshold"] as! Double, Double(threshold), accuracy: 1e-5 * Double(threshold))
        // With an interval, its coverage for held-out sites inside and outside the area, counts adding up
        // to the held-out samples of each depth.
        try p.editPipeline("  aoa: true\n", "  aoa: true\n  uncertainty: true\n")
        let withBounds = try CLI.run(["run", p.pipeline, "-q", "--overwrite"])
        XCTAssertEqual(withBounds.status, 0, withBounds.stderr)
        let withInterval =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: p.folder.file("out/report.json")))) as! [String: Any]
        let rows = (withInterval["area_of_applicability"] as! [String: Any])["interval_coverage"] as! [[String: Any]]
        XCTAssertEqual(Set(rows.compactMap { $0["group"] as? String }), ["inside AOA", "outside AOA"])
        XCTAssertEqual(rows.count, 2 * 6)
        let csv = try String(contentsOfFile: p.folder.file("out/evaluation/predictions.csv"), encoding: .utf8)
        let heldOut0to5 = csv.split(separator: "\n").filter { $0.split(separator: ",")[1] == "0-5cm" }.count
        XCTAssertEqual(
            rows.filter { $0["depth"] as? String == "0-5cm" }.compactMap { $0["n"] as? Int }.reduce(0, +), heldOut0to5)
        let md = try String(contentsOfFile: p.folder.file("out/report.md"), encoding: .utf8)
        XCTAssertTrue(md.contains("Interval coverage (PICP, n) of the held-out samples of training sites inside"), md)

        // The expected RMSE per depth from the DI: the report's profile applied to the DI map, cell by cell.
        XCTAssertTrue(md.contains("Expected error from the DI (after CAST's errorProfiles)"), md)
        let profiles = (withInterval["area_of_applicability"] as! [String: Any])["error_profiles"] as! [[String: Any]]
        XCTAssertEqual(profiles.compactMap { $0["depth"] as? String }, DepthIntervalLabels.all)
        let diAgain = try read("soc_di")
        for (d, depth) in DepthIntervalLabels.all.enumerated() {
            let points = (profiles[d]["di"] as! [Double], profiles[d]["rmse"] as! [Double])
            XCTAssertEqual(
                profiles[d]["samples"] as? Int,
                csv.split(separator: "\n").filter {
                    $0.split(separator: ",")[1] == depth
                }.count)
            let profile = ErrorProfileCheck(di: points.0, rmse: points.1)
            let expected = try read("soc_\(depth)_expected_rmse")
            XCTAssertEqual(expected.valid, diAgain.valid, depth)
            for k in expected.values.indices where expected.valid[k] {
                XCTAssertEqual(
                    Double(expected.values[k]), profile.at(Double(diAgain.values[k])),
                    accuracy: 1e-4 * max(1, profile.at(Double(diAgain.values[k]))), depth)
            }
        }
        // socmap predict reads the held-out predictions back (checked against intervals.json's SHA-256) and
        // maps the same expected errors; an edited predictions.csv is refused, naming it.
        let mappedOnce = FileManager.default.contents(atPath: p.folder.file("out/maps/soc_0-5cm_expected_rmse.tif"))
        let predicted = try CLI.run(["predict", p.pipeline, "-q", "--overwrite"])
        XCTAssertEqual(predicted.status, 0, predicted.stderr)
        XCTAssertEqual(
            FileManager.default.contents(atPath: p.folder.file("out/maps/soc_0-5cm_expected_rmse.tif")), mappedOnce)
        let csvPath = p.folder.file("out/evaluation/predictions.csv")
        try (csv.replacingOccurrences(of: ",0-5cm,", with: ",0-5cm ,")).write(
            toFile: csvPath, atomically: true, encoding: .utf8)
        let tampered = try CLI.run(["predict", p.pipeline, "-q", "--overwrite"])
        XCTAssertNotEqual(tampered.status, 0)
        XCTAssertTrue(
            tampered.stderr.contains("predictions.csv")
                && tampered.stderr.contains("changed since the evaluation wrote it"),
            tampered.stderr)
        try csv.write(toFile: csvPath, atomically: true, encoding: .utf8)

        // `socmap predict` finds the same sites, folds and weights on disk: the same DI and mask bytes.
        try Self.assertPredictRemapsTheSameDIAndAOA(p, "predict gives the run's DI and AOA maps byte for byte")
    }

    /// `socmap predict` after a run writes the run's DI and AOA maps byte for byte.
    static func assertPredictRemapsTheSameDIAndAOA(_ p: TinyProject, _ message: String) throws {
        let read = {
            try ["soc_di.tif", "soc_aoa.tif"].map {
                try Data(contentsOf: URL(fileURLWithPath: p.folder.file("out/maps/\($0)")))
            }
        }
        let before = try read()
        let again = try CLI.run(["predict", p.pipeline, "-q"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(try read(), before, message)
    }

    /// `evaluate.split: knndm`: the run's design names kNNDM and W, the geodist table and plot are written,
    /// and `socmap predict` recomputes the same folds (the same DI and AOA bytes).
    func testKNNDMSplit_writesGeodist_andPredictRecomputesTheRunsFolds() throws {
        let p = try TinyProject()
        try p.editPipeline(
            "  size: 7\n",
            "  size: 7\n" + Self.sections.replacingOccurrences(of: "  folds: 3\n", with: "  folds: 3\n  split: knndm\n")
        )
        let r = try CLI.run(["run", p.pipeline, "-q"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let metrics =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: p.folder.file("out/evaluation/metrics.json"))))
            as! [String: Any]
        let design = metrics["design"] as! [String: Any]
        XCTAssertEqual(design["grouping"] as? String, "knndm")
        XCTAssertNotNil((design["knndm"] as? [String: Any])?["w"] as? Double, "\(design)")
        XCTAssertTrue((design["description"] as! String).contains("kNNDM folds of sites"), "\(design)")
        let geodist = metrics["geodist"] as! [String: Any]
        XCTAssertEqual(
            (geodist["rows"] as! [[String: Any]]).map { $0["distribution"] as! String },
            ["sample_to_sample", "cv", "prediction_to_sample"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: p.folder.file("out/evaluation/plots/geodist.svg")))
        let report = try String(contentsOfFile: p.folder.file("out/report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("### Nearest-neighbour distances (geodist)"), report)
        // The residual variograms: one per model and depth in metrics.json, the table and the plot.
        let variograms = try XCTUnwrap(metrics["residual_variograms"] as? [String: Any], "\(metrics.keys)")
        let rows = try XCTUnwrap(variograms["rows"] as? [[String: Any]])
        XCTAssertFalse(rows.isEmpty)
        for row in rows {
            let bins = try XCTUnwrap((row["empirical"] as? [String: Any])?["bins"] as? [[String: Any]])
            XCTAssertFalse(bins.isEmpty, "\(row)")
        }
        XCTAssertTrue(report.contains("### Spatial correlation of the residuals"), report)
        XCTAssertTrue(
            FileManager.default.fileExists(atPath: p.folder.file("out/evaluation/plots/residual_variogram.svg")))
        try RunRecordTests.assertRecordIsTheReport(p.folder.file("out"))
        try Self.assertPredictRemapsTheSameDIAndAOA(p, "predict finds the run's kNNDM folds: the same DI and AOA maps")
    }

    func testAOAWithoutEvaluate_isAnErrorNamingTheKey() throws {
        let p = try TinyProject()
        let sections = PredictCommandTests.sections.replacingOccurrences(
            of: "  keep_tiles: false\n", with: "  keep_tiles: false\n  aoa: true\n")
        try p.editPipeline("  size: 7\n", "  size: 7\n" + sections)
        let r = try CLI.run(["validate", p.pipeline])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("aoa") && r.stderr.contains("evaluate"), r.stderr)
    }

    func testAOAWeightsRFWithoutTheForest_andAnUnknownRule_areErrorsNamingTheKey() throws {
        let p = try TinyProject()
        let sections = Self.sections.replacingOccurrences(of: "models: [transfer, rf]", with: "models: [transfer]")
            .replacingOccurrences(of: "  aoa: true\n", with: "  aoa: true\n  aoa_weights: rf\n")
        try p.editPipeline("  size: 7\n", "  size: 7\n" + sections)
        let r = try CLI.run(["validate", p.pipeline])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("aoa_weights") && r.stderr.contains("rf"), r.stderr)

        let q = try TinyProject()
        try q.editPipeline(
            "  size: 7\n",
            "  size: 7\n"
                + Self.sections.replacingOccurrences(
                    of: "  aoa: true\n", with: "  aoa: true\n  aoa_threshold: median\n"))
        let s = try CLI.run(["validate", q.pipeline])
        XCTAssertNotEqual(s.status, 0)
        XCTAssertTrue(s.stderr.contains("aoa_threshold") && s.stderr.contains("cast, trimmed_max"), s.stderr)
    }
}

/// The expected RMSE of a profile as report.json lists it: linear between points, constant beyond the ends.
struct ErrorProfileCheck {
    let di: [Double]
    let rmse: [Double]

    func at(_ x: Double) -> Double {
        if x <= di[0] { return rmse[0] }
        if x >= di[di.count - 1] { return rmse[rmse.count - 1] }
        let hi = di.firstIndex { $0 >= x }!
        let lo = hi - 1
        return rmse[lo] + (rmse[hi] - rmse[lo]) * (x - di[lo]) / (di[hi] - di[lo])
    }
}
