import Evaluation
import Foundation
import Models
import RasterIO
import TestSupport
import Workspace
import XCTest

@testable import Configuration
@testable import Pipeline

/// `predict.residual_kriging` through a whole run: its keys, the kriged model's honest scores and interval
/// ("<model>+rk", from inner folds), and maps whose kriged residual equals gstat's krige at the cells' centres.
final class ResidualKrigingPipelineTests: XCTestCase {
    func project(train: String = "", predict: String, evaluate: Bool = true) throws -> (TinyProject, PipelineConfig) {
        let p = try TinyProject()
        let sections = """
            train:
              models: [rf]
              network: {conv_widths: [4, 8, 8], fc_widths: [8, 8, 4], pool: 1}
              forest: {trees: 10, tuning_trees: 5, max_features: [2], min_samples_leaf: [3]}
            \(train)
            \(evaluate ? "evaluate:\n  folds: 3\n" : "")
            predict:
              model: rf
              tile_size: 16
            \(predict)

            """
        try p.editPipeline("  size: 7\n", "  size: 7\n" + sections)
        return (p, try PipelineConfig.load(path: p.pipeline))
    }

    func testKeys_defaultOff_trueTakesTheDefaults_andBadOnesNameTheKey() throws {
        let (p, off) = try project(predict: "")
        defer { withExtendedLifetime(p) {} }
        XCTAssertNil(off.predict?.residualKriging)
        let (q, on) = try project(predict: "  residual_kriging: true")
        defer { withExtendedLifetime(q) {} }
        XCTAssertEqual(on.predict?.residualKriging, ResidualKrigingSettings(neighbours: 32, innerFolds: 5))
        let (r, given) = try project(predict: "  residual_kriging: {neighbours: 8, inner_folds: 2}")
        defer { withExtendedLifetime(r) {} }
        XCTAssertEqual(given.predict?.residualKriging, ResidualKrigingSettings(neighbours: 8, innerFolds: 2))
        let cases: [(train: String, predict: String, evaluate: Bool, expected: String)] = [
            ("", "  residual_kriging: true", false, "add an 'evaluate' section"),
            ("", "  residual_kriging: {neighbours: 0}", true, "neighbours"),
            ("", "  residual_kriging: {inner_folds: 1}", true, "between 2 and 20"),
            ("", "  residual_kriging: {nmax: 3}", true, "nmax"),
            ("", "  residual_kriging: maybe", true, "residual_kriging"),
            ("  log1p: true", "  residual_kriging: true", true, "train.log1p: false"),
            ("", "  residual_kriging: true\n  uncertainty: true\n  interval_method: adaptive", true, "log_conformal")
        ]
        for c in cases {
            XCTAssertThrowsError(try project(train: c.train, predict: c.predict, evaluate: c.evaluate), c.predict) {
                error in
                XCTAssertTrue("\(error)".contains(c.expected), "\(c): \(error)")
                XCTAssertTrue("\(error)".contains("pipeline.yaml:"), "names the file and line: \(error)")
            }
        }
    }

    /// The run scores "rf+rk" beside rf from inner folds, calibrates its interval and records where the kriging
    /// variance is folded in; `socmap predict` maps the same bytes again; and the maps minus the unkriged maps are
    /// gstat's krige of the held-out residuals (our fitted variogram, the same neighbours) at the cells' centres.
    func testRun_scoresTheKrigedModel_andMapsGstatsKrigedResiduals() throws {
        let (p, config) = try project(
            predict: "  uncertainty: true\n  residual_kriging: {neighbours: 8, inner_folds: 2}")
        defer { withExtendedLifetime(p) {} }
        let summary = try PipelineRunner(config: config).run(overwrite: false)
        let layout = OutputLayout(config)
        let metrics =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: layout.evaluationFolder + "/metrics.json")))
            as! [String: Any]
        XCTAssertEqual(metrics["models"] as? [String], ["rf", "rf+rk"])
        let intervals = try IntervalSummary.read(path: layout.evaluationFolder + "/" + IntervalSummary.fileName)
        let check = try XCTUnwrap(intervals.krigingVariance)
        XCTAssertEqual(check.model, "rf+rk")
        XCTAssertFalse(check.depths.isEmpty)
        XCTAssertNotNil(intervals.calibration(model: "rf+rk", method: .logConformal, depth: "0-5cm")?.q)
        XCTAssertTrue(summary.report.contains("rf+rk"), "report.md scores the kriged model")
        // Inner units of rf: 3 outer folds x 2 inner folds.
        let report =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: layout.root + "/report.json"))) as! [String: Any]
        let trained = ((report["training"] as! [String: Any])["units"] as! [[String: Any]]).map {
            $0["name"] as! String
        }
        XCTAssertEqual(trained.count, 3 * 3 + 1, "\(trained)")
        // The maps record the kriging and the kriged model's scores.
        let map = layout.mapsFolder + "/soc_0-5cm.tif"
        let metadata = try RasterDataset(path: map).metadata()
        XCTAssertTrue(metadata["SOCMAP_RESIDUAL_KRIGING"]?.hasPrefix("8 neighbours; 0-5cm: ") == true, "\(metadata)")
        XCTAssertTrue(metadata["SOCMAP_CV_SCORES"]?.contains("(rf+rk") == true, "\(metadata)")
        // `socmap predict` re-maps the kriged model to the same bytes.
        let names = try FileManager.default.contentsOfDirectory(atPath: layout.mapsFolder).filter {
            $0.hasSuffix(".tif")
        }
        .sorted()
        let before = names.map { FileManager.default.contents(atPath: layout.mapsFolder + "/" + $0) }
        _ = try PipelineRunner(config: config).predict(shard: .whole, merge: false, overwrite: true)
        for (name, data) in zip(names, before) {
            XCTAssertEqual(FileManager.default.contents(atPath: layout.mapsFolder + "/" + name), data, name)
        }
        let kriged = try RasterDataset(path: map)
        let grid = try kriged.grid()
        let window = PixelWindow(col: 0, row: 0, width: grid.width, height: grid.height)
        let withKriging = try kriged.read(band: 1, window: window)
        // The same model's maps without kriging.
        try p.editPipeline("  residual_kriging: {neighbours: 8, inner_folds: 2}\n", "")
        let plain = try PipelineConfig.load(path: p.pipeline)
        _ = try PipelineRunner(config: plain).predict(shard: .whole, merge: false, overwrite: true)
        let without = try RasterDataset(path: map).read(band: 1, window: window)
        // The residuals: observed - rf at 0-5 cm, at the sites' coordinates (predictions.csv).
        let csv = try String(contentsOfFile: layout.evaluationFolder + "/predictions.csv", encoding: .utf8)
        let lines = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let header = lines[0].map(String.init)
        let c = { (name: String) in header.firstIndex(of: name)! }
        var (x, y, r): ([Double], [Double], [Double]) = ([], [], [])
        for row in lines.dropFirst() where row[c("depth")] == "0-5cm" {
            guard let o = Double(row[c("observed")]), let f = Double(row[c("rf")]) else { continue }
            x.append(Double(row[c("x")])!)
            y.append(Double(row[c("y")])!)
            r.append(o - f)
        }
        let points = SpatialPoints(x: x, y: y, metric: .euclidean)
        let model = try XCTUnwrap(EmpiricalVariogram.compute(points: points, values: r).flatMap(VariogramModel.best))
        // Cells mapped in both, every 7th.
        var cells: [(x: Double, y: Double, diff: Double)] = []
        for k in stride(from: 0, to: grid.width * grid.height, by: 7)
        where withKriging.valid[k] && without.valid[k] {
            let at = grid.cellCenter(col: k % grid.width, row: k / grid.width)
            cells.append((at.x, at.y, Double(withKriging.values[k]) - Double(without.values[k])))
        }
        XCTAssertGreaterThan(cells.count, 20)
        XCTAssertTrue(cells.contains { abs($0.diff) > 1e-3 }, "kriging changed the map")
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/Rscript"),
            runTool("Rscript", ["-e", "suppressMessages(library(gstat)); cat('ok')"]) == "ok"
        else { throw missingClient("R with gstat (r-cran-gstat) is not installed") }
        let folder = p.folder
        var points_ = "x,y,z\n"
        for i in r.indices { points_ += "\(x[i]),\(y[i]),\(r[i])\n" }
        try points_.write(toFile: folder.file("points.csv"), atomically: true, encoding: .utf8)
        var targets = "x,y\n"
        for cell in cells { targets += "\(cell.x),\(cell.y)\n" }
        try targets.write(toFile: folder.file("targets.csv"), atomically: true, encoding: .utf8)
        let shape = model.shape == .spherical ? "Sph" : "Exp"
        let script = """
            suppressMessages({ library(sp); library(gstat) })
            d <- read.csv("\(folder.file("points.csv"))"); coordinates(d) <- ~x + y
            g <- read.csv("\(folder.file("targets.csv"))"); coordinates(g) <- ~x + y
            m <- vgm(psill = \(model.partialSill), model = "\(shape)", range = \(model.range), nugget = \(model.nugget))
            k <- krige(z ~ 1, d, g, model = m, nmax = 8, debug.level = 0)
            for (i in seq_len(nrow(k))) cat(sprintf("%.17g", k$var1.pred[i]), "\\n")
            """
        let output = try XCTUnwrap(runTool("Rscript", ["-e", script]), "Rscript ran")
        let theirs = output.split(separator: "\n").compactMap {
            Double(String($0).trimmingCharacters(in: .whitespaces))
        }
        XCTAssertEqual(theirs.count, cells.count, output)
        for (cell, t) in zip(cells, theirs) {
            // Float32 maps: the difference of two values near 1-30 g/kg holds about 1e-5 of them.
            XCTAssertEqual(cell.diff, t, accuracy: 2e-4 * max(1, abs(t)), "cell at \(cell.x), \(cell.y)")
        }
    }
}
