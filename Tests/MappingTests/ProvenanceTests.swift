import FileIO
import Foundation
import Mapping
import RasterIO
import TestSupport
import XCTest

final class ProvenanceTests: XCTestCase {
    private func makeModelFolder(_ dir: TemporaryDirectory, name: String) throws -> String {
        let folder = dir.file(name)
        try FileManager.default.createDirectory(atPath: folder + "/folds", withIntermediateDirectories: true)
        try "weights".write(toFile: folder + "/model.safetensors", atomically: true, encoding: .utf8)
        try "{\"kind\":\"transfer\"}".write(toFile: folder + "/model.json", atomically: true, encoding: .utf8)
        try "fold one".write(toFile: folder + "/folds/1.bin", atomically: true, encoding: .utf8)
        return folder
    }

    func testFolderHash_sameContentElsewhereGivesSameHash() throws {
        let dir = try TemporaryDirectory()
        let a = try makeModelFolder(dir, name: "a")
        let b = try makeModelFolder(dir, name: "b")
        let hash = try Provenance.hash(folderAt: a)
        XCTAssertEqual(hash.count, 64)
        XCTAssertEqual(hash, try Provenance.hash(folderAt: b))
        XCTAssertNotEqual(hash, SHA256Hasher.hex(""), "the files count")
    }

    func testFolderHash_changesWhenAFileChangesOrIsRenamed() throws {
        let dir = try TemporaryDirectory()
        let folder = try makeModelFolder(dir, name: "m")
        let before = try Provenance.hash(folderAt: folder)
        try "weights!".write(toFile: folder + "/model.safetensors", atomically: true, encoding: .utf8)
        let edited = try Provenance.hash(folderAt: folder)
        XCTAssertNotEqual(before, edited)
        try FileManager.default.moveItem(atPath: folder + "/folds/1.bin", toPath: folder + "/folds/2.bin")
        XCTAssertNotEqual(edited, try Provenance.hash(folderAt: folder))
    }

    func testFolderHash_missingFolderThrowsNamingIt() {
        XCTAssertThrowsError(try Provenance.hash(folderAt: "/nonexistent/model")) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/model"), "\(error)")
        }
    }

    func testMetadata_holdsEveryKey() throws {
        let dir = try TemporaryDirectory()
        let pipeline = dir.file("pipeline.yaml")
        try "abc".write(toFile: pipeline, atomically: true, encoding: .utf8)
        let folder = try makeModelFolder(dir, name: "model")
        let provenance = try Provenance(
            pipelineFile: pipeline, modelFolder: folder, covariates: ["dem", "slope"],
            cvScores: "R2=0.41 RMSE=8.2", softwareVersion: "0.4.0",
            extra: ["SOCMAP_DEPTH": "0-5 cm"])
        let items = provenance.metadata
        XCTAssertEqual(
            items[Provenance.Key.pipelineHash], "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(items[Provenance.Key.modelHash], try Provenance.hash(folderAt: folder))
        XCTAssertEqual(items[Provenance.Key.covariates], "dem,slope")
        XCTAssertEqual(items[Provenance.Key.cvScores], "R2=0.41 RMSE=8.2")
        XCTAssertEqual(items[Provenance.Key.softwareVersion], "0.4.0")
        XCTAssertEqual(items[Provenance.Key.software], "SOCMap 0.4.0")
        XCTAssertEqual(items["SOCMAP_DEPTH"], "0-5 cm")
        XCTAssertEqual(items[Provenance.Key.cvMetricsHash], "not evaluated", "no evaluation named: none claimed")
    }

    /// Each depth's map carries its own scores; a depth without scores falls back to `cvScores`.
    func testMetadataOfADepth_holdsThatDepthsScoresAndTheEvaluationHash() {
        let provenance = Provenance(
            pipelineHash: "p", modelHash: "m", covariates: ["dem"], cvScores: Provenance.notEvaluated,
            cvScoresByDepth: ["0-5cm": "0-5cm: R2=0.41", "100-200cm": "100-200cm: R2=0.12"],
            cvMetricsHash: "abc", softwareVersion: "0.4.0")
        let shallow = provenance.metadata(depth: "0-5cm")
        let deep = provenance.metadata(depth: "100-200cm")
        XCTAssertEqual(shallow[Provenance.Key.cvScores], "0-5cm: R2=0.41")
        XCTAssertEqual(deep[Provenance.Key.cvScores], "100-200cm: R2=0.12")
        XCTAssertEqual(shallow[Provenance.Key.depth], "0-5cm")
        XCTAssertEqual(shallow[Provenance.Key.cvMetricsHash], "abc")
        XCTAssertEqual(provenance.metadata(depth: "5-15cm")[Provenance.Key.cvScores], "not evaluated")
        XCTAssertEqual(provenance.metadata[Provenance.Key.cvScores], "not evaluated")
        XCTAssertNil(provenance.metadata[Provenance.Key.depth])
    }

    func testMetadata_survivesCOGWritingIntoTheMap() throws {
        let dir = try TemporaryDirectory()
        let provenance = Provenance(
            pipelineHash: SHA256Hasher.hex("pipeline"), modelHash: SHA256Hasher.hex("model"),
            covariates: ["dem", "slope", "ndvi"],
            cvScores: "0-5 cm: R2=0.41 RMSE=8.2\n5-15 cm: R2=0.38 RMSE=7.1", softwareVersion: "0.4.0")
        let grid = try makeTestGrid(width: 32, height: 32)
        let raw = try writeTestGeoTIFF(
            path: dir.file("raw.tif"), grid: grid,
            bands: [[Float](repeating: 12.5, count: grid.cellCount)], nodata: -9999)
        try COG.write(from: raw, to: dir.file("soc_0-5cm.tif"), metadata: provenance.metadata)
        let items = try RasterDataset(path: dir.file("soc_0-5cm.tif")).metadata()
        for (key, value) in provenance.metadata { XCTAssertEqual(items[key], value, key) }
    }
}
