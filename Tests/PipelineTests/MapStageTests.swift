import Evaluation
import FileIO
import Foundation
import Mapping
import Models
import TestSupport
import Workspace
import XCTest

@testable import Cartography
@testable import Configuration
@testable import Inputs
@testable import Pipeline

/// The map stage as the pipeline runs it: the observer seam that stops a prediction, the fold models
/// and metrics it maps with, and the paths OutputLayout owns.
final class MapStageTests: XCTestCase {
    static let sections = """
        train:
          models: [transfer]
          network: {conv_widths: [4, 8, 8], fc_widths: [8, 8, 4], pool: 1}
          epochs: 3
          fine_tune_epochs: 2
          patience: 2
          batch_size: 16
        evaluate:
          folds: 3
        predict:
          model: transfer
          tile_size: 16
          uncertainty: true
          cv_spread: true

        """

    /// Stops the map stage after `limit` newly stored tiles; records the stages.
    final class StoppingObserver: PipelineObserver {
        struct Stop: Error {}
        let limit: Int
        var stored = 0
        var stages: [String] = []
        init(after limit: Int) { self.limit = limit }
        func stageStarted(_ name: String) { stages.append(name) }
        func progress(_ label: String, done: Int, total: Int, detail: String) {}
        func note(_ text: String) {}
        func mapTileStored(done: Int, total: Int) throws {
            stored += 1
            if stored >= limit { throw Stop() }
        }
    }

    func project() throws -> (TinyProject, PipelineConfig) {
        let p = try TinyProject()
        try p.editPipeline("  size: 7\n", "  size: 7\n" + Self.sections)
        return (p, try PipelineConfig.load(path: p.pipeline))
    }

    func testObserverThatThrows_stopsThePrediction_andTheNextOneResumesToTheSameBytes() throws {
        let (p, config) = try project()
        _ = try PipelineRunner(config: config).run(overwrite: false)
        let maps = OutputLayout(config).mapsFolder
        let names = try FileManager.default.contentsOfDirectory(atPath: maps).filter { $0.hasSuffix(".tif") }.sorted()
        XCTAssertEqual(
            names.count, 37,
            "six depths, their SD, three quantiles and uncertainty, and the depth inversions "
                + "(predict.depth_consistency, on by default)"
        )
        let reference = names.map {
            FileManager.default.contents(atPath: (maps as NSString).appendingPathComponent($0))
        }

        let stopper = StoppingObserver(after: 2)
        XCTAssertThrowsError(
            try PipelineRunner(config: config, observer: stopper)
                .predict(shard: .whole, merge: false, overwrite: true)
        ) { XCTAssertTrue($0 is StoppingObserver.Stop, "\($0)") }
        let tiles = p.folder.contentsOf("out/.socmap/tiles").filter { $0.hasPrefix("tile_") }
        XCTAssertEqual(tiles.count, 2, "\(tiles)")
        XCTAssertTrue(p.folder.contentsOf("out/.socmap/tiles").contains(TileManifest.fileName))

        let resume = StoppingObserver(after: .max)
        let result = try PipelineRunner(config: config, observer: resume).predict(
            shard: .whole, merge: false, overwrite: false)
        XCTAssertTrue(result.assembled)
        XCTAssertEqual(result.tilesPredicted, 4, "6 tiles, 2 done before")
        XCTAssertTrue(resume.stages.contains { $0.contains("resuming: 2 tiles already done") }, "\(resume.stages)")
        for (name, data) in zip(names, reference) {
            XCTAssertEqual(
                FileManager.default.contents(atPath: (maps as NSString).appendingPathComponent(name)), data, name)
        }
    }

    func testPredict_mapsWithTheFoldModelsOnDiskAndTheMetricsOfMetricsJSON() throws {
        let (p, config) = try project()
        defer { withExtendedLifetime(p) {} }  // the project folder lives as long as the value
        _ = try PipelineRunner(config: config).run(overwrite: false)
        let layout = OutputLayout(config)
        let stack = try StackStage.run(InputSettings(config), observer: SilentObserver())
        let inputs = try MapStage.savedInputs(config, layout: layout, stack: stack)
        XCTAssertEqual(inputs.model, layout.model(.transfer))
        XCTAssertEqual(inputs.cvModels, (1...3).map { layout.cvModel(.transfer, fold: $0) })
        let table = try XCTUnwrap(inputs.metrics)
        XCTAssertEqual(table.folds, 3)
        XCTAssertEqual(table.design, .sites(folds: 3, seed: 7), "the design travels with metrics.json")
        XCTAssertEqual(inputs.metricsSHA256, try SHA256Hasher.hex(fileAt: layout.metricsJSON))
        let scores = MapStage.cvScores(table, model: "transfer", depth: "0-5cm", unit: "g/kg")
        let row = try XCTUnwrap(table.row(model: "transfer", depth: "0-5cm"))
        XCTAssertEqual(
            scores,
            "0-5cm: \(ScoreTables.compact(row.metrics)) (transfer, g/kg, 3-fold CV of randomly grouped sites, seed 7)")
        XCTAssertTrue(scores.hasPrefix("0-5cm: R2="), scores)
        XCTAssertNotEqual(scores, MapStage.cvScores(table, model: "transfer", depth: "100-200cm", unit: "g/kg"))
        XCTAssertEqual(MapStage.cvScores(nil, model: "transfer", depth: "0-5cm", unit: "g/kg"), "not evaluated")
        XCTAssertEqual(
            MapStage.cvScores(table, model: "rf", depth: "0-5cm", unit: "g/kg"), "not evaluated",
            "a model that was not evaluated")
        XCTAssertEqual(
            MapStage.cvScores(table, model: "transfer", depth: "7-9cm", unit: "g/kg"), "not evaluated",
            "a depth that was not evaluated")
    }

    /// The per-depth CV text from metrics.json carries the numbers of metrics.csv (%.3g), for
    /// ordinary, tiny, negative and NaN scores; the pooled row never reaches a map.
    func testCVScoresFromMetricsJSON_equalTheDepthRowOfMetricsCSV() throws {
        let d = try TemporaryDirectory()
        func metrics(_ r2: Double, _ rmse: Double) -> Metrics {
            Metrics(n: 10, r: 0.7, r2: r2, rmse: rmse, rrmse: rmse * 4, mae: 0.4, me: -rmse / 3, kge: 0.5)
        }
        let cases: [(Double, Double)] = [
            (0.5, 0.51), (0.123456789, 12.3456789), (-0.00012345, 1234567.0), (.nan, 0.1), (1, 0)
        ]
        for (k, (r2, rmse)) in cases.enumerated() {
            let spread = FoldSpread(folds: 10 - k, r: 0.1, r2: 0.1, rmse: 0.1, mae: 0.1, kge: 0.1)
            let rows = [
                EvaluationTable.Row(model: "transfer", depth: "0-5cm", metrics: metrics(r2, rmse), foldSD: spread),
                EvaluationTable.Row(
                    model: "transfer", depth: EvaluationTable.allDepths, metrics: metrics(0.9, 3), foldSD: spread)
            ]
            let table = EvaluationTable(
                models: ["transfer"], depthLabels: ["0-5cm"], folds: 10, rows: rows,
                design: .spatialBlocks(folds: 10, size: 5000, unit: "m", seed: 3))
            let folder = d.file("report\(k)")
            try EvaluationReport.write(table: table, predictions: [], to: folder, title: "t", unit: "g/kg")
            let csv = try String(
                contentsOfFile: (folder as NSString).appendingPathComponent("metrics.csv"), encoding: .utf8)
            let decoded = try EvaluationReport.readTable(
                metricsJSON: (folder as NSString).appendingPathComponent(EvaluationReport.metricsJSONFile))
            let text = MapStage.cvScores(decoded, model: "transfer", depth: "0-5cm", unit: "g/kg")
            XCTAssertEqual(
                text,
                Self.depthScores(csv: csv, model: "transfer", depth: "0-5cm")
                    .map { "0-5cm: \($0) (transfer, g/kg, 10-fold CV of spatial blocks of 5000 m, seed 3)" },
                "case \(k)")
            XCTAssertFalse(text.contains("R2=0.9 "), "not the pooled figure")
        }
    }

    /// The scores of one metrics.csv line as the maps show them, read by column name.
    static func depthScores(csv: String, model: String, depth: String) -> String? {
        let lines = csv.split(separator: "\n").map {
            $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
        guard let header = lines.first,
            let row = lines.first(where: { $0.count == header.count && $0[0] == model && $0[1] == depth })
        else { return nil }
        func f(_ column: String) -> String {
            guard let i = header.firstIndex(of: column) else { return "?" }
            return Double(row[i]).map { String(format: "%.3g", $0) } ?? "NA"
        }
        let n = header.firstIndex(of: "n").map { row[$0] } ?? "?"
        return
            "R2=\(f("r2")) RMSE=\(f("rmse")) rRMSE=\(f("rrmse"))% ME=\(f("me")) MAE=\(f("mae")) KGE=\(f("kge")) n=\(n)"
    }

    func testCVModelFolders_listsTheFoldFoldersInFoldOrder() throws {
        let d = try TemporaryDirectory()
        let layout = OutputLayout(root: d.file("out"), patchesFile: "patches.socp")
        XCTAssertEqual(layout.cvModelFolders(.cnn), [], "no folder: no models")
        for fold in [10, 2, 1] {
            try FileManager.default.createDirectory(
                atPath: layout.cvModel(.cnn, fold: fold), withIntermediateDirectories: true)
        }
        for other in ["fold_3", "fold_x", "notes"] {
            try FileManager.default.createDirectory(
                atPath: (layout.cvModels(.cnn) as NSString).appendingPathComponent(other),
                withIntermediateDirectories: true)
        }
        XCTAssertEqual(layout.cvModelFolders(.cnn), [1, 2, 10].map { layout.cvModel(.cnn, fold: $0) })
        XCTAssertEqual((layout.cvModel(.cnn, fold: 2) as NSString).lastPathComponent, "fold_02")
    }
}
