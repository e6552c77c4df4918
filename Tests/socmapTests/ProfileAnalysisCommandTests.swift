import Foundation
import RasterIO
import TestSupport
import XCTest

/// `predict.depth_consistency` and `stocks` in a real run of the binary: the inversion and stock COGs,
/// the report's sections, and stock values that equal the hand formula at a cell.
final class ProfileAnalysisCommandTests: XCTestCase {
    /// Bulk density on the project's own grid (g/cm3), varying from cell to cell so a wrong cell shows.
    func writeBulkDensity(_ p: TinyProject, scale: Float = 1) throws {
        try writeTestGeoTIFF(path: p.folder.file("bd.tif"), grid: p.grid, nodata: -9999) { c, r in
            (1.0 + 0.01 * Float(c) + 0.005 * Float(r)) * scale
        }
    }

    static let stocks = """
        stocks:
          bulk_density: bd.tif
          bulk_density_unit: g/cm3
          coarse_fragments: 10
          coarse_fragments_unit: '%'

        """

    /// The value of `file` at the centre of cell (col, row), by gdallocationinfo.
    func value(_ file: String, _ p: TinyProject, col: Int, row: Int, line: UInt = #line) throws -> Double {
        let centre = p.grid.cellCenter(col: col, row: row)
        let out = runTool("gdallocationinfo", ["-valonly", "-geoloc", file, String(centre.x), String(centre.y)]) ?? ""
        return try XCTUnwrap(
            Double(out.trimmingCharacters(in: .whitespacesAndNewlines)), "gdallocationinfo \(file): '\(out)'",
            line: line)
    }

    func testRun_writesInversionAndStockMaps_reportSections_andStocksEqualTheFormula() throws {
        let p = try TinyProject()
        try writeBulkDensity(p)
        // The interval without the CV spread (the default): stock bounds come from the SOC bounds alone.
        try p.editPipeline(
            "  size: 7\n",
            "  size: 7\n" + OutputFolderTests.quickTraining.replacingOccurrences(of: "  cv_spread: true\n", with: "")
                + Self.stocks)
        let r = try CLI.run(["run", p.pipeline])
        XCTAssertEqual(r.status, 0, r.stderr)
        let maps = p.folder.file("out/maps")
        let files = try FileManager.default.contentsOfDirectory(atPath: maps)
        var names = ["soc_depth_inversions", "soc_stock_0-30cm", "soc_stock_0-100cm"]
        names += ["0-5cm", "5-15cm", "15-30cm", "30-60cm", "60-100cm", "100-200cm"].map { "soc_stock_\($0)" }
        for name in names {
            for ext in ["tif", "qml", "png"] {
                XCTAssertTrue(files.contains("\(name).\(ext)"), "\(name).\(ext) in \(files.sorted())")
            }
        }
        for name in ["soc_stock_0-30cm_q05", "soc_stock_0-30cm_q95", "soc_stock_15-30cm_q05"] {
            XCTAssertTrue(files.contains("\(name).tif"), "interval bounds of the stocks: \(name).tif")
        }
        let project = try String(contentsOfFile: p.folder.file("out/maps/soc_maps.qgs"), encoding: .utf8)
        for name in ["soc_depth_inversions", "soc_stock_0-30cm", "soc_stock_0-100cm_q95"] {
            XCTAssertTrue(project.contains("./\(name).tif"), "\(name) in the QGIS project")
        }

        // Valid COGs: a Byte count of inverted pairs, Float32 stocks in t/ha with the formula in the metadata.
        let inversions = runTool("gdalinfo", [p.folder.file("out/maps/soc_depth_inversions.tif")]) ?? ""
        XCTAssertTrue(
            inversions.contains("LAYOUT=COG") && inversions.contains("Type=Byte")
                && inversions.contains("NoData Value=255"), inversions)
        XCTAssertTrue(inversions.contains("SOCMAP_DEPTH_INVERSION_THRESHOLD=1 g/kg"), inversions)
        let stock = runTool("gdalinfo", [p.folder.file("out/maps/soc_stock_0-30cm.tif")]) ?? ""
        XCTAssertTrue(
            stock.contains("LAYOUT=COG") && stock.contains("Type=Float32") && stock.contains("Unit Type: t/ha"), stock)
        XCTAssertTrue(
            stock.contains(
                "SOCMAP_STOCK_FORMULA=stock (t/ha) = SOC (g/kg) x BD (g/cm3) x (1 - CF) x thickness (cm) x 0.1"), stock)
        XCTAssertTrue(stock.contains("SOCMAP_PIPELINE_SHA256="), "provenance like the depth maps: \(stock)")

        // The report's sections, report.json's objects and the terminal's lines.
        try RunRecordTests.assertRecordIsTheReport(p.folder.file("out"))
        let report = try String(contentsOfFile: p.folder.file("out/report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("## Depth consistency") && report.contains("| 0-5cm | 5-15cm |"), report)
        XCTAssertTrue(
            report.contains("## Carbon stocks") && report.contains("| 0-30cm (sum) | `soc_stock_0-30cm.tif` |"), report)
        XCTAssertTrue(report.contains("conservative"), "how the bounds are combined: \(report)")
        let json = try XCTUnwrap(
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: p.folder.file("out/report.json")))) as? [String: Any])
        let consistency = try XCTUnwrap(json["depth_consistency"] as? [String: Any])
        XCTAssertEqual((consistency["pairs"] as? [Any])?.count, 5)
        XCTAssertEqual(consistency["corrected"] as? Bool, false)
        let stocks = try XCTUnwrap(json["stocks"] as? [String: Any])
        let layers = try XCTUnwrap(stocks["layers"] as? [[String: Any]])
        let sum030 = try XCTUnwrap(layers.first { $0["depth"] as? String == "0-30cm" })
        let total = try XCTUnwrap(sum030["total_tg"] as? Double)
        XCTAssertGreaterThan(total, 0)
        XCTAssertTrue(r.stdout.contains("depth consistency: "), r.stdout)
        XCTAssertTrue(r.stdout.contains("SOC stock 0-30 cm: "), r.stdout)

        // At a cell: stock = SOC x BD x (1 - 0.1) x thickness x 0.1, per interval and summed to 0-30 cm.
        let (col, row) = (20, 15)
        let bd = try value(p.folder.file("bd.tif"), p, col: col, row: row)
        XCTAssertEqual(bd, 1.0 + 0.2 + 0.075, accuracy: 1e-6)
        var sum = 0.0
        for (label, thickness) in [("0-5cm", 5.0), ("5-15cm", 10.0), ("15-30cm", 15.0)] {
            let soc = try value(p.folder.file("out/maps/soc_\(label).tif"), p, col: col, row: row)
            let expected = soc * bd * 0.9 * thickness * 0.1
            let mapped = try value(p.folder.file("out/maps/soc_stock_\(label).tif"), p, col: col, row: row)
            XCTAssertEqual(mapped, expected, accuracy: 1e-5 * max(1, expected), label)
            sum += expected
            let lower = try value(p.folder.file("out/maps/soc_\(label)_q05.tif"), p, col: col, row: row)
            let stockLower = try value(p.folder.file("out/maps/soc_stock_\(label)_q05.tif"), p, col: col, row: row)
            XCTAssertEqual(
                stockLower, max(0, lower) * bd * 0.9 * thickness * 0.1, accuracy: 1e-5 * max(1, sum),
                "lower bound \(label)")
        }
        XCTAssertEqual(
            try value(p.folder.file("out/maps/soc_stock_0-30cm.tif"), p, col: col, row: row), sum,
            accuracy: 1e-4 * max(1, sum))
    }

    /// A bulk density raster in cg/cm3 that declares no nodata but fills columns 30 and beyond with 255
    /// (which would read as a plausible 2.55 g/cm3): `bulk_density: {path, nodata: 255}` makes those cells
    /// nodata, so their stocks are nodata (and counted), while the other cells keep the formula's value.
    func testRun_bulkDensityNodataGivenInThePipeline_leavesThoseStocksNodata() throws {
        let p = try TinyProject()
        try writeTestGeoTIFF(path: p.folder.file("bd.tif"), grid: p.grid) { c, r in
            c >= 30 ? 255 : 100 + Float(c) + 0.5 * Float(r)
        }
        let stocks = """
            stocks:
              bulk_density:
                path: bd.tif
                nodata: 255
              bulk_density_unit: cg/cm3

            """
        try p.editPipeline("  size: 7\n", "  size: 7\n" + OutputFolderTests.quickTraining + stocks)
        let r = try CLI.run(["run", p.pipeline, "-q"])
        XCTAssertEqual(r.status, 0, r.stderr)
        func cells(_ name: String) throws -> RasterBlock {
            try RasterDataset(path: p.folder.file("out/maps/\(name).tif")).read(band: 1, window: p.grid.fullWindow)
        }
        let soc = try cells("soc_0-5cm")
        let stock = try cells("soc_stock_0-5cm")
        var sentinelCells = 0
        for row in 0..<p.grid.height {
            for col in 0..<p.grid.width {
                let i = row * p.grid.width + col
                guard soc.valid[i] else { continue }
                if col >= 30 {
                    XCTAssertFalse(stock.valid[i], "the sentinel is nodata, not 2.55 g/cm3: (\(col), \(row))")
                    sentinelCells += 1
                } else {
                    let bd = (100 + Double(col) + 0.5 * Double(row)) / 100
                    let expected = Double(soc.values[i]) * bd * 5 * 0.1
                    XCTAssertEqual(Double(stock.values[i]), expected, accuracy: 1e-4 * max(1, expected))
                }
            }
        }
        XCTAssertGreaterThan(sentinelCells, 0)
        let json = try XCTUnwrap(
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: p.folder.file("out/report.json")))) as? [String: Any])
        let record = try XCTUnwrap(json["stocks"] as? [String: Any])
        XCTAssertEqual(record["cells_without_bulk_density"] as? Int, sentinelCells, "\(record)")
        // The report says which nodata the stocks used.
        XCTAssertEqual((record["bulk_density"] as? [String: Any])?["nodata"] as? String, "255", "\(record)")
        let report = try String(contentsOfFile: p.folder.file("out/report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("(cg/cm3, nodata 255 as the pipeline gives it, warped onto the grid"), report)
        try RunRecordTests.assertRecordIsTheReport(p.folder.file("out"))
    }

    func testValidate_bulkDensityInTheWrongUnit_namesTheKeyAndTheUnitThatFits() throws {
        let p = try TinyProject()
        try writeBulkDensity(p, scale: 1000)  // kg/m3 declared as g/cm3
        try p.editPipeline("  size: 7\n", "  size: 7\n" + OutputFolderTests.quickTraining + Self.stocks)
        let r = try CLI.run(["validate", p.pipeline])
        XCTAssertEqual(r.status, 1, r.stdout)
        XCTAssertTrue(
            r.stderr.contains("stocks.bulk_density_unit") && r.stderr.contains("set bulk_density_unit: kg/m3"), r.stderr
        )
    }

    /// SoilGrids' bdod (g/cm3 x 100) declared as g/cm3 is refused with the median and the unit it fits;
    /// following the advice (cg/cm3) maps stocks with BD / 100, not the 10x smaller ones of kg/m3.
    func testValidate_bulkDensityInCentigrams_namesCentigrams_andTheStocksFollowTheAdvice() throws {
        let p = try TinyProject()
        try writeBulkDensity(p, scale: 100)
        try p.editPipeline("  size: 7\n", "  size: 7\n" + OutputFolderTests.quickTraining + Self.stocks)
        let r = try CLI.run(["validate", p.pipeline])
        XCTAssertEqual(r.status, 1, r.stdout)
        for fragment in ["stocks.bulk_density_unit", "a median of 1", "set bulk_density_unit: cg/cm3", "bdod"] {
            XCTAssertTrue(r.stderr.contains(fragment), "'\(fragment)' not in: \(r.stderr)")
        }
        XCTAssertFalse(r.stderr.contains("kg/m3"), r.stderr)
        try p.editPipeline("bulk_density_unit: g/cm3", "bulk_density_unit: cg/cm3")
        XCTAssertEqual(try CLI.run(["validate", p.pipeline]).status, 0)
        let run = try CLI.run(["run", p.pipeline, "-q"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let (col, row) = (20, 15)
        let bd = try value(p.folder.file("bd.tif"), p, col: col, row: row)
        XCTAssertEqual(bd, 127.5, accuracy: 1e-4)
        let soc = try value(p.folder.file("out/maps/soc_0-5cm.tif"), p, col: col, row: row)
        let stock = try value(p.folder.file("out/maps/soc_stock_0-5cm.tif"), p, col: col, row: row)
        XCTAssertEqual(stock, soc * bd / 100 * 0.9 * 5 * 0.1, accuracy: 1e-4 * max(1, stock))
    }
}
