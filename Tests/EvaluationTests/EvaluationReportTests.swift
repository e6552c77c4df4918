import Randomness
import TextFormat
import XCTest
@testable import Evaluation

final class EvaluationReportTests: XCTestCase {
    private let models = ["transfer", "cnn", "rf"]
    private let depths = ["0-5cm", "5-15cm", "15-30cm"]

    private func fixture() throws -> (EvaluationTable, [HeldOutPrediction], [FreezeSweepEntry]) {
        let predictions = try syntheticPredictions(models: models)
        let table = EvaluationTable.build(predictions: predictions, models: models, depthLabels: depths, folds: 5)
        let sweep = (0...6).map { f -> FreezeSweepEntry in
            var entry = FreezeSweepEntry(f: f, table: table, model: "transfer")
            for i in entry.rows.indices { entry.rows[i].metrics.rmse *= 1 + 0.01 * Double(f) }
            return entry
        }
        return (table, predictions, sweep)
    }

    /// Splits simple CSV text (no quoted fields) into rows of fields.
    private func csvRows(_ path: String) throws -> [[String]] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(text.hasSuffix("\n"))
        return text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    func testWrite_writesEveryFileAndNoTemporaries() throws {
        let (table, predictions, sweep) = try fixture()
        let folder = try TempFolder()
        let out = folder.file("report")
        let written = try EvaluationReport.write(table: table, predictions: predictions, freezeSweep: sweep,
                                                 to: out, title: "Test SOC", unit: "g/kg")
        let relative = written.map { String($0.dropFirst(out.count + 1)) }
        XCTAssertEqual(Set(relative), ["metrics.csv", "metrics.json", "predictions.csv", "freeze_sweep.csv", "summary.md",
                                       "plots/scatter_transfer.svg", "plots/scatter_cnn.svg", "plots/scatter_rf.svg",
                                       "plots/density.svg", "plots/rmse_by_depth.svg", "plots/freeze_sweep.svg"])
        XCTAssertEqual(relative.count, 11)
        let listing = try FileManager.default.subpathsOfDirectory(atPath: out)
        XCTAssertEqual(Set(listing), Set(relative + ["plots"]), "only the report's files, no temporaries")
    }

    func testWrite_withoutSweepSkipsItsFiles() throws {
        let (table, predictions, _) = try fixture()
        let folder = try TempFolder()
        let written = try EvaluationReport.write(table: table, predictions: predictions, to: folder.path, title: "T", unit: "")
        XCTAssertFalse(written.contains { $0.hasSuffix("freeze_sweep.csv") || $0.hasSuffix("freeze_sweep.svg") })
        let summary = try String(contentsOfFile: folder.file("summary.md"), encoding: .utf8)
        XCTAssertFalse(summary.contains("Freeze sweep"))
    }

    func testWrite_metricsCSVReadsBackToTheTable() throws {
        let (table, predictions, sweep) = try fixture()
        let folder = try TempFolder()
        try EvaluationReport.write(table: table, predictions: predictions, freezeSweep: sweep, to: folder.path, title: "T", unit: "g/kg")
        let rows = try csvRows(folder.file("metrics.csv"))
        XCTAssertEqual(rows[0], ["model", "depth", "n", "r", "r2", "rmse", "mae", "kge",
                                 "folds", "r_sd", "r2_sd", "rmse_sd", "mae_sd", "kge_sd"])
        XCTAssertEqual(rows.count, table.rows.count + 1)
        for (fields, row) in zip(rows.dropFirst(), table.rows) {
            XCTAssertEqual(fields[0], row.model)
            XCTAssertEqual(fields[1], row.depth)
            XCTAssertEqual(Int(fields[2]), row.metrics.n)
            let m = Metrics(n: Int(fields[2])!, r: Double(fields[3])!, r2: Double(fields[4])!, rmse: Double(fields[5])!,
                            mae: Double(fields[6])!, kge: Double(fields[7])!)
            XCTAssertEqual(m, row.metrics, "CSV numbers round-trip exactly")
            XCTAssertEqual(Double(fields[11])!, row.foldSD.rmse)
        }
        let sweepRows = try csvRows(folder.file("freeze_sweep.csv"))
        XCTAssertEqual(sweepRows[0].first, "f")
        XCTAssertEqual(sweepRows.count, 1 + 7 * 4)
        XCTAssertEqual(sweepRows.last?.prefix(2), ["6", "all"])
    }

    func testWrite_predictionsCSVHasOneLinePerSampleSortedBySiteAndDepth() throws {
        let (table, predictions, _) = try fixture()
        let folder = try TempFolder()
        try EvaluationReport.write(table: table, predictions: predictions.reversed(), to: folder.path, title: "T", unit: "g/kg")
        let rows = try csvRows(folder.file("predictions.csv"))
        XCTAssertEqual(rows[0], ["site", "depth", "fold", "observed", "transfer", "cnn", "rf"])
        XCTAssertEqual(rows.count, predictions.count + 1)
        XCTAssertEqual(rows[1].prefix(2), ["site000", "0-5cm"])
        XCTAssertEqual(rows[2].prefix(2), ["site000", "5-15cm"])
        let byKey = Dictionary(uniqueKeysWithValues: predictions.map { ("\($0.siteID)|\(depths[$0.depth])", $0) })
        var missing = 0
        for fields in rows.dropFirst() {
            let p = try XCTUnwrap(byKey["\(fields[0])|\(fields[1])"])
            XCTAssertEqual(Int(fields[2]), p.fold)
            XCTAssertEqual(Double(fields[3]), p.observed)
            XCTAssertEqual(Double(fields[4]), p.predicted["transfer"])
            if fields[6] == "NA" { missing += 1; XCTAssertNil(p.predicted["rf"]) } else { XCTAssertEqual(Double(fields[6]), p.predicted["rf"]) }
        }
        XCTAssertGreaterThan(missing, 0, "missing rf predictions are written as NA")
    }

    func testWrite_metricsJSONReadsBackEqual() throws {
        let (table, predictions, sweep) = try fixture()
        let folder = try TempFolder()
        try EvaluationReport.write(table: table, predictions: predictions, freezeSweep: sweep, to: folder.path, title: "T", unit: "g/kg")
        let back = try EvaluationReport.readTable(metricsJSON: folder.file("metrics.json"))
        XCTAssertEqual(back, table)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder.file("metrics.json")))) as? [String: Any]
        XCTAssertEqual((json?["freeze_sweep"] as? [Any])?.count, 7)
        XCTAssertEqual(json?["unit"] as? String, "g/kg")
    }

    func testWrite_everySVGIsWellFormedAndShowsItsContent() throws {
        let (table, predictions, sweep) = try fixture()
        let folder = try TempFolder()
        let written = try EvaluationReport.write(table: table, predictions: predictions, freezeSweep: sweep,
                                                 to: folder.path, title: "Test & SOC", unit: "g/kg")
        let svgs = written.filter { $0.hasSuffix(".svg") }
        XCTAssertEqual(svgs.count, 6)
        for path in svgs {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            XCTAssertTrue(isWellFormedXML(text), "\(path) is not well-formed XML")
            XCTAssertTrue(text.contains("Test &amp; SOC"), "\(path) lacks its title")
        }
        let scatter = try String(contentsOfFile: folder.file("plots/scatter_cnn.svg"), encoding: .utf8)
        let cnnCount = predictions.filter { $0.predicted["cnn"] != nil }.count
        XCTAssertEqual(scatter.components(separatedBy: "<circle").count - 1, cnnCount, "one point per held-out sample")
        XCTAssertEqual(scatter.components(separatedBy: "stroke-dasharray=\"5 4\"").count - 1, depths.count, "a 1:1 line per panel")
        let r2 = NumberText.fixed(table.row(model: "cnn", depth: "5-15cm")!.metrics.r2, 2)
        XCTAssertTrue(scatter.contains("R² = \(r2)"))
        let density = try String(contentsOfFile: folder.file("plots/density.svg"), encoding: .utf8)
        for label in ["Observed", "transfer", "cnn", "rf", "0–5 cm"] { XCTAssertTrue(density.contains(">\(label)"), label) }
        let bars = try String(contentsOfFile: folder.file("plots/rmse_by_depth.svg"), encoding: .utf8)
        XCTAssertTrue(bars.contains("Pooled over depths"))
    }

    func testWrite_summaryTableBoldsTheBestModelPerDepth() throws {
        let (table, predictions, sweep) = try fixture()
        let folder = try TempFolder()
        try EvaluationReport.write(table: table, predictions: predictions, freezeSweep: sweep, to: folder.path, title: "T", unit: "g/kg")
        let summary = try String(contentsOfFile: folder.file("summary.md"), encoding: .utf8)
        XCTAssertTrue(summary.contains("| Depth | Model | n | R | R² | RMSE | MAE | KGE |"))
        let lines = summary.split(separator: "\n").map(String.init)
        let tableLines = lines.filter { $0.hasPrefix("| ") && ($0.contains("| transfer |") || $0.contains("| cnn |") || $0.contains("| rf |")) }
        XCTAssertEqual(tableLines.count, table.rows.count)
        // Per depth, exactly one model has the bold (lowest) RMSE: the one the table says.
        for depth in table.depthKeys {
            let best = models.min { table.row(model: $0, depth: depth)!.metrics.rmse < table.row(model: $1, depth: depth)!.metrics.rmse }!
            let rows = table.rows.filter { $0.depth == depth }
            for row in rows {
                let line = tableLines[table.rows.firstIndex(of: row)!]
                let rmseCell = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }[5]
                XCTAssertEqual(rmseCell.hasPrefix("**"), row.model == best, "\(depth) \(row.model): \(line)")
            }
        }
        XCTAssertTrue(summary.contains("## Freeze sweep (transfer model)"))
        XCTAssertTrue(summary.contains("| 0 | "), "a row for F = 0")
        XCTAssertTrue(summary.contains("![plots/density.svg](plots/density.svg)"))
    }

    func testWrite_sameInputsGiveIdenticalBytes() throws {
        let (table, predictions, sweep) = try fixture()
        let a = try TempFolder(), b = try TempFolder()
        let first = try EvaluationReport.write(table: table, predictions: predictions, freezeSweep: sweep, to: a.path, title: "T", unit: "g/kg")
        // Shuffled input order must not change predictions.csv or the plots either.
        var random = SplitMix64(seed: 3)
        var shuffled = predictions
        random.shuffle(&shuffled)
        try EvaluationReport.write(table: table, predictions: shuffled, freezeSweep: sweep.reversed(), to: b.path, title: "T", unit: "g/kg")
        for path in first {
            let name = String(path.dropFirst(a.path.count + 1))
            let x = try Data(contentsOf: URL(fileURLWithPath: path))
            let y = try Data(contentsOf: URL(fileURLWithPath: b.file(name)))
            XCTAssertEqual(x, y, "\(name) differs between two runs")
        }
    }

    func testWrite_overwritesAnEarlierReport() throws {
        let (table, predictions, _) = try fixture()
        let folder = try TempFolder()
        try "old".write(toFile: folder.file("metrics.csv"), atomically: false, encoding: .utf8)
        try EvaluationReport.write(table: table, predictions: predictions, to: folder.path, title: "T", unit: "g/kg")
        XCTAssertTrue(try String(contentsOfFile: folder.file("metrics.csv"), encoding: .utf8).hasPrefix("model,depth"))
    }

    func testWrite_intoAPathThatIsAFileFailsWithTheFolder() throws {
        let (table, predictions, _) = try fixture()
        let folder = try TempFolder()
        let blocker = folder.file("not-a-folder")
        try "x".write(toFile: blocker, atomically: false, encoding: .utf8)
        let e = evaluationError { try EvaluationReport.write(table: table, predictions: predictions, to: blocker, title: "T", unit: "") }
        XCTAssertEqual(e?.kind, .writeFailed)
        XCTAssertEqual(e?.path, blocker)
        XCTAssertTrue(e?.message.contains("not a folder") ?? false, e?.message ?? "")
    }

    func testReadTable_rejectsAFileThatIsNotAReport() throws {
        let folder = try TempFolder()
        try "{\"x\": 1}".write(toFile: folder.file("metrics.json"), atomically: false, encoding: .utf8)
        let e = evaluationError { _ = try EvaluationReport.readTable(metricsJSON: folder.file("metrics.json")) }
        XCTAssertEqual(e?.kind, .invalidInput)
        XCTAssertEqual(evaluationError { _ = try EvaluationReport.readTable(metricsJSON: folder.file("missing.json")) }?.kind, .invalidInput)
    }
}
