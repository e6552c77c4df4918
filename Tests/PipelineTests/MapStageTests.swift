import Evaluation
import Foundation
import Mapping
import Models
@testable import Pipeline
import TestSupport
import XCTest

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
        XCTAssertEqual(names.count, 24, "six depths, their SD and two quantiles")
        let reference = names.map { FileManager.default.contents(atPath: (maps as NSString).appendingPathComponent($0)) }

        let stopper = StoppingObserver(after: 2)
        XCTAssertThrowsError(try PipelineRunner(config: config, observer: stopper)
            .predict(shard: .whole, merge: false, overwrite: true)) { XCTAssertTrue($0 is StoppingObserver.Stop, "\($0)") }
        let tiles = p.folder.contentsOf("out/.socmap/tiles").filter { $0.hasPrefix("tile_") }
        XCTAssertEqual(tiles.count, 2, "\(tiles)")
        XCTAssertTrue(p.folder.contentsOf("out/.socmap/tiles").contains(TileManifest.fileName))

        let resume = StoppingObserver(after: .max)
        let result = try PipelineRunner(config: config, observer: resume).predict(shard: .whole, merge: false, overwrite: false)
        XCTAssertTrue(result.assembled)
        XCTAssertEqual(result.tilesPredicted, 4, "6 tiles, 2 done before")
        XCTAssertTrue(resume.stages.contains { $0.contains("resuming: 2 tiles already done") }, "\(resume.stages)")
        for (name, data) in zip(names, reference) {
            XCTAssertEqual(FileManager.default.contents(atPath: (maps as NSString).appendingPathComponent(name)), data, name)
        }
    }

    func testPredict_mapsWithTheFoldModelsOnDiskAndTheMetricsOfMetricsJSON() throws {
        let (p, config) = try project()
        defer { withExtendedLifetime(p) {} }   // the project folder lives as long as the value
        _ = try PipelineRunner(config: config).run(overwrite: false)
        let layout = OutputLayout(config)
        let inputs = try MapStage.savedInputs(config, config.predict!, layout: layout)
        XCTAssertEqual(inputs.model, layout.model(.transfer))
        XCTAssertEqual(inputs.cvModels, (1...3).map { layout.cvModel(.transfer, fold: $0) })
        let table = try XCTUnwrap(inputs.metrics)
        XCTAssertEqual(table.folds, 3)
        let scores = MapStage.cvScores(table, model: .transfer)
        XCTAssertTrue(scores.hasPrefix("R2="), scores)
        XCTAssertTrue(scores.hasSuffix("(all depths, 3-fold CV)"), scores)
        XCTAssertEqual(MapStage.cvScores(nil, model: .transfer), "not evaluated")
        XCTAssertEqual(MapStage.cvScores(table, model: .rf), "not evaluated", "a model that was not evaluated")
    }

    /// The maps' SOCMAP_CV_SCORES from metrics.json are the bytes the earlier code made from
    /// metrics.csv (split on commas, %.3g), for ordinary, tiny, negative and NaN scores.
    func testCVScoresFromMetricsJSON_equalTheTextFromMetricsCSV() throws {
        let d = try TemporaryDirectory()
        func metrics(_ r2: Double, _ rmse: Double) -> Metrics { Metrics(n: 10, r: 0.7, r2: r2, rmse: rmse, mae: 0.4, kge: 0.5) }
        let cases: [(Double, Double)] = [(0.5, 0.51), (0.123456789, 12.3456789), (-0.00012345, 1234567.0), (.nan, 0.1), (1, 0)]
        for (k, (r2, rmse)) in cases.enumerated() {
            let spread = FoldSpread(folds: 10 - k, r: 0.1, r2: 0.1, rmse: 0.1, mae: 0.1, kge: 0.1)
            let rows = [EvaluationTable.Row(model: "transfer", depth: "0-5cm", metrics: metrics(0.2, 3), foldSD: spread),
                        EvaluationTable.Row(model: "transfer", depth: EvaluationTable.allDepths, metrics: metrics(r2, rmse), foldSD: spread)]
            let table = EvaluationTable(models: ["transfer"], depthLabels: ["0-5cm"], folds: 10, rows: rows)
            let folder = d.file("report\(k)")
            try EvaluationReport.write(table: table, predictions: [], to: folder, title: "t", unit: "g/kg")
            let csv = try String(contentsOfFile: (folder as NSString).appendingPathComponent("metrics.csv"), encoding: .utf8)
            let decoded = try EvaluationReport.readTable(metricsJSON: (folder as NSString).appendingPathComponent(EvaluationReport.metricsJSONFile))
            XCTAssertEqual(MapStage.cvScores(decoded, model: .transfer), Self.earlierCVSummary(csv: csv, model: "transfer"), "case \(k)")
        }
        XCTAssertEqual(Provenance.cvScores(r2: 0.5, rmse: 0.51, folds: 10), "R2=0.5 RMSE=0.51 (all depths, 10-fold CV)")
    }

    /// The earlier MapStage.cvSummary, kept here as the reference the typed reading must match.
    static func earlierCVSummary(csv: String, model: String) -> String? {
        let lines = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        guard let header = lines.first, let r2 = header.firstIndex(of: "r2"), let rmse = header.firstIndex(of: "rmse"),
              let folds = header.firstIndex(of: "folds"),
              let row = lines.first(where: { $0.count == header.count && $0[0] == model && $0[1] == "all" }) else { return nil }
        let f = { (s: String) in Double(s).map { String(format: "%.3g", $0) } ?? s }
        return "R2=\(f(row[r2])) RMSE=\(f(row[rmse])) (all depths, \(row[folds])-fold CV)"
    }

    func testCVModelFolders_listsTheFoldFoldersInFoldOrder() throws {
        let d = try TemporaryDirectory()
        let layout = OutputLayout(root: d.file("out"), patchesFile: "patches.socp")
        XCTAssertEqual(layout.cvModelFolders(.cnn), [], "no folder: no models")
        for fold in [10, 2, 1] { try FileManager.default.createDirectory(atPath: layout.cvModel(.cnn, fold: fold), withIntermediateDirectories: true) }
        for other in ["fold_3", "fold_x", "notes"] {
            try FileManager.default.createDirectory(atPath: (layout.cvModels(.cnn) as NSString).appendingPathComponent(other),
                                                    withIntermediateDirectories: true)
        }
        XCTAssertEqual(layout.cvModelFolders(.cnn), [1, 2, 10].map { layout.cvModel(.cnn, fold: $0) })
        XCTAssertEqual((layout.cvModel(.cnn, fold: 2) as NSString).lastPathComponent, "fold_02")
    }
}
