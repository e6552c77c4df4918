import Foundation
import RasterIO
import TestSupport
import XCTest

@testable import Assessment
@testable import Configuration
@testable import Inputs
@testable import Pipeline

/// `evaluate.zones`: a categorical covariate or raster; wrong values are errors naming the key.
final class ZoneConfigTests: XCTestCase {
    static let training = """
        train:
          models: [rf]
          network: {pool: 1}
          forest: {trees: 5, tuning_trees: 5, max_features: [2], min_samples_leaf: [2]}
        evaluate:
          folds: 3

        """

    func project(zones: String) throws -> TinyProject {
        let p = try TinyProject()
        try p.editPipeline("  size: 7\n", "  size: 7\n" + Self.training + "  zones: \(zones)\n")
        return p
    }

    /// The error `validate` and `run` (before any training) give for `zones`.
    func zoneError(_ zones: String, file: StaticString = #filePath, line: UInt = #line) throws -> ConfigError? {
        let p = try project(zones: zones)
        let config = try PipelineConfig.load(path: p.pipeline)
        var validateError: Error?
        XCTAssertThrowsError(try PipelineValidator.validate(config), file: file, line: line) { validateError = $0 }
        let stack = try StackStage.run(InputSettings(config), observer: SilentObserver())
        XCTAssertThrowsError(try ZoneStage.check(AssessmentSettings(config), stack: stack), file: file, line: line) {
            error in
            XCTAssertEqual(
                "\(error)", "\(validateError.map { "\($0)" } ?? "")", "validate and run say the same", file: file,
                line: line)
        }
        let e = validateError as? ConfigError
        XCTAssertEqual(e?.key, "evaluate.zones", "\(String(describing: validateError))", file: file, line: line)
        XCTAssertNotNil(e?.line, file: file, line: line)
        return e
    }

    func testUnknownCovariateName_suggestsTheClosest() throws {
        let e = try zoneError("goe")
        XCTAssertTrue(
            e?.message.contains("'goe' is neither a covariate nor a file; did you mean 'geo'?") ?? false,
            "\(String(describing: e))")
    }

    func testMissingFile_namesThePath() throws {
        let e = try zoneError("zones/koppen.tif")
        XCTAssertTrue(e?.message.contains("zones/koppen.tif' does not exist") ?? false, "\(String(describing: e))")
    }

    func testContinuousCovariate_isRefused() throws {
        let e = try zoneError("elev")
        XCTAssertTrue(e?.message.contains("covariate 'elev' is continuous") ?? false, "\(String(describing: e))")
        XCTAssertTrue(e?.message.contains("covariates.categorical") ?? false)
    }

    func testRasterWithoutClasses_isRefused() throws {
        let e = try zoneError("covs/wet.tif")
        XCTAssertTrue(e?.message.contains("is not categorical") ?? false, "\(String(describing: e))")
    }

    func testCategoricalCovariateAndFile_areAccepted() throws {
        let p = try project(zones: "geo")
        let config = try PipelineConfig.load(path: p.pipeline)
        XCTAssertEqual(config.evaluate?.zones?.text, "geo")
        XCTAssertEqual(config.evaluate?.zoneMinSamples, 10)
        XCTAssertTrue(try PipelineValidator.validate(config).contains("zones: covariate 'geo' (categorical)"))
        // A zone file on another grid with its own classes and nodata: labels from its table.
        let q = try project(zones: "zones.tif")
        let grid = try makeTestGrid(width: 40, height: 30, resolution: 100)
        var codes = [Float](repeating: 0, count: grid.cellCount)
        for r in 0..<grid.height {
            for c in 0..<grid.width { codes[r * grid.width + c] = c < 10 ? 0 : (r < 15 ? 4 : 7) }
        }
        try writeTestGeoTIFF(
            path: q.folder.file("zones.tif"), grid: grid, bands: [codes], nodata: 0, dataType: .uint8,
            classes: [1: [4: "North", 7: "South"]])
        let fileConfig = try PipelineConfig.load(path: q.pipeline)
        XCTAssertTrue(try PipelineValidator.validate(fileConfig).contains { $0.contains("zones.tif' with 2 classes") })
        let stack = try StackStage.run(InputSettings(fileConfig), observer: SilentObserver())
        XCTAssertNoThrow(try ZoneStage.check(AssessmentSettings(fileConfig), stack: stack))
    }

    func testZoneMinSamples_mustBePositive() throws {
        let p = try project(zones: "geo")
        try p.editPipeline("  zones: geo\n", "  zones: geo\n  zone_min_samples: 0\n")
        XCTAssertThrowsError(try PipelineConfig.load(path: p.pipeline)) { error in
            XCTAssertEqual((error as? ConfigError)?.key, "evaluate.zone_min_samples", "\(error)")
        }
    }
}
