import Mapping
import RasterIO
import XCTest

@testable import Cartography
@testable import Configuration
@testable import Pipeline

/// `predict.depth_consistency` and the `stocks` section: defaults, and errors that name the key.
final class ProfileAnalysisConfigTests: XCTestCase {
    func pipeline(unit: String = "g/kg", predict: String = "predict: {model: rf}\n", rest: String = "") -> String {
        minimalPipeline.replacingOccurrences(of: "profiles:\n", with: "profiles:\n  unit: \(unit)\n")
            + "train:\n  models: [rf]\n\(predict)\(rest)"
    }

    func parse(_ text: String) throws -> PipelineConfig {
        try PipelineConfig.parse(text: text, file: "/data/project/p.yaml")
    }

    func assertError(_ text: String, _ fragments: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try parse(text), file: file, line: line) { error in
            let message = "\(error)"
            for f in fragments {
                XCTAssertTrue(message.contains(f), "'\(f)' not in: \(message)", file: file, line: line)
            }
        }
    }

    func testDepthConsistency_isOnByDefaultWithTheUnitsThreshold() throws {
        XCTAssertEqual(try parse(pipeline()).predict?.depthConsistency, 1)
        XCTAssertEqual(try parse(pipeline(unit: "'%'")).predict?.depthConsistency, 0.1)
        XCTAssertEqual(
            try parse(pipeline(predict: "predict: {model: rf, depth_consistency: {threshold: 2.5}}\n")).predict?
                .depthConsistency, 2.5)
        XCTAssertNil(
            try parse(pipeline(predict: "predict: {model: rf, depth_consistency: false}\n")).predict?.depthConsistency)
        XCTAssertNil(try parse(pipeline()).stocks)
    }

    func testDepthConsistency_negativeThresholdOrUnknownKey_isAnError() {
        assertError(
            pipeline(predict: "predict: {model: rf, depth_consistency: {threshold: -1}}\n"),
            ["predict.depth_consistency.threshold", "give 0 or more"])
        assertError(
            pipeline(predict: "predict: {model: rf, depth_consistency: {treshold: 1}}\n"),
            ["predict.depth_consistency", "unknown key 'treshold'"])
    }

    func testStocks_parsesPathsUnitsAndCoarseFragments() throws {
        let c = try parse(
            pipeline(
                rest: "stocks:\n  bulk_density: bd.tif\n  bulk_density_unit: kg/m3\n  coarse_fragments: 15\n"
                    + "  coarse_fragments_unit: '%'\n"
            ))
        let s = try XCTUnwrap(c.stocks)
        XCTAssertEqual(s.bulkDensity, "/data/project/bd.tif")
        XCTAssertEqual(s.bulkDensityUnit, .kilogramsPerCubicMetre)
        XCTAssertEqual(s.coarseFragments, .constant(0.15))
        XCTAssertEqual(s.socUnit, .gramsPerKilogram)
        let r = try parse(
            pipeline(
                unit: "'%'",
                rest: "stocks: {bulk_density: bd.tif, bulk_density_unit: g/cm3, coarse_fragments: cf.tif}\n"))
        XCTAssertEqual(r.stocks?.coarseFragments, .raster(path: "/data/project/cf.tif", unit: .fraction))
        XCTAssertEqual(r.stocks?.socUnit, .percent)
    }

    func testStocks_rastersAsPathOrMappingWithNodata() throws {
        let plain = try XCTUnwrap(
            try parse(pipeline(rest: "stocks: {bulk_density: bd.tif, bulk_density_unit: g/cm3}\n")).stocks)
        XCTAssertEqual(plain.bulkDensity, "/data/project/bd.tif")
        XCTAssertNil(plain.bulkDensityNodata)
        let c = try parse(
            pipeline(
                rest: "stocks:\n  bulk_density:\n    path: bd.tif\n    nodata: -9999\n  bulk_density_unit: g/cm3\n"
                    + "  coarse_fragments: {path: cf.tif, nodata: nan}\n  coarse_fragments_unit: '%'\n"))
        let s = try XCTUnwrap(c.stocks)
        XCTAssertEqual(s.bulkDensity, "/data/project/bd.tif")
        XCTAssertEqual(s.bulkDensityNodata, -9999)
        XCTAssertEqual(s.coarseFragments, .raster(path: "/data/project/cf.tif", unit: .percent))
        XCTAssertTrue(try XCTUnwrap(s.coarseFragmentsNodata).isNaN)
        // Without nodata the mapping is the plain path.
        let bare = try parse(pipeline(rest: "stocks: {bulk_density: {path: bd.tif}, bulk_density_unit: g/cm3}\n"))
        XCTAssertEqual(bare.stocks?.bulkDensity, "/data/project/bd.tif")
        XCTAssertNil(bare.stocks?.bulkDensityNodata)
        XCTAssertEqual(c.positions["stocks.bulk_density.nodata"]?.line, 18)
    }

    func testStocks_badRasterMapping_isAnErrorNamingTheKeyAndLine() {
        let head = "stocks:\n  bulk_density_unit: g/cm3\n"
        // The stocks section starts on line 15 of the pipeline.
        assertError(
            pipeline(rest: head + "  bulk_density:\n    nodata: -9999\n"),
            ["p.yaml:18:", "key 'stocks.bulk_density'", "no path", "give 'path: <the bulk density raster>'"])
        assertError(
            pipeline(rest: head + "  bulk_density:\n    path: bd.tif\n    nodta: -9999\n"),
            ["p.yaml:19:", "key 'stocks.bulk_density.nodta'", "unknown key 'nodta'", "did you mean 'nodata'?"])
        assertError(
            pipeline(rest: head + "  bulk_density:\n    path: bd.tif\n    nodata: none\n"),
            ["p.yaml:19:", "key 'stocks.bulk_density.nodata'", "expected a number, found 'none'"])
        assertError(
            pipeline(rest: head + "  bulk_density: [bd.tif]\n"),
            ["p.yaml:17:", "key 'stocks.bulk_density'", "a mapping with 'path' and 'nodata'"])
        assertError(
            pipeline(rest: head + "  bulk_density: bd.tif\n  coarse_fragments: {nodata: 255}\n"),
            ["p.yaml:18:", "key 'stocks.coarse_fragments'", "give 'path: <the coarse-fragment raster>'"])
    }

    func testCellArea_projectedInMetresOrFeet_geographicRefused() throws {
        let config = try parse(pipeline(rest: "stocks: {bulk_density: bd.tif, bulk_density_unit: g/cm3}\n"))
        func grid(_ epsg: Int, _ size: Double) throws -> Grid {
            Grid(
                crs: try CRS(epsg: epsg),
                transform: GeoTransform(originX: 0, pixelWidth: size, originY: 0, pixelHeight: -size), width: 2,
                height: 2)
        }
        let errorAt: KeyErrorMaker = { config.error(at: $0, $1) }
        // 100 m: 1 ha
        XCTAssertEqual(try ProfileStage.cellHectares(grid: grid(28355, 100), errorAt: errorAt), 1, accuracy: 1e-12)
        // 100 US survey feet
        XCTAssertEqual(
            try ProfileStage.cellHectares(grid: grid(2227, 100), errorAt: errorAt), 0.09290341, accuracy: 1e-6)
        XCTAssertThrowsError(try ProfileStage.cellHectares(grid: grid(4326, 0.1), errorAt: errorAt)) { error in
            XCTAssertTrue("\(error)".contains("stocks") && "\(error)".contains("geographic"), "\(error)")
        }
    }

    func testStocks_otherSOCUnit_isAnErrorNamingProfilesUnit() {
        assertError(
            pipeline(unit: "mg/kg", rest: "stocks: {bulk_density: bd.tif, bulk_density_unit: g/cm3}\n"),
            ["profiles.unit", "'mg/kg'", "g/kg or %"])
    }

    func testStocks_badOrMissingKeys_areErrorsNamingThem() {
        assertError(pipeline(rest: "stocks: {bulk_density: bd.tif}\n"), ["stocks", "bulk_density_unit"])
        assertError(
            pipeline(rest: "stocks: {bulk_density: bd.tif, bulk_density_unit: t/ha}\n"),
            ["stocks.bulk_density_unit", "unknown bulk density unit 't/ha'", "g/cm3, cg/cm3, kg/m3"])
        assertError(
            pipeline(rest: "stocks: {bulk_density: bd.tif, bulk_density_unit: g/cm3, coarse_fragments: 1.5}\n"),
            ["stocks.coarse_fragments", "fraction in [0, 1)"])
        assertError(
            pipeline(predict: "", rest: "stocks: {bulk_density: bd.tif, bulk_density_unit: g/cm3}\n"),
            ["stocks", "add a 'predict' section"])
        assertError(
            pipeline(rest: "stocks: {bulk_density: bd.tif, bulk_density_unit: g/cm3, depth: 30}\n"),
            ["stocks", "unknown key 'depth'"])
    }
}
