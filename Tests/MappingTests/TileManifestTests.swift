import Foundation
import RasterIO
import TestSupport
import XCTest

@testable import Mapping

/// The tile folder's manifest is a value: compared field by field, written as JSON.
final class TileManifestTests: XCTestCase {
    func manifest(cv: [String] = ["c1", "c2"]) throws -> TileManifest {
        let plan = MapPlan(grid: try makeTestGrid(width: 40, height: 30), tileSize: 16, halo: 3)
        return TileManifest(
            plan: plan, maxPatchNodata: 0.5, model: "transfer", modelSHA256: "ab12", depths: ["0-5cm", "5-15cm"],
            cvModelsSHA256: cv)
    }

    func testPlan_isBuiltFromTheHalo() throws {
        let plan = MapPlan(grid: try makeTestGrid(width: 40, height: 30), tileSize: 16, halo: 3)
        XCTAssertEqual(plan.patchSize, 7)
        XCTAssertEqual(plan.tiles.count, 6)
        XCTAssertEqual(try manifest().patchSize, 7)
    }

    func testManifest_roundTripsThroughItsJSON() throws {
        let m = try manifest()
        let decoded = try JSONDecoder().decode(TileManifest.self, from: Data(try m.json().utf8))
        XCTAssertEqual(decoded, m)
        let text = try m.json()
        for key in [
            "\"cv_models_sha256\"", "\"patch_size\" : 7", "\"tile_size\" : 16", "\"max_patch_nodata\" : 0.5",
            "\"model_sha256\""
        ] {
            XCTAssertTrue(text.contains(key), text)
        }
    }

    /// A manifest written by the earlier string-built code (other spacing and key order) is the same value.
    func testEarlierManifestText_isTheSameValue() throws {
        let m = try manifest()
        let grid = String(decoding: try JSONSerialization.data(withJSONObject: [m.grid]), as: UTF8.self)
        let earlier = """
            {"grid": \(grid.dropFirst().dropLast()), \
            "geotransform": \(m.geotransform), "tile_size": 16, "patch_size": 7, "max_patch_nodata": 0.5, \
            "model": "transfer", "model_sha256": "ab12", "depths": ["0-5cm", "5-15cm"], \
            "cv_models_sha256": ["c1", "c2"]}
            """
        XCTAssertEqual(try JSONDecoder().decode(TileManifest.self, from: Data(earlier.utf8)), m)
        let d = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: d.file("tiles"), withIntermediateDirectories: true)
        try earlier.write(toFile: d.file("tiles/manifest.json"), atomically: true, encoding: .utf8)
        XCTAssertTrue(TileStore.matches(folder: d.file("tiles"), manifest: m))
        XCTAssertNoThrow(try TileStore(folder: d.file("tiles"), layers: 2, manifest: m))
    }

    func testTileStore_refusesTheTilesOfAnotherRun() throws {
        let d = try TemporaryDirectory()
        let folder = d.file("tiles")
        XCTAssertTrue(TileStore.matches(folder: folder, manifest: try manifest()), "no folder yet")
        let store = try TileStore(folder: folder, layers: 8, manifest: try manifest())
        try store.write(0, maps: [[Float]](repeating: [1, 2], count: 8))
        XCTAssertTrue(TileStore.matches(folder: folder, manifest: try manifest()))
        let other = try manifest(cv: ["c1", "c3"])
        XCTAssertFalse(TileStore.matches(folder: folder, manifest: other), "another fold model")
        XCTAssertThrowsError(try TileStore(folder: folder, layers: 8, manifest: other)) { error in
            XCTAssertTrue("\(error)".contains("holds tiles of another run"), "\(error)")
        }
        try "not json".write(toFile: d.file("tiles/manifest.json"), atomically: true, encoding: .utf8)
        XCTAssertFalse(TileStore.matches(folder: folder, manifest: try manifest()))
        XCTAssertThrowsError(try TileStore(folder: folder, layers: 8, manifest: try manifest())) { error in
            XCTAssertTrue("\(error)".contains("not readable"), "\(error)")
        }
    }

    /// A stored tile carries its checksum: a byte changed in place or a cut file is damaged, counts as
    /// missing (to be predicted again), is never read, and a new write replaces it.
    func testTileStore_damagedTile_isNeverRead_andIsReplacedByTheNextWrite() throws {
        let d = try TemporaryDirectory()
        let store = try TileStore(folder: d.file("tiles"), layers: 2, manifest: try manifest())
        let maps: [[Float]] = [[1, 2, 3], [4, 5, 6]]
        try store.write(0, maps: maps)
        try store.write(1, maps: maps)
        XCTAssertEqual(try store.read(0, cells: 3), maps)
        XCTAssertEqual(store.missing([0, 1, 2]), [2])
        let file = d.file("tiles/tile_000000/maps.f32")
        XCTAssertTrue(FileManager.default.fileExists(atPath: d.file("tiles/tile_000000/SHA256SUMS")))
        var bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        bytes[5] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: file))
        try Data(bytes.prefix(12)).write(to: URL(fileURLWithPath: d.file("tiles/tile_000001/maps.f32")))
        for t in [0, 1] {
            XCTAssertTrue(store.exists(t))
            XCTAssertFalse(store.has(t))
            XCTAssertEqual(store.damage(t), "maps.f32 does not match its checksum")
            XCTAssertThrowsError(try store.read(t, cells: 3)) { error in
                XCTAssertTrue("\(error)".contains("tile \(t) is damaged"), "\(error)")
                XCTAssertTrue("\(error)".contains(store.tileFolder(t)), "\(error)")
            }
        }
        XCTAssertEqual(store.missing([0, 1, 2]), [0, 1, 2])
        try store.write(0, maps: maps)
        XCTAssertNil(store.damage(0))
        XCTAssertEqual(try store.read(0, cells: 3), maps)
    }
}

/// The names, descriptions and sets of a prediction's maps.
final class MapCatalogueTests: XCTestCase {
    func testCatalogue_withoutSpread_hasOneMapPerDepth() {
        let c = MapProducts.Catalogue(
            name: "soc", property: "SOC", unit: "g/kg", model: "transfer", depths: ["0-5cm", "5-15cm"],
            spread: false, runName: "sample")
        XCTAssertEqual(c.layers.map(\.name), ["soc_0-5cm", "soc_5-15cm"])
        XCTAssertEqual(
            c.layers.map(\.description), ["SOC 0-5cm (g/kg), transfer model", "SOC 5-15cm (g/kg), transfer model"])
        XCTAssertEqual(c.layers.map(\.depth), ["0-5cm", "5-15cm"])
        XCTAssertEqual(c.sets.count, 1)
        XCTAssertEqual(c.sets[0].title, "SOC (g/kg), transfer")
        XCTAssertEqual(c.sets[0].maps.map(\.title), ["0-5 cm", "5-15 cm"])
        XCTAssertEqual(c.sets[0].contactSheet, "soc_contact_sheet.png")
        XCTAssertEqual(c.projectName, "soc_maps")
        XCTAssertEqual(c.projectTitle, "sample: SOC maps")
    }

    func testCatalogue_withSpread_addsCVSpreadAndIntervalBoundsInTileLayerOrder() {
        let c = MapProducts.Catalogue(
            name: "soc", property: "SOC", unit: "g/kg", model: "cnn", depths: ["0-5cm", "5-15cm"],
            spread: true, interval: 0.9, runName: "sample")
        XCTAssertEqual(
            c.layers.map(\.name),
            [
                "soc_0-5cm", "soc_5-15cm", "soc_0-5cm_cv_sd", "soc_5-15cm_cv_sd",
                "soc_0-5cm_q05", "soc_5-15cm_q05", "soc_0-5cm_q95", "soc_5-15cm_q95",
                "soc_0-5cm_q50", "soc_5-15cm_q50", "soc_0-5cm_uncertainty", "soc_5-15cm_uncertainty"
            ])
        XCTAssertEqual(c.layers[3].description, "SOC 5-15cm (g/kg), cnn model: spread (SD) of the CV models")
        XCTAssertEqual(
            c.layers[4].description, "SOC 0-5cm (g/kg), cnn model: lower bound (5 %) of the 90 % prediction interval")
        XCTAssertEqual(
            c.layers.map(\.depth), Array(repeating: ["0-5cm", "5-15cm"], count: 6).flatMap { $0 })
        XCTAssertEqual(
            c.layers[11].description, "SOC 5-15cm (g/kg), cnn model: uncertainty (Q0.95 - Q0.05) / Q0.5")
        XCTAssertEqual(c.layers[11].format.unit, "", "a ratio, not g/kg")
        XCTAssertEqual(
            c.sets.map(\.title),
            [
                "SOC (g/kg), cnn", "Spread (SD) of the CV models",
                "Lower bound (5 %) of the 90 % prediction interval",
                "Upper bound (95 %) of the 90 % prediction interval",
                "Median (Q0.5) of the predictive distribution",
                "Uncertainty (Q0.95 - Q0.05) / Q0.5 of the 90 % prediction interval"
            ])
        XCTAssertEqual(
            c.sets.map(\.contactSheet),
            [
                "soc_contact_sheet.png", "soc_cv_sd_contact_sheet.png",
                "soc_q05_contact_sheet.png", "soc_q95_contact_sheet.png", "soc_q50_contact_sheet.png",
                "soc_uncertainty_contact_sheet.png"
            ])
        XCTAssertEqual(
            c.sets.map(\.ramp), [.socDefault, .uncertainty, .socDefault, .socDefault, .socDefault, .uncertainty])
        // The predictions and their bounds share one colour range; the spread has its own.
        XCTAssertEqual(c.sets[0].rangeGroup, c.sets[2].rangeGroup)
        XCTAssertEqual(c.sets[0].rangeGroup, c.sets[3].rangeGroup)
        XCTAssertEqual(c.sets[0].rangeGroup, c.sets[4].rangeGroup)
        XCTAssertNil(c.sets[5].rangeGroup, "the uncertainty ratio has its own range")
        XCTAssertNotNil(c.sets[0].rangeGroup)
        XCTAssertNil(c.sets[1].rangeGroup)
    }

    func testCatalogue_namesTheBoundsByTheLevel() {
        let c80 = MapProducts.Catalogue(
            name: "soc", property: "SOC", unit: "g/kg", model: "rf", depths: ["0-5cm"], spread: true,
            interval: 0.8, runName: "s")
        XCTAssertEqual(
            c80.layers.map(\.name),
            ["soc_0-5cm", "soc_0-5cm_cv_sd", "soc_0-5cm_q10", "soc_0-5cm_q90", "soc_0-5cm_q50", "soc_0-5cm_uncertainty"]
        )
        let c95 = MapProducts.Catalogue(
            name: "soc", property: "SOC", unit: "g/kg", model: "rf", depths: ["0-5cm"], spread: true,
            interval: 0.95, runName: "s")
        XCTAssertEqual(
            c95.layers.map(\.name),
            [
                "soc_0-5cm", "soc_0-5cm_cv_sd", "soc_0-5cm_q02p5", "soc_0-5cm_q97p5", "soc_0-5cm_q50",
                "soc_0-5cm_uncertainty"
            ])
    }

    func testCatalogue_intervalWithoutSpread_andSpreadWithoutInterval() {
        let bounds = MapProducts.Catalogue(
            name: "soc", property: "SOC", unit: "g/kg", model: "transfer", depths: ["0-5cm", "5-15cm"],
            spread: false, interval: 0.9, runName: "s")
        XCTAssertEqual(
            bounds.layers.map(\.name),
            [
                "soc_0-5cm", "soc_5-15cm", "soc_0-5cm_q05", "soc_5-15cm_q05",
                "soc_0-5cm_q95", "soc_5-15cm_q95", "soc_0-5cm_q50", "soc_5-15cm_q50", "soc_0-5cm_uncertainty",
                "soc_5-15cm_uncertainty"
            ])
        XCTAssertEqual(bounds.sets.count, 5)
        XCTAssertEqual(bounds.sets[0].rangeGroup, bounds.sets[1].rangeGroup)
        let spread = MapProducts.Catalogue(
            name: "soc", property: "SOC", unit: "g/kg", model: "transfer", depths: ["0-5cm"],
            spread: true, runName: "s")
        XCTAssertEqual(spread.layers.map(\.name), ["soc_0-5cm", "soc_0-5cm_cv_sd"])
    }

    func testValueRange_bringsSlightOvershootToTheNearerEnd_leavesFarValuesForTheCheck() {
        var map: [Float] = [-0.006, -0.5, -1.5, 0, 0.7, 1.2, 2.5, .nan, .infinity, -1e30]
        TilePredictor.bring(&map, into: 0...1)
        XCTAssertEqual(Array(map[0..<7]), [0, 0, -1.5, 0, 0.7, 1, 2.5])
        XCTAssertTrue(map[7].isNaN)
        XCTAssertEqual(map[8], .infinity)
        XCTAssertEqual(map[9], -1e30)
    }

}
