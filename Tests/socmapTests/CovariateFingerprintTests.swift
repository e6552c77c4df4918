import Foundation
import RasterIO
import TestSupport
import XCTest

/// `predict` with the covariates a run's models were trained on, as `model.json` records them (their
/// values' SHA-256 on the grid and statistics): reordered or renamed ones are read by name or by their
/// values, to the run's bytes; changed, missing or extra ones are an error naming each, maps kept.
final class CovariateFingerprintTests: XCTestCase {
    static let sections = """
        train:
          models: [rf]
          network: {pool: 1}
          forest: {trees: 5, tuning_trees: 5, max_features: [3], min_samples_leaf: [2]}
        predict:
          model: rf
          tile_size: 16

        """

    private func trainedProject() throws -> (TinyProject, [[[UInt32]]]) {
        let p = try TinyProject()
        try p.editPipeline("  size: 7\n", "  size: 7\n" + Self.sections)
        let run = try CLI.run(["run", p.pipeline, "-q"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let model = try String(contentsOfFile: p.folder.file("out/models/rf/model.json"), encoding: .utf8)
        XCTAssertTrue(model.contains("\"grid_sha256\""), "the model records its covariates: \(model)")
        return (p, try maps(p).map(values))
    }

    /// Every band's values (bit patterns: NaN included) of a map.
    private func values(_ path: String) throws -> [[UInt32]] {
        let map = try RasterDataset(path: path)
        let window = try map.grid().fullWindow
        return try (1...map.bandCount).map { try map.read(band: $0, window: window).values.map(\.bitPattern) }
    }

    private func maps(_ p: TinyProject) -> [String] { PredictCommandTests.mapFiles(p) }

    /// The maps hold the reference's values (their metadata name the pipeline, whose covariates.files changed).
    private func assertSameMaps(
        _ p: TinyProject, _ reference: [[[UInt32]]], file: StaticString = #filePath, line: UInt = #line
    ) throws {
        for (path, bands) in zip(maps(p), reference) {
            XCTAssertEqual(try values(path), bands, path, file: file, line: line)
        }
    }

    func testReorderedAndRenamedCovariates_mapByNameAndValues_toTheRunsValues() throws {
        let (p, reference) = try trainedProject()
        // The folder's covariates listed one by one, in another order.
        try p.editPipeline("files: [covs/]", "files: [covs/wet.tif, covs/geo.tif, covs/elev.tif]")
        let reordered = try CLI.run(["predict", p.pipeline, "--overwrite"])
        XCTAssertEqual(reordered.status, 0, reordered.stderr)
        XCTAssertTrue(
            reordered.stderr.contains("read the covariates in the order the model was trained on, by name"),
            reordered.stderr)
        try assertSameMaps(p, reference)

        // The wetness raster renamed (its covariate name follows the file's) and converted to another format.
        let asc = p.folder.file("covs/wetness.asc")
        XCTAssertNotNil(runTool("gdal_translate", ["-q", "-of", "AAIGrid", p.folder.file("covs/wet.tif"), asc]))
        try FileManager.default.removeItem(atPath: p.folder.file("covs/wet.tif"))
        try p.editPipeline("covs/wet.tif", "covs/wetness.asc")
        let renamed = try CLI.run(["predict", p.pipeline, "--overwrite"])
        XCTAssertEqual(renamed.status, 0, renamed.stderr)
        XCTAssertTrue(
            renamed.stderr.contains("read 'wetness' as 'wet' (same values on the grid"), renamed.stderr)
        try assertSameMaps(p, reference)
    }

    func testChangedMissingAndExtraCovariates_areAnErrorNamingEach_mapsKept() throws {
        let (p, _) = try trainedProject()
        let published = maps(p).map { FileManager.default.contents(atPath: $0) }
        // One cell of the wetness raster raised: the same range, another mean.
        let coarse = try makeTestGrid(width: 20, height: 15, resolution: 200)
        try writeTestGeoTIFF(path: p.folder.file("covs/wet.tif"), grid: coarse, nodata: -9999) { c, r in
            c == 10 && r == 7 ? Float(5 + cos(Double(c + r) / 4)) + 0.1 : Float(5 + cos(Double(c + r) / 4))
        }
        // Elevation gone, and a covariate the model never saw added.
        let elev = p.folder.file("elev.tif")
        try FileManager.default.moveItem(atPath: p.folder.file("covs/elev.tif"), toPath: elev)
        try p.editPipeline("grid: {raster: covs/elev.tif}", "grid: {raster: elev.tif}")
        try writeTestGeoTIFF(path: p.folder.file("covs/slope.tif"), grid: p.grid, nodata: -9999) { c, r in
            Float(c % 5 + r % 3)
        }
        let predict = try CLI.run(["predict", p.pipeline, "--overwrite"])
        XCTAssertEqual(predict.status, 1, predict.stderr)
        let text = predict.stderr
        XCTAssertTrue(text.contains("are not the ones this model was trained on"), text)
        XCTAssertTrue(text.contains("'wet' ("), text)
        XCTAssertTrue(text.contains("its values changed since the model was trained"), text)
        XCTAssertTrue(text.contains("mean "), "how it changed: \(text)")
        XCTAssertTrue(text.contains("'elev': not in covariates.files, under this name or another"), text)
        XCTAssertTrue(text.contains("'slope' (") && text.contains("the model was not trained on it"), text)
        XCTAssertTrue(text.contains("socmap run \(p.pipeline)"), "what to do: \(text)")
        XCTAssertEqual(maps(p).map { FileManager.default.contents(atPath: $0) }, published, "the run's maps kept")

        // Following the advice: retraining on these covariates maps them.
        let again = try CLI.run(["run", p.pipeline, "-q", "--overwrite"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(try CLI.run(["predict", p.pipeline, "-q", "--overwrite"]).status, 0)
    }
}
