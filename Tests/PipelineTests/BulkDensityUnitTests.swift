import Foundation
import Mapping
import RasterIO
import TestSupport
import XCTest

@testable import Cartography
@testable import Configuration

/// `stocks.bulk_density_unit` against real rasters: cg/cm3 (SoilGrids' bdod) is accepted and converted,
/// and a raster that does not fit its declared unit is refused with its true median, lowest and highest
/// value and the unit its values fit.
final class BulkDensityUnitTests: XCTestCase {
    /// A 40 x 30 grid of 100 m whose raster holds `low` in its first row, `high` in its last three rows
    /// and `middle` elsewhere: the median is `middle`, neither the lowest nor the highest value.
    func check(
        low: Float, middle: Float, high: Float, declared: CarbonStock.BulkDensityUnit
    ) throws -> [String] {
        let d = try TemporaryDirectory()
        let grid = try makeTestGrid(width: 40, height: 30, resolution: 100)
        try writeTestGeoTIFF(path: d.file("bd.tif"), grid: grid, nodata: -9999) { _, r in
            r == 0 ? low : r >= 27 ? high : middle
        }
        let stocks = StocksConfig(
            bulkDensity: d.file("bd.tif"), bulkDensityUnit: declared, coarseFragments: .constant(0),
            socUnit: .gramsPerKilogram)
        let file = d.file("p.yaml")
        return try ProfileStage.check(stocks, grid: grid, tileSize: 16) { key, message in
            ConfigError(file: file, key: key, line: nil, column: nil, message: message)
        }
    }

    func assertRefused(
        low: Float, middle: Float, high: Float, declared: CarbonStock.BulkDensityUnit, _ fragments: [String],
        line: UInt = #line
    ) {
        XCTAssertThrowsError(try check(low: low, middle: middle, high: high, declared: declared), line: line) {
            let message = "\($0)"
            for f in fragments { XCTAssertTrue(message.contains(f), "'\(f)' not in: \(message)", line: line) }
        }
    }

    func testSoilGridsBdod_inCentigrams_isAccepted_andRefusedAsGramsWithTheUnitThatFits() throws {
        // bdod: 1.32 g/cm3 stored as 132; as kg/m3 it would be plausible too (0.132 g/cm3, peat).
        let lines = try check(low: 95, middle: 132, high: 181, declared: .centigramsPerCubicCentimetre)
        XCTAssertTrue(lines[0].contains("median 132 cg/cm3, 100.0 % within 5-265"), "\(lines)")
        XCTAssertFalse(lines[0].contains("note"), "\(lines)")
        // Declared kg/m3 the values are plausible (peat), and accepted, with a note that validate prints.
        let peat = try check(low: 95, middle: 132, high: 181, declared: .kilogramsPerCubicMetre)
        XCTAssertTrue(
            peat[0].contains(
                "note: the median is 0.132 g/cm3 as kg/m3 but 1.32 g/cm3 as cg/cm3 (SoilGrids' bdod): "
                    + "check bulk_density_unit"), "\(peat)")
        assertRefused(
            low: 95, middle: 132, high: 181, declared: .gramsPerCubicCentimetre,
            [
                "stocks.bulk_density_unit", "a median of 132 (lowest 95, highest 181)", "0 % of its cells",
                "its values fit cg/cm3 (a median of 132 cg/cm3 is 1.32 g/cm3, as in SoilGrids' bdod)",
                "set bulk_density_unit: cg/cm3"
            ])
    }

    func testOtherUnits_areNamedByWhereTheirMedianFalls() throws {
        assertRefused(
            low: 900, middle: 1320, high: 1800, declared: .gramsPerCubicCentimetre,
            ["a median of 1320 (lowest 900, highest 1800)", "set bulk_density_unit: kg/m3"])
        assertRefused(
            low: 900, middle: 1320, high: 1800, declared: .centigramsPerCubicCentimetre,
            ["a median of 1320", "set bulk_density_unit: kg/m3"])
        assertRefused(
            low: 0.9, middle: 1.32, high: 1.8, declared: .kilogramsPerCubicMetre,
            ["a median of 1.32 (lowest 0.9, highest 1.8)", "set bulk_density_unit: g/cm3"])
        assertRefused(
            low: 1e5, middle: 2e5, high: 3e5, declared: .gramsPerCubicCentimetre,
            ["a median of 200000", "check the raster and bulk_density_unit"])
        XCTAssertTrue(
            try check(low: 0.9, middle: 1.32, high: 1.8, declared: .gramsPerCubicCentimetre)[0].contains(
                "median 1.32 g/cm3"))
    }

    /// A raster that fills two thirds of the grid with an undeclared 0: refused as not g/cm3, until
    /// `stocks.bulk_density.nodata: 0` makes those cells nodata; the check then counts only the rest.
    func testUndeclaredSentinel_isHonouredWhenThePipelineGivesNodata() throws {
        let d = try TemporaryDirectory()
        let grid = try makeTestGrid(width: 30, height: 30, resolution: 100)
        try writeTestGeoTIFF(path: d.file("bd.tif"), grid: grid) { _, r in r < 10 ? 1.3 : 0 }
        let file = d.file("p.yaml")
        func check(nodata: Double?) throws -> [String] {
            var stocks = StocksConfig(
                bulkDensity: d.file("bd.tif"), bulkDensityUnit: .gramsPerCubicCentimetre,
                coarseFragments: .constant(0), socUnit: .gramsPerKilogram)
            stocks.bulkDensityNodata = nodata
            return try ProfileStage.check(stocks, grid: grid, tileSize: 16) { key, message in
                ConfigError(file: file, key: key, line: nil, column: nil, message: message)
            }
        }
        XCTAssertThrowsError(try check(nodata: nil)) {
            XCTAssertTrue("\($0)".contains("a median of 0 (lowest 0, highest 1.3)"), "\($0)")
        }
        let lines = try check(nodata: 0)
        XCTAssertTrue(lines[0].contains("300 cells with a value, median 1.3 g/cm3, 100.0 %"), "\(lines)")
    }

    func testStocks_fromCentigrams_equalStocksFromGrams() {
        let grams = CarbonStock.stock(
            soc: 10, socUnit: .gramsPerKilogram, bulkDensity: 1.3, coarseFraction: 0, thickness: 30)
        let centigrams = CarbonStock.stock(
            soc: 10, socUnit: .gramsPerKilogram,
            bulkDensity: 130 * CarbonStock.BulkDensityUnit.centigramsPerCubicCentimetre.gramsPerCubicCentimetre,
            coarseFraction: 0, thickness: 30)
        XCTAssertEqual(grams, 39, accuracy: 1e-9)
        XCTAssertEqual(centigrams, 39, accuracy: 1e-9)
        XCTAssertEqual(CarbonStock.BulkDensityUnit(rawValue: "cg/cm3"), .centigramsPerCubicCentimetre)
    }
}
