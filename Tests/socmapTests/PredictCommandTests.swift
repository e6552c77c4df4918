import Evaluation
import Foundation
import Models
import Patches
import RasterIO
import TestSupport
import XCTest

/// The map stage end to end: exact dense prediction, resuming after kill -9, shards and merge.
final class PredictCommandTests: XCTestCase {
    static let sections = """
        train:
          models: [transfer, rf]
          network: {conv_widths: [4, 8, 8], fc_widths: [8, 8, 4], pool: 1}
          epochs: 3
          fine_tune_epochs: 2
          patience: 2
          batch_size: 16
          forest: {trees: 10, tuning_trees: 5, max_features: [3], min_samples_leaf: [2]}
        predict:
          model: transfer
          tile_size: 16
          keep_tiles: false

        """

    /// A tiny project with the `predict` sections above (also the tile checksum tests' project).
    static func mapProject() throws -> TinyProject {
        let p = try TinyProject()
        try p.editPipeline("  size: 7\n", "  size: 7\n" + sections)
        return p
    }

    /// The depth maps a run of `mapProject` publishes.
    static func mapFiles(_ p: TinyProject) -> [String] {
        DepthIntervalLabels.all.map { p.folder.file("out/maps/soc_\($0).tif") }
    }

    func project() throws -> TinyProject { try Self.mapProject() }

    func mapFiles(_ p: TinyProject) -> [String] { Self.mapFiles(p) }

    func testRun_writesCOGMapsStylesProjectAndQuickLooks() throws {
        let p = try project()
        let r = try CLI.run(["run", p.pipeline])
        XCTAssertEqual(r.status, 0, r.stderr)
        let maps = p.folder.file("out/maps")
        let files = try FileManager.default.contentsOfDirectory(atPath: maps).sorted()
        for label in DepthIntervalLabels.all {
            for ext in ["tif", "qml", "png"] {
                XCTAssertTrue(files.contains("soc_\(label).\(ext)"), "soc_\(label).\(ext) in \(files)")
            }
        }
        XCTAssertTrue(files.contains("soc_maps.qgs"))
        XCTAssertTrue(files.contains("soc_contact_sheet.png"))
        XCTAssertFalse(files.contains(".tiles"), "tile folder removed after assembly")
        // The transfer model's frozen blocks (F = 2 by default) were computed once per tile for the six depths.
        let report = try String(contentsOfFile: p.folder.file("out/report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("conv blocks 1-2 computed once per tile for all depths"), report)
        let info = runTool("gdalinfo", [p.folder.file("out/maps/soc_0-5cm.tif")]) ?? ""
        XCTAssertTrue(info.contains("LAYOUT=COG"), info)
        XCTAssertTrue(info.contains("SOCMAP_PIPELINE_SHA256="), info)
        XCTAssertTrue(info.contains("SOCMAP_CV_SCORES=not evaluated\n"), info)
        XCTAssertTrue(info.contains("SOCMAP_CV_METRICS_SHA256=not evaluated\n"), info)
        XCTAssertTrue(r.stdout.contains("Not cross-validated: the pipeline has no evaluate section"), r.stdout)
        XCTAssertTrue(info.contains("NoData Value=-9999"), info)
        let grid = try RasterDataset(path: p.folder.file("out/maps/soc_0-5cm.tif")).grid()
        XCTAssertEqual(grid, p.grid)
    }

    /// The metadata item `key` of a GeoTIFF, as gdalinfo prints it.
    static func metadataItem(_ path: String, _ key: String) -> String? {
        let info = runTool("gdalinfo", [path]) ?? ""
        return info.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .first { $0.hasPrefix(key + "=") }.map { String($0.dropFirst(key.count + 1)) }
    }

    /// Each map carries its own depth's scores from metrics.json and that file's SHA-256, in `socmap run`
    /// and in `socmap predict`; a later run without `evaluate` stamps "not evaluated", not the old scores.
    func testMaps_carryTheirOwnDepthsScoresAndTheEvaluationTheyCameFrom() throws {
        let p = try project()
        try p.editPipeline("  keep_tiles: false\n", "  keep_tiles: false\nevaluate:\n  folds: 3\n")
        let r = try CLI.run(["run", p.pipeline, "-q"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let metricsPath = p.folder.file("out/evaluation/metrics.json")
        let json = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: metricsPath)))
                as? [String: Any])
        let rows = try XCTUnwrap(json["rows"] as? [[String: Any]])
        func metric(_ depth: String, _ key: String) -> Double? {
            (rows.first { $0["model"] as? String == "transfer" && $0["depth"] as? String == depth }?["metrics"]
                as? [String: Any])?[key] as? Double
        }
        let sha = try XCTUnwrap(runTool("sha256sum", [metricsPath])?.split(separator: " ").first.map(String.init))
        var stamped: [String: String] = [:]
        for depth in ["0-5cm", "100-200cm"] {
            let path = p.folder.file("out/maps/soc_\(depth).tif")
            let scores = try XCTUnwrap(Self.metadataItem(path, "SOCMAP_CV_SCORES"), depth)
            let f = { (x: Double?) in x.map { String(format: "%.3g", $0) } ?? "NA" }
            XCTAssertTrue(
                scores.hasPrefix(
                    "\(depth): R2=\(f(metric(depth, "r2"))) RMSE=\(f(metric(depth, "rmse"))) "
                        + "rRMSE=\(f(metric(depth, "rrmse")))% ME=\(f(metric(depth, "me"))) "
                ),
                "\(depth): \(scores)")
            XCTAssertTrue(scores.hasSuffix(" (transfer, g/kg, 3-fold CV of randomly grouped sites, seed 7)"), scores)
            XCTAssertEqual(Self.metadataItem(path, "SOCMAP_CV_METRICS_SHA256"), sha, depth)
            XCTAssertEqual(Self.metadataItem(path, "SOCMAP_DEPTH"), depth)
            stamped[depth] = scores
        }
        XCTAssertNotEqual(stamped["0-5cm"], stamped["100-200cm"], "each depth its own scores")
        XCTAssertNotEqual(metric("0-5cm", "rmse"), metric("all", "rmse"))
        XCTAssertFalse(
            stamped.values.contains { $0.contains("RMSE=\(String(format: "%.3g", metric("all", "rmse") ?? .nan)) ") },
            "the pooled figure is not stamped")

        // socmap predict reads the published metrics.json: the same stamps.
        let again = try CLI.run(["predict", p.pipeline, "-q", "--overwrite"])
        XCTAssertEqual(again.status, 0, again.stderr)
        for depth in ["0-5cm", "100-200cm"] {
            let path = p.folder.file("out/maps/soc_\(depth).tif")
            XCTAssertEqual(Self.metadataItem(path, "SOCMAP_CV_SCORES"), stamped[depth], depth)
            XCTAssertEqual(Self.metadataItem(path, "SOCMAP_CV_METRICS_SHA256"), sha, depth)
        }
        // The project of `socmap predict` still shows the published held-out sites.
        let projectPath = p.folder.file("out/maps/soc_maps.qgs")
        XCTAssertTrue(
            try String(contentsOfFile: projectPath, encoding: .utf8)
                .contains("../evaluation/heldout_sites.gpkg|layername=heldout_0-5cm"))

        // A run of the pipeline without its evaluate section: no scores of the earlier run survive.
        try p.editPipeline("evaluate:\n  folds: 3\n", "")
        let plain = try CLI.run(["run", p.pipeline, "-q", "--overwrite"])
        XCTAssertEqual(plain.status, 0, plain.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: metricsPath))
        XCTAssertFalse(FileManager.default.fileExists(atPath: p.folder.file("out/evaluation/heldout_sites.gpkg")))
        XCTAssertFalse(
            try String(contentsOfFile: projectPath, encoding: .utf8).contains("heldout_sites.gpkg"),
            "no held-out layers without an evaluation")
        for depth in ["0-5cm", "100-200cm"] {
            let path = p.folder.file("out/maps/soc_\(depth).tif")
            XCTAssertEqual(Self.metadataItem(path, "SOCMAP_CV_SCORES"), "not evaluated", depth)
            XCTAssertEqual(Self.metadataItem(path, "SOCMAP_CV_METRICS_SHA256"), "not evaluated", depth)
        }
        let predicted = try CLI.run(["predict", p.pipeline, "-q", "--overwrite"])
        XCTAssertEqual(predicted.status, 0, predicted.stderr)
        XCTAssertEqual(Self.metadataItem(p.folder.file("out/maps/soc_0-5cm.tif"), "SOCMAP_CV_SCORES"), "not evaluated")
    }

    /// Dense maps equal cutting a patch around each cell: compared at every site (several sit on tile borders).
    func testDenseMaps_equalPatchwisePredictions_acrossTileBorders() throws {
        let p = try project()
        XCTAssertEqual(try CLI.run(["run", p.pipeline, "-q"]).status, 0)
        let data = try PatchFile.read(path: p.folder.file("out/patches.socp"))
        let (model, _) = try ModelStore.load(folder: p.folder.file("out/models/transfer"))
        XCTAssertTrue(
            data.sites.contains { $0.col % 16 == 0 || $0.col % 16 == 15 || $0.row % 16 == 0 || $0.row % 16 == 15 },
            "some sites sit on tile borders")
        for (d, path) in mapFiles(p).enumerated() {
            let map = try RasterDataset(path: path)
            let samples = data.sites.indices.map { PatchSample(site: $0, depth: d, value: 0) }
            var probe = data
            probe.samples = samples
            let patchwise = model.predict(probe, samples: Array(samples.indices))
            for (i, site) in data.sites.enumerated() {
                let v = try map.read(band: 1, window: PixelWindow(col: site.col, row: site.row, width: 1, height: 1))
                    .values[0]
                XCTAssertEqual(
                    v, patchwise[i], accuracy: 1e-4 * max(1, abs(patchwise[i])), "depth \(d) site \(site.id)")
            }
        }
        // Cells on nodata covariates are nodata in the maps.
        let corner = try RasterDataset(path: mapFiles(p)[0]).read(
            band: 1, window: PixelWindow(col: 0, row: 0, width: 3, height: 3))
        XCTAssertFalse(corner.valid.contains(true), "the sea corner is nodata")
    }

    /// Finished tiles in a tile folder (not the `.tile_*.partial-<pid>` folders of a tile being written).
    func storedTiles(_ folder: String) -> Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter {
            $0.hasPrefix("tile_")
        }.count
    }

    /// A real `kill -9` of the real binary in the middle of a prediction, then a resume. The grid is
    /// made 4 x finer (160 x 120 cells of 25 m, 80 tiles of 16 cells) so the prediction runs long
    /// enough to be killed part-way; the test polls the tile folder and kills once two tiles are there.
    func testKilledPrediction_resumesToIdenticalBytes() throws {
        let p = try project()
        let e = p.grid.extent
        try p.editPipeline(
            "  grid: {raster: covs/elev.tif}\n",
            "  grid: {crs: \"EPSG:28355\", resolution: 25, extent: [\(e.minX), \(e.minY), \(e.maxX), \(e.maxY)]}\n")
        let run = try CLI.run(["run", p.pipeline, "-q"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let reference = mapFiles(p).map { FileManager.default.contents(atPath: $0) }
        let tiles = p.folder.file("out/.socmap/tiles")
        let total = 80
        let prediction = try CLI.start(["predict", p.pipeline, "-q", "--overwrite"])
        let deadline = Date().addingTimeInterval(300)
        while storedTiles(tiles) < 2 && prediction.process.isRunning && Date() < deadline { usleep(200) }
        kill(prediction.process.processIdentifier, SIGKILL)
        let killed = try prediction.wait()
        XCTAssertEqual(killed.status, SIGKILL, "killed by SIGKILL: \(killed.stderr)")
        XCTAssertEqual(prediction.process.terminationReason, .uncaughtSignal)
        let stored = storedTiles(tiles)
        XCTAssertGreaterThanOrEqual(stored, 2)
        XCTAssertLessThan(stored, total, "killed before the last tile was stored")
        let resumed = try CLI.run(["predict", p.pipeline])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("\(total) tiles of 16 cells"), resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("resuming: \(stored) tiles already done"), resumed.stderr)
        for (path, data) in zip(mapFiles(p), reference) {
            XCTAssertNotNil(data)
            XCTAssertEqual(FileManager.default.contents(atPath: path), data, path)
        }
    }

    func testThreeShardsAndMerge_giveTheSingleRunBytes() throws {
        let p = try project()
        XCTAssertEqual(try CLI.run(["run", p.pipeline, "-q"]).status, 0)
        let reference = mapFiles(p).map { FileManager.default.contents(atPath: $0) }
        try FileManager.default.removeItem(atPath: p.folder.file("out/maps"))
        // Three processes at once, as a job array would run them.
        let results = try (1...3).map { i in try CLI.start(["predict", p.pipeline, "-q", "--shard", "\(i)/3"]) }.map {
            try $0.wait()
        }
        for r in results { XCTAssertEqual(r.status, 0, r.stderr) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: mapFiles(p)[0]), "shards do not assemble")
        let merged = try CLI.run(["predict", p.pipeline, "-q", "--merge"])
        XCTAssertEqual(merged.status, 0, merged.stderr)
        for (path, data) in zip(mapFiles(p), reference) {
            XCTAssertEqual(FileManager.default.contents(atPath: path), data, path)
        }
    }

    /// `--shard 1/1` (a job array of one task) predicts tiles only, as any shard; `--merge` makes the maps.
    func testOneShardAndMerge_giveTheSingleRunBytes() throws {
        let p = try project()
        XCTAssertEqual(try CLI.run(["run", p.pipeline, "-q"]).status, 0)
        let reference = mapFiles(p).map { FileManager.default.contents(atPath: $0) }
        try FileManager.default.removeItem(atPath: p.folder.file("out/maps"))
        let one = try CLI.run(["predict", p.pipeline, "-q", "--shard", "1/1"])
        XCTAssertEqual(one.status, 0, one.stderr)
        XCTAssertTrue(one.stdout.contains("Shard 1/1: "), one.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: mapFiles(p)[0]), "a shard does not assemble")
        XCTAssertEqual(try CLI.run(["predict", p.pipeline, "-q", "--merge"]).status, 0)
        for (path, data) in zip(mapFiles(p), reference) {
            XCTAssertEqual(FileManager.default.contents(atPath: path), data, path)
        }
    }

    /// `socmap predict` after `socmap run` takes the covariate statistics the run saved (and says so)
    /// and writes the run's bytes; a covariate rewritten since is read again, so its new range is
    /// seen: here the model no longer matches it, which is an error, not maps scaled with stale numbers.
    func testPredictAfterRun_reusesTheSavedCovariateStatistics_untilACovariateChanges() throws {
        let p = try project()
        XCTAssertEqual(try CLI.run(["run", p.pipeline, "-q"]).status, 0)
        let statistics = p.folder.file("out/.socmap/stack-statistics.json")
        XCTAssertTrue(FileManager.default.fileExists(atPath: statistics), "the run keeps its covariate statistics")
        let reference = mapFiles(p).map { FileManager.default.contents(atPath: $0) }
        // Three rasters, four files: the parent material's class names are in its .aux.xml.
        let again = try CLI.run(["predict", p.pipeline, "--overwrite"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(
            again.stderr.contains("covariate statistics: reused from \(statistics), saved by an earlier run"),
            again.stderr)
        XCTAssertTrue(
            again.stderr.contains(
                "(the 4 files the covariates are read from have the same sizes and modification times)"), again.stderr)
        XCTAssertFalse(
            again.stderr.contains("covariate statistics 100%"), "no raster read for statistics: \(again.stderr)")
        for (path, data) in zip(mapFiles(p), reference) {
            XCTAssertEqual(FileManager.default.contents(atPath: path), data, path)
        }

        // The wetness raster rewritten with twice its range: same file, new content and time.
        let coarse = try makeTestGrid(width: 20, height: 15, resolution: 200)
        try writeTestGeoTIFF(path: p.folder.file("covs/wet.tif"), grid: coarse, nodata: -9999) { c, r in
            Float(5 + 2 * cos(Double(c + r) / 4))
        }
        let changed = try CLI.run(["predict", p.pipeline, "--overwrite"])
        XCTAssertNotEqual(changed.status, 0, "stale statistics would have mapped silently: \(changed.stderr)")
        XCTAssertFalse(changed.stderr.contains("reused from"), changed.stderr)
        XCTAssertTrue(
            changed.stderr.contains("'wet' (") && changed.stderr.contains("its values changed")
                && changed.stderr.contains("range 4.0069..6 -> 3.01381..7"),
            changed.stderr)
        for (path, data) in zip(mapFiles(p), reference) {
            XCTAssertEqual(FileManager.default.contents(atPath: path), data, "maps kept: \(path)")
        }
    }

    func testMergeWithAMissingShard_isAClearError() throws {
        let p = try project()
        XCTAssertEqual(try CLI.run(["run", p.pipeline, "-q"]).status, 0)
        XCTAssertEqual(try CLI.run(["predict", p.pipeline, "-q", "--shard", "1/3"]).status, 0)
        let merged = try CLI.run(["predict", p.pipeline, "-q", "--merge"])
        XCTAssertNotEqual(merged.status, 0)
        XCTAssertTrue(merged.stderr.contains("not predicted yet"), merged.stderr)
        XCTAssertTrue(merged.stderr.contains("missing shards"), merged.stderr)
    }
}

enum DepthIntervalLabels {
    static let all = ["0-5cm", "5-15cm", "15-30cm", "30-60cm", "60-100cm", "100-200cm"]
}

final class UncertaintyMapTests: XCTestCase {
    func testUncertainty_mapsTheCVSpreadAndTheCalibratedIntervalBounds() throws {
        let p = try TinyProject()
        let sections = PredictCommandTests.sections
            .replacingOccurrences(
                of: "  keep_tiles: false\n",
                with:
                    "  keep_tiles: false\n  uncertainty: true\n  interval_method: conformal\n  cv_spread: true\n"
                    + "evaluate:\n  folds: 3\n")
        try p.editPipeline("  size: 7\n", "  size: 7\n" + sections)
        let r = try CLI.run(["run", p.pipeline, "-q"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let folds = try FileManager.default.contentsOfDirectory(atPath: p.folder.file("out/models/cv/transfer"))
            .sorted()
        XCTAssertEqual(folds, ["fold_01", "fold_02", "fold_03"])
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: p.folder.file("out/maps/soc_0-5cm_sd.tif")), "the old name is gone")
        let read = { (name: String) in
            try RasterDataset(path: p.folder.file("out/maps/\(name).tif")).read(band: 1, window: p.grid.fullWindow)
        }
        for depth in DepthIntervalLabels.all {
            let sd = try read("soc_\(depth)_cv_sd")
            let lo = try read("soc_\(depth)_q05")
            let hi = try read("soc_\(depth)_q95")
            let mean = try read("soc_\(depth)")
            XCTAssertEqual(sd.valid, mean.valid, "uncertainty is mapped where the map is")
            XCTAssertEqual(lo.valid, mean.valid)
            XCTAssertEqual(hi.valid, mean.valid)
            var positive = 0
            var widths = Set<Float>()
            for k in sd.values.indices where sd.valid[k] {
                XCTAssertGreaterThanOrEqual(sd.values[k], 0)
                XCTAssertLessThanOrEqual(lo.values[k], mean.values[k], depth)
                XCTAssertLessThanOrEqual(mean.values[k], hi.values[k], depth)
                if sd.values[k] > 0 { positive += 1 }
                widths.insert(((hi.values[k] - lo.values[k]) * 1000).rounded())
            }
            XCTAssertGreaterThan(positive, 0, "the CV models disagree somewhere")
            XCTAssertLessThanOrEqual(widths.count, 3, "conformal: one width per depth (up to Float rounding)")
            // The SoilGrids layout: Q50 between the bounds, uncertainty (Q95 - Q05) / Q50 where Q50 > 0.
            let median = try read("soc_\(depth)_q50")
            let ratio = try read("soc_\(depth)_uncertainty")
            XCTAssertEqual(median.valid, mean.valid)
            for k in median.values.indices where median.valid[k] {
                XCTAssertLessThanOrEqual(lo.values[k], median.values[k], depth)
                XCTAssertLessThanOrEqual(median.values[k], hi.values[k], depth)
                if median.values[k] > 0 {
                    XCTAssertTrue(ratio.valid[k], depth)
                    let expected = (hi.values[k] - lo.values[k]) / median.values[k]
                    XCTAssertEqual(ratio.values[k], expected, accuracy: 1e-4 * max(1, expected), depth)
                } else {
                    XCTAssertFalse(ratio.valid[k], "no uncertainty where Q50 is 0")
                }
            }
        }
        let metrics = try String(contentsOfFile: p.folder.file("out/evaluation/metrics.json"), encoding: .utf8)
        XCTAssertTrue(metrics.contains("\"picp\""), "metrics.json holds the measured coverage")
        let summary = try String(contentsOfFile: p.folder.file("out/evaluation/summary.md"), encoding: .utf8)
        XCTAssertTrue(summary.contains("Prediction intervals (90 %)"), summary)
        let report = try String(contentsOfFile: p.folder.file("out/report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("conformal PICP"), report)
        XCTAssertTrue(
            FileManager.default.fileExists(atPath: p.folder.file("out/evaluation/plots/interval_coverage.svg")))
        XCTAssertTrue(FileManager.default.fileExists(atPath: p.folder.file("out/maps/soc_cv_sd_contact_sheet.png")))
        // One colour range for the predictions and their interval bounds.
        let qml = { (name: String) in try String(contentsOfFile: p.folder.file("out/maps/\(name).qml"), encoding: .utf8)
        }
        XCTAssertEqual(try qml("soc_0-5cm"), try qml("soc_0-5cm_q05"))
        XCTAssertEqual(try qml("soc_0-5cm"), try qml("soc_100-200cm_q95"))
        // socmap predict finds the calibration on disk and maps the same bytes.
        let before = FileManager.default.contents(atPath: p.folder.file("out/maps/soc_0-5cm_q95.tif"))
        let again = try CLI.run(["predict", p.pipeline, "-q", "--overwrite"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(FileManager.default.contents(atPath: p.folder.file("out/maps/soc_0-5cm_q95.tif")), before)

        // A valid range whose top lies above every prediction but below some upper bounds: those bounds
        // are lowered to the top, counted, and the maps say so; nothing else moves.
        var top: Float = 0
        var highest: Float = 0
        for depth in DepthIntervalLabels.all {
            let mean = try read("soc_\(depth)")
            let hi = try read("soc_\(depth)_q95")
            for k in mean.values.indices where mean.valid[k] {
                top = max(top, mean.values[k])
                highest = max(highest, hi.values[k])
            }
        }
        let limit = (top + 0.01).rounded(.up)
        XCTAssertLessThan(limit, highest, "some upper bound lies above the limit: \(top) \(highest)")
        let predictions = try DepthIntervalLabels.all.map { try read("soc_\($0)").values }
        try p.editPipeline("  unit: g/kg\n", "  unit: g/kg\n  valid_range: [0, \(Int(limit))]\n")
        let capped = try CLI.run(["predict", p.pipeline, "--overwrite"])
        XCTAssertEqual(capped.status, 0, capped.stderr)
        XCTAssertTrue(
            capped.stderr.contains(
                "upper interval bounds above \(Int(limit)) g/kg (the upper end of profiles.valid_range)"),
            capped.stderr)
        for (depth, values) in zip(DepthIntervalLabels.all, predictions) {
            let hi = try read("soc_\(depth)_q95")
            XCTAssertTrue(zip(hi.values, hi.valid).allSatisfy { !$1 || $0 <= limit }, depth)
            XCTAssertEqual(try read("soc_\(depth)").values.map(\.bitPattern), values.map(\.bitPattern), depth)
        }
        let info = runTool("gdalinfo", [p.folder.file("out/maps/soc_0-5cm_q95.tif")]) ?? ""
        XCTAssertTrue(info.contains("SOCMAP_INTERVAL_UPPER_LIMIT=upper interval bounds above"), info)
    }

    func testConformalInterval_withoutTheCVSpread_mapsBoundsWithoutRunningTheCVModels() throws {
        let p = try TinyProject()
        let sections = PredictCommandTests.sections
            .replacingOccurrences(
                of: "  keep_tiles: false\n",
                with: "  keep_tiles: false\n  uncertainty: true\n  interval_method: conformal\nevaluate:\n  folds: 3\n")
        try p.editPipeline("  size: 7\n", "  size: 7\n" + sections)
        let r = try CLI.run(["run", p.pipeline, "-q"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: p.folder.file("out/models/cv")), "no fold models are saved")
        XCTAssertFalse(FileManager.default.fileExists(atPath: p.folder.file("out/maps/soc_0-5cm_cv_sd.tif")))
        // The bounds are the map ± the conformal q of intervals.json.
        let intervals =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: p.folder.file("out/evaluation/intervals.json"))))
            as? [String: Any]
        let text = String(describing: intervals ?? [:])
        XCTAssertTrue(text.contains("conformal"), text)
        let read = { (name: String) in
            try RasterDataset(path: p.folder.file("out/maps/\(name).tif")).read(band: 1, window: p.grid.fullWindow)
        }
        for depth in DepthIntervalLabels.all {
            let lo = try read("soc_\(depth)_q05")
            let hi = try read("soc_\(depth)_q95")
            let mean = try read("soc_\(depth)")
            XCTAssertEqual(lo.valid, mean.valid)
            var halfWidths = Set<Int>()
            for k in mean.values.indices where mean.valid[k] {
                halfWidths.insert(Int(((hi.values[k] - mean.values[k]) * 100).rounded()))
                // Symmetric around the map, except that no bound goes below 0 (the unit's lowest value).
                XCTAssertGreaterThanOrEqual(lo.values[k], 0)
                if lo.values[k] > 0 {
                    XCTAssertEqual(
                        mean.values[k] - lo.values[k], hi.values[k] - mean.values[k],
                        accuracy: 1e-3 * max(1, abs(mean.values[k])))
                }
            }
            XCTAssertLessThanOrEqual(
                halfWidths.count, 2, "one half-width per depth (up to Float rounding): \(halfWidths)")
        }
    }

    /// The default interval, conformal on the log scale: the bounds are (map + c) e^(±q) − c with the q and c
    /// of intervals.json, wider where the map is higher; the held-out bounds are in predictions.csv and
    /// the coverage by fifth of the predicted value in summary.md.
    func testLogConformal_mapsABandThatWidensWithTheValue() throws {
        let p = try TinyProject()
        let sections = PredictCommandTests.sections
            .replacingOccurrences(
                of: "  keep_tiles: false\n",
                with:
                    "  keep_tiles: false\n  uncertainty: true\n  interval_method: log_conformal\nevaluate:\n  folds: 3\n"
            )
        try p.editPipeline("  size: 7\n", "  size: 7\n" + sections)
        let r = try CLI.run(["run", p.pipeline, "-q"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let summary = try IntervalSummary.read(path: p.folder.file("out/evaluation/intervals.json"))
        XCTAssertEqual(summary.method, .logConformal, "as the pipeline asks")
        let read = { (name: String) in
            try RasterDataset(path: p.folder.file("out/maps/\(name).tif")).read(band: 1, window: p.grid.fullWindow)
        }
        for depth in DepthIntervalLabels.all {
            let c = try XCTUnwrap(summary.calibration(model: "transfer", method: .logConformal, depth: depth))
            let (q, offset) = (try XCTUnwrap(c.q), try XCTUnwrap(c.offset))
            let lo = try read("soc_\(depth)_q05")
            let hi = try read("soc_\(depth)_q95")
            let mean = try read("soc_\(depth)")
            var widths: [(value: Float, width: Float)] = []
            for k in mean.values.indices where mean.valid[k] {
                let m = Double(mean.values[k])
                let tolerance = 1e-4 * max(1, m)
                XCTAssertEqual(Double(hi.values[k]), (max(m, 0) + offset) * exp(q) - offset, accuracy: tolerance)
                XCTAssertEqual(
                    Double(lo.values[k]), max(0, (max(m, 0) + offset) * exp(-q) - offset), accuracy: tolerance)
                widths.append((mean.values[k], hi.values[k] - lo.values[k]))
            }
            let lowest = try XCTUnwrap(widths.min { $0.value < $1.value })
            let highest = try XCTUnwrap(widths.max { $0.value < $1.value })
            if highest.value > lowest.value * 1.2 { XCTAssertGreaterThan(highest.width, lowest.width, depth) }
        }
        let csv = try String(contentsOfFile: p.folder.file("out/evaluation/predictions.csv"), encoding: .utf8)
        XCTAssertTrue(csv.hasPrefix("site,depth,fold,observed,transfer,rf,transfer_q05,transfer_q95,rf_q05,rf_q95,"))
        let md = try String(contentsOfFile: p.folder.file("out/evaluation/summary.md"), encoding: .utf8)
        XCTAssertTrue(md.contains("### Coverage where the values are low and high (transfer, 90 %)"), md)
        let report = try String(contentsOfFile: p.folder.file("out/report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("PICP by fifth of the predicted value"), report)

        // An evaluation made before the method existed (its calibration rows taken out): `predict` says so
        // and what to do, and doing it works.
        let path = p.folder.file("out/evaluation/intervals.json")
        var json = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        json["calibration"] = (json["calibration"] as? [[String: Any]])?.filter {
            $0["method"] as? String != "log_conformal"
        }
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: path))
        let old = try CLI.run(["predict", p.pipeline, "--overwrite"])
        XCTAssertNotEqual(old.status, 0)
        XCTAssertTrue(old.stderr.contains("the evaluation holds no log_conformal interval"), old.stderr)
        XCTAssertTrue(
            old.stderr.contains("predict.interval_method to one it holds (adaptive, conformal, scaled_conformal)"),
            old.stderr)
        try p.editPipeline("  interval_method: log_conformal\n", "  interval_method: conformal\n")
        let conformal = try CLI.run(["predict", p.pipeline, "--overwrite", "-q"])
        XCTAssertEqual(conformal.status, 0, conformal.stderr)
    }

    func testLog1pModels_mapAndScoreTheMean_bySmearing_andTheMedianOnRequest() throws {
        let p = try TinyProject()
        let sections = PredictCommandTests.sections
            .replacingOccurrences(of: "  batch_size: 16\n", with: "  batch_size: 16\n  log1p: true\n")
            .replacingOccurrences(
                of: "  keep_tiles: false\n",
                with:
                    "  keep_tiles: false\n  uncertainty: true\n  interval_method: scaled_conformal\nevaluate:\n  folds: 3\n"
            )
        try p.editPipeline("  size: 7\n", "  size: 7\n" + sections)
        let r = try CLI.run(["run", p.pipeline, "-q"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let summary = try IntervalSummary.read(path: p.folder.file("out/evaluation/intervals.json"))
        XCTAssertEqual(summary.backTransform, .mean)
        XCTAssertEqual(summary.method, .scaledConformal, "as the pipeline asks")
        let md = try String(contentsOfFile: p.folder.file("out/evaluation/summary.md"), encoding: .utf8)
        XCTAssertTrue(md.contains("### Back-transform of the log1p models"), md)
        XCTAssertTrue(md.contains("### Median (Q0.5)"), md)
        let meanMaps = try DepthIntervalLabels.all.map { d in
            try RasterDataset(path: p.folder.file("out/maps/soc_\(d).tif")).read(band: 1, window: p.grid.fullWindow)
        }
        let readMedian = {
            try RasterDataset(path: p.folder.file("out/maps/soc_0-5cm_q50.tif")).read(
                band: 1, window: p.grid.fullWindow)
        }
        let medianBefore = try readMedian()
        let statistic = try XCTUnwrap(
            PredictCommandTests.metadataItem(p.folder.file("out/maps/soc_0-5cm.tif"), "SOCMAP_STATISTIC"))
        XCTAssertTrue(statistic.hasPrefix("mean: ") && statistic.contains("smearing factor"), statistic)

        // The median on request: expm1 of the prediction; the mean maps were (1 + it) x factor - 1.
        try p.editPipeline("  uncertainty: true\n", "  uncertainty: true\n  back_transform: median\n")
        let median = try CLI.run(["predict", p.pipeline, "--overwrite", "-q"])
        XCTAssertEqual(median.status, 0, median.stderr)
        let medianAfter = try readMedian()
        XCTAssertEqual(medianAfter.valid, medianBefore.valid)
        XCTAssertEqual(
            medianAfter.values.indices.filter {
                medianAfter.valid[$0] && medianAfter.values[$0] != medianBefore.values[$0]
            }
            .count, 0, "Q0.5 comes from the model's median either way")
        XCTAssertTrue(
            PredictCommandTests.metadataItem(p.folder.file("out/maps/soc_0-5cm.tif"), "SOCMAP_STATISTIC")?.hasPrefix(
                "median") == true)
        for (d, depth) in DepthIntervalLabels.all.enumerated() {
            let f = try XCTUnwrap(summary.smearingFactor(model: "transfer", depth: depth)).factor
            XCTAssertGreaterThan(f, 0.5, depth)
            let plain = try RasterDataset(path: p.folder.file("out/maps/soc_\(depth).tif"))
                .read(band: 1, window: p.grid.fullWindow)
            XCTAssertEqual(plain.valid, meanMaps[d].valid)
            // The scaled conformal interval around the model's own prediction: p ± q r(p).
            let c = try XCTUnwrap(summary.calibration(model: "transfer", method: .scaledConformal, depth: depth))
            let (q, r) = (try XCTUnwrap(c.q), try XCTUnwrap(c.scale))
            let upper = try RasterDataset(path: p.folder.file("out/maps/soc_\(depth)_q95.tif"))
                .read(band: 1, window: p.grid.fullWindow)
            for k in plain.values.indices where plain.valid[k] {
                let expected = (1 + Double(plain.values[k])) * f - 1
                XCTAssertEqual(Double(meanMaps[d].values[k]), expected, accuracy: 1e-4 * max(1, expected), depth)
                let median = Double(plain.values[k])
                let top = median + q * r(median)
                XCTAssertEqual(Double(upper.values[k]), top, accuracy: 1e-4 * max(1, top), depth)
            }
        }
    }

    func testAdaptiveWithoutTheCVSpread_isAnErrorNamingTheKey() throws {
        let p = try TinyProject()
        let sections = PredictCommandTests.sections
            .replacingOccurrences(
                of: "  keep_tiles: false\n",
                with: """
                      keep_tiles: false
                      uncertainty: true
                      interval_method: adaptive
                      cv_spread: false
                    evaluate:
                      folds: 3\n
                    """
            )
        try p.editPipeline("  size: 7\n", "  size: 7\n" + sections)
        let r = try CLI.run(["validate", p.pipeline])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("cv_spread"), r.stderr)
        XCTAssertTrue(r.stderr.contains("adaptive"), r.stderr)
    }

    func testTooFewResidualsForTheLevel_isAnErrorNamingTheDepthAndTheKey() throws {
        let p = try TinyProject()
        // 24 sites per depth; a 97 % interval needs ceil(1 / 0.03) - 1 = 33 residuals.
        let sections = PredictCommandTests.sections
            .replacingOccurrences(
                of: "  keep_tiles: false\n",
                with: "  keep_tiles: false\n  uncertainty: true\n  interval: 0.97\nevaluate:\n  folds: 3\n")
        try p.editPipeline("  size: 7\n", "  size: 7\n" + sections)
        let r = try CLI.run(["run", p.pipeline, "-q"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("depth 0-5cm"), r.stderr)
        XCTAssertTrue(r.stderr.contains("predict.interval"), r.stderr)
        XCTAssertTrue(r.stderr.contains("needs at least 33"), r.stderr)
    }

    func testAdaptiveInterval_mapsBoundsAroundThePrediction() throws {
        let p = try TinyProject()
        let sections = PredictCommandTests.sections
            .replacingOccurrences(
                of: "  keep_tiles: false\n",
                with: """
                      keep_tiles: false
                      uncertainty: true
                      interval: 0.8
                      interval_method: adaptive
                    evaluate:
                      folds: 3\n
                    """
            )
        try p.editPipeline("  size: 7\n", "  size: 7\n" + sections)
        let r = try CLI.run(["run", p.pipeline, "-q"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let read = { (name: String) in
            try RasterDataset(path: p.folder.file("out/maps/\(name).tif")).read(band: 1, window: p.grid.fullWindow)
        }
        let sd = try read("soc_0-5cm_cv_sd")
        let lo = try read("soc_0-5cm_q10")
        let hi = try read("soc_0-5cm_q90")
        let mean = try read("soc_0-5cm")
        var pairs: [(Float, Float)] = []
        for k in sd.values.indices where sd.valid[k] {
            XCTAssertLessThanOrEqual(lo.values[k], mean.values[k])
            XCTAssertLessThanOrEqual(mean.values[k], hi.values[k])
            pairs.append((sd.values[k], hi.values[k] - lo.values[k]))
        }
        // The width grows with the spread: the narrowest cell has the smallest spread.
        let narrow = pairs.min { $0.1 < $1.1 }!
        let wide = pairs.max { $0.1 < $1.1 }!
        XCTAssertLessThan(narrow.0, wide.0)
    }
}
