import Randomness
import TextFormat
import XCTest

@testable import Evaluation

final class EvaluationReportTests: XCTestCase {
    private let models = ["transfer", "cnn", "rf"]
    private let depths = ["0-5cm", "5-15cm", "15-30cm"]

    static let grouped = FoldDesign.sites(folds: 5, seed: 2025)
    static let groupedText =
        "5-fold cross-validation, folds of randomly grouped sites (all depths of a site in one fold), seed 2025"

    private func fixture(
        design: FoldDesign = grouped
    ) throws -> (EvaluationTable, [HeldOutPrediction], [FreezeSweepEntry]) {
        let predictions = try syntheticPredictions(models: models)
        let table = EvaluationTable.build(predictions: predictions, models: models, depthLabels: depths, design: design)
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
        return text.split(separator: "\n").map {
            $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
    }

    func testWrite_writesEveryFileAndNoTemporaries() throws {
        let (table, predictions, sweep) = try fixture()
        let folder = try TempFolder()
        let out = folder.file("report")
        let written = try EvaluationReport.write(
            table: table, predictions: predictions, freezeSweep: sweep,
            to: out, title: "Test SOC", unit: "g/kg")
        let relative = written.map { String($0.dropFirst(out.count + 1)) }
        XCTAssertEqual(
            Set(relative),
            [
                "metrics.csv", "metrics.json", "predictions.csv", "freeze_sweep.csv", "summary.md",
                "plots/scatter_transfer.svg", "plots/scatter_cnn.svg", "plots/scatter_rf.svg",
                "plots/density.svg", "plots/rmse_by_depth.svg", "plots/freeze_sweep.svg"
            ])
        XCTAssertEqual(relative.count, 11)
        let listing = try FileManager.default.subpathsOfDirectory(atPath: out)
        XCTAssertEqual(Set(listing), Set(relative + ["plots"]), "only the report's files, no temporaries")
    }

    func testWrite_withoutSweepSkipsItsFiles() throws {
        let (table, predictions, _) = try fixture()
        let folder = try TempFolder()
        let written = try EvaluationReport.write(
            table: table, predictions: predictions, to: folder.path, title: "T", unit: "")
        XCTAssertFalse(written.contains { $0.hasSuffix("freeze_sweep.csv") || $0.hasSuffix("freeze_sweep.svg") })
        let summary = try String(contentsOfFile: folder.file("summary.md"), encoding: .utf8)
        XCTAssertFalse(summary.contains("Freeze sweep"))
    }

    func testWrite_metricsCSVReadsBackToTheTable() throws {
        let (table, predictions, sweep) = try fixture()
        let folder = try TempFolder()
        try EvaluationReport.write(
            table: table, predictions: predictions, freezeSweep: sweep, to: folder.path, title: "T", unit: "g/kg")
        let rows = try csvRows(folder.file("metrics.csv"))
        XCTAssertEqual(
            rows[0],
            [
                "model", "depth", "n", "r", "r2", "rmse", "rrmse", "mae", "me", "kge",
                "folds", "r_sd", "r2_sd", "rmse_sd", "rrmse_sd", "mae_sd", "me_sd", "kge_sd"
            ])
        XCTAssertEqual(rows.count, table.rows.count + 1)
        for (fields, row) in zip(rows.dropFirst(), table.rows) {
            XCTAssertEqual(fields[0], row.model)
            XCTAssertEqual(fields[1], row.depth)
            XCTAssertEqual(Int(fields[2]), row.metrics.n)
            let m = Metrics(
                n: Int(fields[2])!, r: Double(fields[3])!, r2: Double(fields[4])!, rmse: Double(fields[5])!,
                rrmse: Double(fields[6])!, mae: Double(fields[7])!, me: Double(fields[8])!, kge: Double(fields[9])!)
            XCTAssertEqual(m, row.metrics, "CSV numbers round-trip exactly")
            XCTAssertEqual(Double(fields[13])!, row.foldSD.rmse)
            XCTAssertEqual(Double(fields[16])!, row.foldSD.sd.me)
        }
        let sweepRows = try csvRows(folder.file("freeze_sweep.csv"))
        XCTAssertEqual(sweepRows[0].first, "f")
        XCTAssertEqual(sweepRows.count, 1 + 7 * 4)
        XCTAssertEqual(sweepRows.last?.prefix(2), ["6", "all"])
    }

    func testWrite_predictionsCSVHasOneLinePerSampleSortedBySiteAndDepth() throws {
        let (table, predictions, _) = try fixture()
        let folder = try TempFolder()
        try EvaluationReport.write(
            table: table, predictions: predictions.reversed(), to: folder.path, title: "T", unit: "g/kg")
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
            if fields[6] == "NA" {
                missing += 1
                XCTAssertNil(p.predicted["rf"])
            } else {
                XCTAssertEqual(Double(fields[6]), p.predicted["rf"])
            }
        }
        XCTAssertGreaterThan(missing, 0, "missing rf predictions are written as NA")
    }

    func testWrite_metricsJSONReadsBackEqual() throws {
        let (table, predictions, sweep) = try fixture()
        let folder = try TempFolder()
        try EvaluationReport.write(
            table: table, predictions: predictions, freezeSweep: sweep, to: folder.path, title: "T", unit: "g/kg")
        let back = try EvaluationReport.readTable(metricsJSON: folder.file("metrics.json"))
        XCTAssertEqual(back, table)
        let json =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder.file("metrics.json"))))
            as? [String: Any]
        XCTAssertEqual((json?["freeze_sweep"] as? [Any])?.count, 7)
        XCTAssertEqual(json?["unit"] as? String, "g/kg")
        let design = json?["design"] as? [String: Any]
        XCTAssertEqual(
            design?["description"] as? String, Self.groupedText, "consumers without Swift can print the design")
        XCTAssertEqual(design?["grouping"] as? String, "sites")
        XCTAssertEqual(back.design, Self.grouped)
    }

    func testMetricsJSON_carriesASpatialBlockDesign() throws {
        let design = FoldDesign.spatialBlocks(folds: 4, size: 50000, unit: "m", seed: 7)
        let (table, predictions, _) = try fixture(
            design: FoldDesign(folds: 5, grouping: .spatialBlocks, blockSize: 50000, blockUnit: "m", seed: 7))
        let folder = try TempFolder()
        try EvaluationReport.write(table: table, predictions: predictions, to: folder.path, title: "T", unit: "g/kg")
        let back = try EvaluationReport.readTable(metricsJSON: folder.file("metrics.json"))
        XCTAssertEqual(back.design?.grouping, .spatialBlocks)
        XCTAssertEqual(back.design?.blockSize, 50000)
        XCTAssertEqual(
            back.designText,
            """
            5-fold cross-validation, folds of spatial blocks of 50000 m (every site of a block, \
            at all depths, in one fold), seed 7
            """
        )
        XCTAssertEqual(design.shortDescription, "4-fold CV of spatial blocks of 50000 m, seed 7")
        XCTAssertEqual(Self.grouped.shortDescription, "5-fold CV of randomly grouped sites, seed 2025")
    }

    /// A metrics.json of an older version (no design, no ME or rRMSE) still reads, its design unknown.
    func testReadTable_ofAnOlderMetricsJSONSaysTheDesignWasNotRecorded() throws {
        let folder = try TempFolder()
        let json = """
            {"depth_labels": ["0-5cm"], "folds": 3, "models": ["rf"], "title": "T", "unit": "g/kg",
             "rows": [{"model": "rf", "depth": "0-5cm", \
            "metrics": {"n": 4, "r": 0.5, "r2": 0.2, "rmse": 1, "mae": 0.5, "kge": 0.3},
                       "fold_sd": {"folds": 3, "r": 0.1, "r2": 0.1, "rmse": 0.1, "mae": 0.1, "kge": 0.1}, \
            "per_fold": []}]}
            """
        try json.write(toFile: folder.file("metrics.json"), atomically: false, encoding: .utf8)
        let table = try EvaluationReport.readTable(metricsJSON: folder.file("metrics.json"))
        XCTAssertNil(table.design)
        XCTAssertEqual(table.designText, "3-fold cross-validation (how the folds were made was not recorded)")
        XCTAssertEqual(table.rows[0].metrics.rmse, 1)
        XCTAssertTrue(table.rows[0].metrics.me.isNaN)
    }

    func testWrite_everySVGIsWellFormedAndShowsItsContent() throws {
        let (table, predictions, sweep) = try fixture()
        let folder = try TempFolder()
        let written = try EvaluationReport.write(
            table: table, predictions: predictions, freezeSweep: sweep,
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
        XCTAssertEqual(
            scatter.components(separatedBy: "stroke-dasharray=\"5 4\"").count - 1, depths.count, "a 1:1 line per panel")
        let r2 = NumberText.fixed(table.row(model: "cnn", depth: "5-15cm")!.metrics.r2, 2)
        XCTAssertTrue(scatter.contains("R² = \(r2)"))
        let density = try String(contentsOfFile: folder.file("plots/density.svg"), encoding: .utf8)
        for label in ["Observed", "transfer", "cnn", "rf", "0–5 cm"] {
            XCTAssertTrue(density.contains(">\(label)"), label)
        }
        let bars = try String(contentsOfFile: folder.file("plots/rmse_by_depth.svg"), encoding: .utf8)
        XCTAssertTrue(bars.contains("Pooled over depths"))
    }

    func testWrite_summaryTableBoldsTheBestModelPerDepth() throws {
        let (table, predictions, sweep) = try fixture()
        let folder = try TempFolder()
        try EvaluationReport.write(
            table: table, predictions: predictions, freezeSweep: sweep, to: folder.path, title: "T", unit: "g/kg")
        let summary = try String(contentsOfFile: folder.file("summary.md"), encoding: .utf8)
        XCTAssertTrue(summary.contains("| Depth | Model | n | R | R² | RMSE | rRMSE % | MAE | ME | KGE |"))
        XCTAssertTrue(summary.contains("| Model | n | R | R² | RMSE | rRMSE % | MAE | ME | KGE |"))
        let lines = summary.split(separator: "\n").map(String.init)
        let tableLines = lines.filter {
            $0.hasPrefix("| ")
                && ($0.contains("| transfer |") || $0.contains("| cnn |") || $0.contains("| rf |")
                    || $0.hasPrefix("| transfer |") || $0.hasPrefix("| cnn |") || $0.hasPrefix("| rf |"))
        }
        XCTAssertEqual(tableLines.count, table.rows.count)
        // Per depth, exactly one model has the bold (lowest) RMSE: the one the table says.
        for depth in table.depthKeys {
            let best = models.min {
                table.row(model: $0, depth: depth)!.metrics.rmse < table.row(model: $1, depth: depth)!.metrics.rmse
            }!
            let rows = table.rows.filter { $0.depth == depth }
            for row in rows {
                let line = tableLines[table.rows.firstIndex(of: row)!]
                let pooled = depth == EvaluationTable.allDepths  // no depth column in the pooled table
                let rmseCell = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }[
                    pooled ? 4 : 5]
                XCTAssertEqual(rmseCell.hasPrefix("**"), row.model == best, "\(depth) \(row.model): \(line)")
            }
        }
        XCTAssertTrue(summary.contains("## Freeze sweep (transfer model)"))
        XCTAssertTrue(summary.contains("| 0 | "), "a row for F = 0")
        XCTAssertTrue(summary.contains("![plots/density.svg](plots/density.svg)"))
    }

    /// summary.md opens with the per-depth table; the pooled figures follow under "Pooled over depths";
    /// every table (scores and freeze sweep) has the fold design written between its heading and itself.
    func testSummary_leadsWithPerDepthScoresAndNamesTheFoldDesignAtEveryTable() throws {
        for (design, text) in [
            (Self.grouped, Self.groupedText),
            (
                FoldDesign(folds: 5, grouping: .spatialBlocks, blockSize: 2500, blockUnit: "m", seed: 11),
                """
                5-fold cross-validation, folds of spatial blocks of 2500 m (every site of a block, \
                at all depths, in one fold), seed 11
                """
            )
        ] {
            let (table, predictions, sweep) = try fixture(design: design)
            let folder = try TempFolder()
            try EvaluationReport.write(
                table: table, predictions: predictions, freezeSweep: sweep, to: folder.path, title: "T", unit: "g/kg")
            let summary = try String(contentsOfFile: folder.file("summary.md"), encoding: .utf8)
            let lines = summary.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let perDepth = try XCTUnwrap(lines.firstIndex(of: "## Accuracy per depth"))
            let pooled = try XCTUnwrap(lines.firstIndex(of: "## Pooled over depths"))
            let firstTable = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("| ") })
            XCTAssertLessThan(perDepth, firstTable, "the first table is the per-depth one")
            XCTAssertTrue(lines[firstTable].hasPrefix("| Depth | Model |"))
            XCTAssertLessThan(perDepth, pooled)
            XCTAssertFalse(lines[..<firstTable].contains { $0.contains("R²") && $0.contains("|") })
            // Every table's header line: look back to its heading for the design sentence.
            var tables = 0
            for (i, line) in lines.enumerated() where line.hasPrefix("| ") && !(lines[i - 1].hasPrefix("|")) {
                tables += 1
                let heading = lines[..<i].lastIndex { $0.hasPrefix("## ") }!
                XCTAssertTrue(
                    lines[heading..<i].contains { $0.contains(text) },
                    "table at line \(i + 1) lacks the design:\n\(summary)")
            }
            XCTAssertEqual(tables, 5, "per depth, pooled, and the sweep's RMSE, R² and pooled tables")
            // The 0-5 cm row of transfer shows its own ME and rRMSE.
            let row = table.row(model: "transfer", depth: "0-5cm")!
            let line = try XCTUnwrap(lines.first { $0.hasPrefix("| 0–5 cm | transfer |") })
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            XCTAssertTrue(
                cells[6].replacingOccurrences(of: "**", with: "").hasPrefix(NumberText.fixed(row.metrics.rrmse, 1)),
                line)
            XCTAssertTrue(
                cells[8].replacingOccurrences(of: "**", with: "").hasPrefix(
                    NumberText.fixed(row.metrics.me, ScoreTables.errorDecimals(table.rows))), line)
        }
    }

    /// The terminal lines: the design first, then a line per depth and model, then the pooled
    /// figures under their label.
    func testTerminalLines_leadWithPerDepthScoresAndLabelThePooledOnes() throws {
        let (table, _, _) = try fixture()
        let lines = ScoreTables.terminal(table, unit: "g/kg")
        XCTAssertEqual(lines[0], "Cross-validated accuracy per depth (\(Self.groupedText); RMSE, MAE and ME in g/kg):")
        XCTAssertTrue(lines[1].contains("depth") && lines[1].contains("ME") && lines[1].contains("rRMSE %"), lines[1])
        XCTAssertEqual(lines.count, 2 + depths.count * models.count + 1 + models.count)
        let pooledLabel = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("Pooled over depths") })
        XCTAssertEqual(pooledLabel, 2 + depths.count * models.count, "pooled after every per-depth line")
        let row = table.row(model: "cnn", depth: "5-15cm")!
        let line = lines[2 + 1 * models.count + 1]  // 5-15cm, the second model
        XCTAssertTrue(line.contains(" cnn "), line)
        XCTAssertTrue(line.contains(NumberText.fixed(row.metrics.r2, 3)), line)
        XCTAssertTrue(line.contains(NumberText.fixed(row.metrics.me, ScoreTables.errorDecimals(table.rows))), line)
        XCTAssertTrue(lines[2].hasPrefix("  0-5cm"), lines[2])
    }

    func testWrite_sameInputsGiveIdenticalBytes() throws {
        let (table, predictions, sweep) = try fixture()
        let a = try TempFolder()
        let b = try TempFolder()
        let first = try EvaluationReport.write(
            table: table, predictions: predictions, freezeSweep: sweep, to: a.path, title: "T", unit: "g/kg")
        // Shuffled input order must not change predictions.csv or the plots either.
        var random = SplitMix64(seed: 3)
        var shuffled = predictions
        random.shuffle(&shuffled)
        try EvaluationReport.write(
            table: table, predictions: shuffled, freezeSweep: sweep.reversed(), to: b.path, title: "T", unit: "g/kg")
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
        let e = evaluationError {
            try EvaluationReport.write(table: table, predictions: predictions, to: blocker, title: "T", unit: "")
        }
        XCTAssertEqual(e?.kind, .writeFailed)
        XCTAssertEqual(e?.path, blocker)
        XCTAssertTrue(e?.message.contains("not a folder") ?? false, e?.message ?? "")
    }

    func testReadTable_rejectsAFileThatIsNotAReport() throws {
        let folder = try TempFolder()
        try "{\"x\": 1}".write(toFile: folder.file("metrics.json"), atomically: false, encoding: .utf8)
        let e = evaluationError { _ = try EvaluationReport.readTable(metricsJSON: folder.file("metrics.json")) }
        XCTAssertEqual(e?.kind, .invalidInput)
        XCTAssertEqual(
            evaluationError { _ = try EvaluationReport.readTable(metricsJSON: folder.file("missing.json")) }?.kind,
            .invalidInput)
    }
}
