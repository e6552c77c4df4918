import Foundation
import RasterIO
import TestSupport
import XCTest

/// Saved map tiles carry a checksum: a tile damaged in place (a byte changed, or truncated) is never
/// assembled into a map; a prediction reports and recomputes it, a merge names it and the shard to
/// rerun. And no published map holds a value outside `profiles.valid_range`.
final class TileChecksumTests: XCTestCase {
    func project() throws -> TinyProject { try PredictCommandTests.mapProject() }

    func mapFiles(_ p: TinyProject) -> [String] { PredictCommandTests.mapFiles(p) }

    func tileFile(_ p: TinyProject, _ tile: Int) -> String {
        p.folder.file(String(format: "out/.socmap/tiles/tile_%06d/maps.f32", tile))
    }

    /// Two shards, then tiles damaged in place (flipped byte in tile 1 of shard 2/2, tile 2 of shard 1/2
    /// truncated): the merge fails naming each tile, its folder (still there after exit) and the shard
    /// commands, and writes no map; following the advice gives the single run's bytes.
    func testDamagedTilesAtMerge_areNamedWithTheShardToRerun_andNeverAssembled() throws {
        let p = try project()
        XCTAssertEqual(try CLI.run(["run", p.pipeline, "-q"]).status, 0)
        let reference = mapFiles(p).map { FileManager.default.contents(atPath: $0) }
        try FileManager.default.removeItem(atPath: p.folder.file("out/maps"))
        for i in 1...2 {
            let r = try CLI.run(["predict", p.pipeline, "-q", "--shard", "\(i)/2"])
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        try Damage.flipByte(tileFile(p, 1))
        var merged = try CLI.run(["predict", p.pipeline, "-q", "--merge"])
        XCTAssertNotEqual(merged.status, 0)
        let folder1 = p.folder.file("out/.socmap/tiles/tile_000001")
        XCTAssertTrue(merged.stderr.contains("tile 1 ('\(folder1)') is damaged"), merged.stderr)
        XCTAssertTrue(merged.stderr.contains("does not match its checksum"), merged.stderr)
        XCTAssertTrue(merged.stderr.contains("`socmap predict \(p.pipeline) --shard 2/2`"), merged.stderr)
        XCTAssertFalse(merged.stderr.contains("--shard 1/2"), merged.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder1), "the named tile is still there")
        XCTAssertFalse(FileManager.default.fileExists(atPath: mapFiles(p)[0]), "no map from a damaged tile")

        try Damage.truncate(tileFile(p, 2))
        merged = try CLI.run(["predict", p.pipeline, "-q", "--merge"])
        XCTAssertNotEqual(merged.status, 0)
        XCTAssertTrue(merged.stderr.contains("tile 1 ("), merged.stderr)
        XCTAssertTrue(merged.stderr.contains("tiles 1, 2"), merged.stderr)
        XCTAssertTrue(merged.stderr.contains("--shard 1/2` and `socmap predict"), merged.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: mapFiles(p)[0]), "no map from a damaged tile")

        // The advice: the shards named, then the merge again.
        for i in 1...2 {
            let r = try CLI.run(["predict", p.pipeline, "--shard", "\(i)/2"])
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertTrue(r.stderr.contains("tile \(3 - i) ("), r.stderr)
            XCTAssertTrue(r.stderr.contains("is damaged"), r.stderr)
            XCTAssertTrue(r.stderr.contains("predicting it again"), r.stderr)
        }
        merged = try CLI.run(["predict", p.pipeline, "-q", "--merge"])
        XCTAssertEqual(merged.status, 0, merged.stderr)
        for (path, data) in zip(mapFiles(p), reference) {
            XCTAssertNotNil(data)
            XCTAssertEqual(FileManager.default.contents(atPath: path), data, path)
        }
    }

    /// A missing shard's tiles at `--merge`: the error names the shard to rerun, which leads out.
    func testMissingShardAtMerge_namesTheShardToRerun() throws {
        let p = try project()
        XCTAssertEqual(try CLI.run(["run", p.pipeline, "-q"]).status, 0)
        XCTAssertEqual(try CLI.run(["predict", p.pipeline, "-q", "--shard", "1/3"]).status, 0)
        XCTAssertEqual(try CLI.run(["predict", p.pipeline, "-q", "--shard", "3/3"]).status, 0)
        let merged = try CLI.run(["predict", p.pipeline, "-q", "--merge"])
        XCTAssertNotEqual(merged.status, 0)
        XCTAssertTrue(merged.stderr.contains("tiles 1, 4 are not predicted yet"), merged.stderr)
        XCTAssertTrue(merged.stderr.contains("`socmap predict \(p.pipeline) --shard 2/3`"), merged.stderr)
        XCTAssertFalse(merged.stderr.contains("--shard 1/3"), merged.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: p.folder.file("out/.socmap/tiles")))
        XCTAssertEqual(try CLI.run(["predict", p.pipeline, "-q", "--shard", "2/3"]).status, 0)
        let again = try CLI.run(["predict", p.pipeline, "-q", "--merge"])
        XCTAssertEqual(again.status, 0, again.stderr)
    }

    /// A plain `socmap predict` over kept tiles, one flipped and one truncated: both reported by name
    /// and path, predicted again, and the maps are the run's bytes.
    func testDamagedTilesInAPrediction_areReportedAndPredictedAgain() throws {
        let p = try project()
        XCTAssertEqual(try CLI.run(["run", p.pipeline, "-q"]).status, 0)
        let reference = mapFiles(p).map { FileManager.default.contents(atPath: $0) }
        XCTAssertEqual(try CLI.run(["predict", p.pipeline, "-q", "--shard", "1/1"]).status, 0)
        try Damage.flipByte(tileFile(p, 0))
        try Damage.truncate(tileFile(p, 3))
        let r = try CLI.run(["predict", p.pipeline])
        XCTAssertEqual(r.status, 0, r.stderr)
        for t in [0, 3] {
            let folder = p.folder.file(String(format: "out/.socmap/tiles/tile_%06d", t))
            XCTAssertTrue(r.stderr.contains("tile \(t) ('\(folder)') is damaged"), r.stderr)
        }
        XCTAssertTrue(r.stderr.contains("predicting it again"), r.stderr)
        XCTAssertTrue(r.stderr.contains("resuming: 4 tiles already done"), r.stderr)
        for (path, data) in zip(mapFiles(p), reference) {
            XCTAssertNotNil(data)
            XCTAssertEqual(FileManager.default.contents(atPath: path), data, path)
        }
    }

    /// Every published depth map's values lie in the valid range (the default for g/kg, [0, 1000]); a
    /// range the model's maps leave is an error naming the model, depth and tile, and no map is published
    /// (the run's maps stay as they were).
    func testPublishedMaps_holdOnlyValuesInTheValidRange_elseNoMapIsPublished() throws {
        let p = try project()
        let run = try CLI.run(["run", p.pipeline, "-q"])
        XCTAssertEqual(run.status, 0, run.stderr)
        var largest: Float = 0
        for path in mapFiles(p) {
            let map = try RasterDataset(path: path)
            let block = try map.read(
                band: 1, window: PixelWindow(col: 0, row: 0, width: p.grid.width, height: p.grid.height))
            let values = zip(block.values, block.valid).filter(\.1).map(\.0)
            XCTAssertFalse(values.isEmpty, path)
            for v in values { XCTAssertTrue(v.isFinite && v >= 0 && v <= 1000, "\(path): \(v)") }
            largest = max(largest, values.max()!)
        }
        let reference = mapFiles(p).map { FileManager.default.contents(atPath: $0) }
        // Values beyond the range by more than its width (as a damaged model gives) are refused.
        let limit = Int(largest / 4)
        try p.editPipeline("  unit: g/kg\n", "  unit: g/kg\n  valid_range: [0, \(limit)]\n")
        let r = try CLI.run(["predict", p.pipeline, "-q"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("the transfer model's map of depth "), r.stderr)
        XCTAssertTrue(r.stderr.contains("outside profiles.valid_range [0, \(limit)]"), r.stderr)
        XCTAssertTrue(r.stderr.contains(" of tile "), r.stderr)
        XCTAssertTrue(r.stderr.contains("no map was written"), r.stderr)
        let named = r.stderr.components(separatedBy: "('").dropFirst().compactMap {
            $0.components(separatedBy: "')").first
        }
        XCTAssertTrue(
            named.contains { $0.hasSuffix("/out/.socmap/tiles/tile_") == false && $0.contains("tile_") }, r.stderr)
        for path in named { XCTAssertTrue(FileManager.default.fileExists(atPath: path), "\(path) after exit") }
        for (path, data) in zip(mapFiles(p), reference) {
            XCTAssertEqual(FileManager.default.contents(atPath: path), data, "the run's map stays: \(path)")
        }
        // Values just outside the range (a model's slight overshoot) are brought to its end, counted and said.
        let near = Int((largest * 0.9).rounded(.down))
        try p.editPipeline("  valid_range: [0, \(limit)]\n", "  valid_range: [0, \(near)]\n")
        let brought = try CLI.run(["predict", p.pipeline])
        XCTAssertEqual(brought.status, 0, brought.stderr)
        let said = brought.stdout + brought.stderr
        XCTAssertTrue(said.contains("brought to its nearer end"), said)
        for path in mapFiles(p) {
            let map = try RasterDataset(path: path)
            let block = try map.read(
                band: 1, window: PixelWindow(col: 0, row: 0, width: p.grid.width, height: p.grid.height))
            for (v, ok) in zip(block.values, block.valid) where ok {
                XCTAssertTrue(v >= 0 && v <= Float(near), "\(path): \(v)")
            }
        }
    }
}
