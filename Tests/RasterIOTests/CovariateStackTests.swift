import Foundation
import RasterIO
import TestSupport
import XCTest

final class CovariateStackTests: XCTestCase {
    /// Reference: 8 x 6 cells of 100 m. "clay" on the grid: value = col + 10 * row, nodata at (1, 1).
    /// "soil" on a coarser 200 m grid with a RAT: classes by column pair, nodata (0) in its first row.
    private struct Fixture {
        let dir: TemporaryDirectory
        let grid: Grid
        let clay: String
        let soil: String
    }

    private func makeFixture() throws -> Fixture {
        let dir = try TemporaryDirectory()
        let grid = try makeTestGrid(width: 8, height: 6, resolution: 100, originX: 700_000, originY: 6_600_000)
        let clay = try writeTestGeoTIFF(path: dir.file("clay.tif"), grid: grid, nodata: -9999) { c, r in
            c == 1 && r == 1 ? -9999 : Float(c + 10 * r)
        }
        let coarse = try makeTestGrid(width: 4, height: 3, resolution: 200, originX: 700_000, originY: 6_600_000)
        var codes = [Float](repeating: 0, count: 12)
        for r in 0..<3 { for c in 0..<4 { codes[r * 4 + c] = r == 0 ? 0 : Float([1, 1, 3, 4][c]) } }
        let soil = try writeTestGeoTIFF(
            path: dir.file("soil.tif"), grid: coarse, bands: [codes], nodata: 0,
            dataType: .uint8, descriptions: ["SOIL"],
            classes: [1: [1: "Vertosol", 3: "Sodosol", 4: "Kandosol", 9: "unused"]])
        return Fixture(dir: dir, grid: grid, clay: clay, soil: soil)
    }

    func testStack_categoricalBandWithRATBecomesLabelledOneHotChannels() throws {
        let f = try makeFixture()
        let stack = try CovariateStack(
            specs: [CovariateSpec(name: "clay", path: f.clay), CovariateSpec(name: "soil", path: f.soil)],
            reference: .raster(path: f.clay))
        XCTAssertEqual(stack.grid, f.grid)
        XCTAssertEqual(stack.covariates.map(\.kind), [.continuous, .categorical])
        let soil = stack.covariates[1]
        XCTAssertEqual(soil.sourceResolution.x, 200)
        XCTAssertEqual(soil.sourceNodata, 0)
        XCTAssertEqual(soil.sourceCRS, "EPSG:28355")
        // 200 m cells become 2 x 2 blocks; row 0 of the coarse raster (rows 0-1 here) is nodata.
        XCTAssertEqual(
            soil.classes,
            [
                CategoryClass(value: 1, label: "Vertosol", cellCount: 16),
                CategoryClass(value: 3, label: "Sodosol", cellCount: 8),
                CategoryClass(value: 4, label: "Kandosol", cellCount: 8)
            ])
        XCTAssertEqual(soil.validCells, 32)
        XCTAssertEqual(soil.min, 1)
        XCTAssertEqual(soil.max, 4)
        XCTAssertEqual(
            stack.channels.map(\.name),
            ["clay", "soil=1 (Vertosol)", "soil=3 (Sodosol)", "soil=4 (Kandosol)"])
        XCTAssertEqual(stack.channels.map(\.classValue), [nil, 1, 3, 4])
        XCTAssertEqual(stack.channels[1].fill, 0.5)
        XCTAssertEqual(stack.channels[2].fill, 0.25)

        let block = try stack.readScaled(window: PixelWindow(col: 4, row: 2, width: 2, height: 1))
        // (4, 2) and (5, 2) lie in coarse column 2: class 3.
        XCTAssertEqual(block.value(channel: 1, col: 0, row: 0), 0)
        XCTAssertEqual(block.value(channel: 2, col: 0, row: 0), 1)
        XCTAssertEqual(block.value(channel: 3, col: 1, row: 0), 0)
        XCTAssertEqual(block.valid, [true, true])
    }

    func testStack_statisticsAndMinMaxScaling() throws {
        let f = try makeFixture()
        let stack = try CovariateStack(
            specs: [CovariateSpec(name: "clay", path: f.clay)],
            reference: .raster(path: f.clay), tileSize: 3)
        let clay = stack.covariates[0]
        // Values col + 10 row over 8 x 6 cells without (1, 1) = 11.
        var all: [Double] = []
        for r in 0..<6 { for c in 0..<8 where !(c == 1 && r == 1) { all.append(Double(c + 10 * r)) } }
        XCTAssertEqual(clay.validCells, 47)
        XCTAssertEqual(clay.min, 0)
        XCTAssertEqual(clay.max, 57)
        XCTAssertEqual(clay.mean, all.reduce(0, +) / 47, accuracy: 1e-9)
        XCTAssertEqual(Double(stack.channels[0].fill), (clay.mean - 0) / 57, accuracy: 1e-6)
        let block = try stack.readScaled(window: f.grid.fullWindow)
        XCTAssertEqual(block.value(channel: 0, col: 0, row: 0), 0)
        XCTAssertEqual(block.value(channel: 0, col: 7, row: 5), 1)
        XCTAssertEqual(block.value(channel: 0, col: 3, row: 2), Float(23) / 57, accuracy: 1e-6)
        let raw = try stack.readRaw(covariate: 0, window: PixelWindow(col: 3, row: 2, width: 1, height: 1))
        XCTAssertEqual(raw.values, [23])
    }

    /// Statistics saved as JSON and given to a new stack on the same inputs: no raster read, the same
    /// covariates and channels to the bit. Any change of inputs (a file's time, the tile size, a
    /// VRT's source) reads the rasters again.
    func testSavedStatistics_ofUnchangedInputsGiveTheSameChannels_changedInputsAreReadAgain() throws {
        let f = try makeFixture()
        // A covariate whose sums are not round numbers, behind a VRT.
        let frac = try writeTestGeoTIFF(path: f.dir.file("frac.tif"), grid: f.grid, nodata: -9999) { c, r in
            Float(sin(Double(c) * 0.7) + Double(r) / 3)
        }
        let vrt = f.dir.file("frac.vrt")
        XCTAssertNotNil(runTool("gdalbuildvrt", ["-q", vrt, frac]), "gdalbuildvrt")
        let specs = [
            CovariateSpec(name: "clay", path: f.clay), CovariateSpec(name: "soil", path: f.soil),
            CovariateSpec(name: "frac", path: vrt)
        ]
        var reads = 0
        let first = try CovariateStack(specs: specs, reference: .raster(path: f.clay), tileSize: 3) { _, _ in reads += 1
        }
        XCTAssertFalse(first.reusedStatistics)
        XCTAssertEqual(reads, 6, "3 x 2 tiles")
        XCTAssertEqual(
            first.statistics.inputs.fileCount, 5,
            "clay, soil and its .aux.xml (the class names), the VRT and its source")
        let saved = try XCTUnwrap(StackStatistics.decoded(try first.statistics.encoded()))
        XCTAssertEqual(saved, first.statistics, "JSON gives back every bit")

        reads = 0
        let second = try CovariateStack(specs: specs, reference: .raster(path: f.clay), tileSize: 3, saved: saved) {
            _, _ in reads += 1
        }
        XCTAssertTrue(second.reusedStatistics)
        XCTAssertEqual(reads, 0, "no tile read for statistics")
        XCTAssertEqual(second.covariates, first.covariates)
        XCTAssertEqual(second.channels, first.channels)
        XCTAssertEqual(
            try second.readScaled(window: f.grid.fullWindow).values,
            try first.readScaled(window: f.grid.fullWindow).values)

        let other = try CovariateStack(specs: specs, reference: .raster(path: f.clay), tileSize: 4, saved: saved)
        XCTAssertFalse(other.reusedStatistics, "another tile size sums in another order")
        XCTAssertEqual(
            try CovariateStack(specs: Array(specs.prefix(2)), reference: .raster(path: f.clay), saved: saved)
                .reusedStatistics,
            false, "other covariates")

        // The VRT's source rewritten with other values: the VRT file itself is unchanged.
        try writeTestGeoTIFF(path: frac, grid: f.grid, nodata: -9999) { c, r in
            Float(2 * sin(Double(c) * 0.7) + Double(r))
        }
        let later = Date().addingTimeInterval(2)
        try FileManager.default.setAttributes([.modificationDate: later], ofItemAtPath: frac)
        let changed = try CovariateStack(specs: specs, reference: .raster(path: f.clay), tileSize: 3, saved: saved)
        XCTAssertFalse(changed.reusedStatistics, "a VRT's source is one of its files")
        XCTAssertNotEqual(changed.covariates[2].max, first.covariates[2].max)
        XCTAssertEqual(changed.covariates[0], first.covariates[0])
    }

    /// The values' digest is the data's, not the tiling's nor the file's: any tile size and a copy in
    /// another format give the same digest; one edited cell, or the arrangement by name, another.
    func testGridDigest_followsTheValuesOnTheGrid_notTheTilesOrTheFile() throws {
        let f = try makeFixture()
        let specs = [CovariateSpec(name: "clay", path: f.clay), CovariateSpec(name: "soil", path: f.soil)]
        let digests = try [1, 3, 5, 8, 64].map { size in
            try CovariateStack(specs: specs, reference: .raster(path: f.clay), tileSize: size).covariates
                .map(\.gridSHA256)
        }
        XCTAssertEqual(Set(digests.map { $0.joined(separator: ",") }).count, 1, "tile sizes 1 to 64: \(digests)")
        XCTAssertEqual(digests[0][0].count, 64)
        XCTAssertNotEqual(digests[0][0], digests[0][1])

        let copy = f.dir.file("clay.asc")
        XCTAssertNotNil(runTool("gdal_translate", ["-q", "-of", "AAIGrid", f.clay, copy]), "gdal_translate")
        let asc = try CovariateStack(
            specs: [CovariateSpec(name: "clay", path: copy, nodata: -9999)], reference: .raster(path: f.clay))
        XCTAssertEqual(asc.covariates[0].gridSHA256, digests[0][0], "the same values from another format")

        let edited = f.dir.file("edited.tif")
        try writeTestGeoTIFF(path: edited, grid: f.grid, nodata: -9999) { c, r in
            c == 1 && r == 1 ? -9999 : c == 5 && r == 4 ? Float(c + 10 * r) + 0.5 : Float(c + 10 * r)
        }
        let one = try CovariateStack(
            specs: [CovariateSpec(name: "clay", path: edited)], reference: .raster(path: f.clay))
        XCTAssertNotEqual(one.covariates[0].gridSHA256, digests[0][0], "one cell 0.5 higher")
        XCTAssertEqual(one.covariates[0].min, 0)

        let stack = try CovariateStack(specs: specs, reference: .raster(path: f.clay), tileSize: 3)
        let arranged = stack.arranged([(1, "parent"), (0, "clay")])
        XCTAssertEqual(arranged.covariates.map(\.name), ["parent", "clay"])
        XCTAssertEqual(
            arranged.channels.map(\.name), ["parent=1 (Vertosol)", "parent=3 (Sodosol)", "parent=4 (Kandosol)", "clay"])
        let window = f.grid.fullWindow
        let a = try arranged.readScaled(window: window)
        let b = try stack.readScaled(window: window)
        for row in 0..<window.height {
            for col in 0..<window.width {
                XCTAssertEqual(a.value(channel: 3, col: col, row: row), b.value(channel: 0, col: col, row: row))
                XCTAssertEqual(a.value(channel: 0, col: col, row: row), b.value(channel: 1, col: col, row: row))
            }
        }
    }

    func testStack_constantCovariateScalesToHalf() throws {
        let dir = try TemporaryDirectory()
        let grid = try makeTestGrid(width: 5, height: 5)
        let path = try writeTestGeoTIFF(path: dir.file("flat.tif"), grid: grid, nodata: -1) { c, _ in c == 0 ? -1 : 7 }
        let stack = try CovariateStack(specs: [CovariateSpec(name: "flat", path: path)], reference: .raster(path: path))
        XCTAssertEqual(stack.channels[0].fill, 0.5)
        let block = try stack.readScaled(window: grid.fullWindow)
        XCTAssertTrue(block.values.allSatisfy { $0 == 0.5 }, "constant covariate is 0.5 everywhere, never NaN")
    }

    func testReadScaled_fillsNodataAndOutsideCells() throws {
        let f = try makeFixture()
        let stack = try CovariateStack(
            specs: [CovariateSpec(name: "clay", path: f.clay), CovariateSpec(name: "soil", path: f.soil)],
            reference: .raster(path: f.clay))
        // A 3 x 3 window centred on (0, 2): column -1 is outside; (1, 1) is clay nodata; rows 0-1 soil nodata.
        let window = PixelWindow(col: -1, row: 1, width: 3, height: 3)
        let block = try stack.readScaled(window: window)
        XCTAssertEqual(block.channelCount, 4)
        let fills = stack.channels.map(\.fill)
        for row in 0..<3 {
            // Outside the grid: every channel is its fill, and the cell is invalid.
            for c in 0..<4 { XCTAssertEqual(block.value(channel: c, col: 0, row: row), fills[c]) }
            XCTAssertFalse(block.valid[row * 3])
            XCTAssertEqual(block.validCount?[row * 3], 0)
        }
        // (1, 1): clay nodata -> clay fill; soil nodata too -> class frequencies.
        XCTAssertEqual(block.value(channel: 0, col: 2, row: 0), fills[0])
        XCTAssertEqual(block.value(channel: 1, col: 2, row: 0), fills[1])
        XCTAssertFalse(block.valid[2])
        // (0, 1): clay valid (value 10), soil nodata -> partial.
        XCTAssertEqual(block.value(channel: 0, col: 1, row: 0), Float(10) / 57, accuracy: 1e-6)
        XCTAssertEqual(block.validCount?[1], 1)
        XCTAssertFalse(block.valid[1])
        // (0, 2): both valid; soil class 1.
        XCTAssertTrue(block.valid[4])
        XCTAssertEqual(block.value(channel: 1, col: 1, row: 1), 1)
        XCTAssertEqual(block.value(channel: 2, col: 1, row: 1), 0)
        XCTAssertEqual(block.value(channel: 3, col: 1, row: 1), 0)
    }

    func testReadScaled_filesReadInParallelGiveTheSameBlock_oneCallPerFile() throws {
        let f = try makeFixture()
        let pair = try writeTestGeoTIFF(
            path: f.dir.file("pair.tif"), grid: f.grid,
            bands: [(0..<48).map { Float($0 % 7) }, (0..<48).map { Float(100 - $0) }],
            nodata: -9999, descriptions: ["a", "b"])
        let stack = try CovariateStack(
            specs: [
                CovariateSpec(name: "clay", path: f.clay), CovariateSpec(name: "pair", path: pair),
                CovariateSpec(name: "soil", path: f.soil)
            ],
            reference: .raster(path: f.clay))
        XCTAssertEqual(stack.covariates.map(\.name), ["clay", "a", "b", "soil"])
        let window = PixelWindow(col: -2, row: -1, width: 11, height: 8)
        let serial = try stack.readScaled(window: window)
        // Files on concurrent threads, and in reverse order: the same bits.
        var calls: [Int] = []
        let parallel = try stack.readScaled(window: window) { count, body in
            calls.append(count)
            withoutActuallyEscaping(body) { body in
                nonisolated(unsafe) let shared = body  // each call writes its own file's channels
                DispatchQueue.concurrentPerform(iterations: count) { shared($0) }
            }
        }
        XCTAssertEqual(calls, [3], "one call per file: the two bands of pair.tif share a thread")
        let reversed = try stack.readScaled(window: window) { count, body in
            for i in (0..<count).reversed() { body(i) }
        }
        for other in [parallel, reversed] {
            XCTAssertEqual(other.values.map { $0.bitPattern }, serial.values.map { $0.bitPattern })
            XCTAssertEqual(other.valid, serial.valid)
            XCTAssertEqual(other.validCount, serial.validCount)
        }
        XCTAssertEqual(serial.value(channel: 2, col: 2, row: 1), 1, "band b at (0, 0) is its maximum, 100")
    }

    func testStack_explicitGridWarpsBothCovariates() throws {
        let f = try makeFixture()
        let crs = try CRS(epsg: 28355)
        var reported: [(Int, Int)] = []
        let stack = try CovariateStack(
            specs: [CovariateSpec(name: "clay", path: f.clay), CovariateSpec(name: "soil", path: f.soil)],
            reference: .explicit(
                crs: crs, resolution: 50,
                extent: Extent(minX: 700_000, minY: 6_599_400, maxX: 700_800, maxY: 6_600_000)),
            tileSize: 8, progress: { reported.append(($0, $1)) })
        XCTAssertEqual(stack.grid.width, 16)
        XCTAssertEqual(stack.grid.height, 12)
        XCTAssertEqual(reported.map(\.0), [1, 2, 3, 4])
        XCTAssertEqual(reported.last?.1, 4)
        XCTAssertEqual(stack.covariates[1].classes.map(\.cellCount), [64, 32, 32], "nearest keeps whole classes")
        XCTAssertEqual(stack.covariates[0].min, 0, accuracy: 1e-6)
        XCTAssertLessThanOrEqual(stack.covariates[0].max, 57)
    }

    func testStack_multiBandFileNamesBandsByDescriptionOrIndex() throws {
        let dir = try TemporaryDirectory()
        let grid = try makeTestGrid(width: 4, height: 4)
        let path = try writeTestGeoTIFF(
            path: dir.file("evi.tif"), grid: grid,
            bands: [Array(repeating: 1, count: 16), (0..<16).map(Float.init)],
            descriptions: ["EV1", ""])
        let stack = try CovariateStack(specs: [CovariateSpec(name: "evi", path: path)], reference: .raster(path: path))
        XCTAssertEqual(stack.covariates.map(\.name), ["EV1", "evi_b2"])
        XCTAssertEqual(stack.covariates.map(\.band), [1, 2])
        let second = try CovariateStack(
            specs: [CovariateSpec(name: "pc2", path: path, band: 2)], reference: .raster(path: path))
        XCTAssertEqual(second.covariates.map(\.name), ["pc2"])
        XCTAssertEqual(second.covariates[0].max, 15)
    }

    func testStack_badInputsAreErrorsNamingTheFile() throws {
        let f = try makeFixture()
        assertRasterError(
            try CovariateStack(
                specs: [CovariateSpec(name: "x", path: f.clay), CovariateSpec(name: "x", path: f.soil)],
                reference: .raster(path: f.clay)),
            contains: ["covariate name 'x' is used twice", "clay.tif", "soil.tif"])
        // A categorical declaration of a raster with 100 distinct values.
        let many = try writeTestGeoTIFF(path: f.dir.file("many.tif"), grid: try makeTestGrid(width: 10, height: 10)) {
            c, r in
            Float(c + 10 * r)
        }
        assertRasterError(
            try CovariateStack(
                specs: [CovariateSpec(name: "m", path: many, kind: .categorical)], reference: .raster(path: many)),
            contains: ["more than 64 classes", "many.tif"])
        let fractional = try writeTestGeoTIFF(path: f.dir.file("frac.tif"), grid: try makeTestGrid(width: 2, height: 2))
        { _, _ in 1.5 }
        assertRasterError(
            try CovariateStack(
                specs: [CovariateSpec(name: "f", path: fractional, kind: .categorical)],
                reference: .raster(path: fractional)),
            contains: ["non-integer value 1.5", "frac.tif"])
        // A raster far from the reference grid has no valid cell on it.
        let away = try writeTestGeoTIFF(
            path: f.dir.file("away.tif"),
            grid: try makeTestGrid(width: 4, height: 4, originX: 100_000, originY: 7_000_000)
        ) { _, _ in 1 }
        assertRasterError(
            try CovariateStack(specs: [CovariateSpec(name: "a", path: away)], reference: .raster(path: f.clay)),
            contains: ["no valid cell on the reference grid", "away.tif"])
        assertRasterError(
            try CovariateStack(
                specs: [CovariateSpec(name: "c", path: f.clay, band: 3)], reference: .raster(path: f.clay)),
            contains: ["band 3 does not exist", "clay.tif"])
        assertRasterError(
            try CovariateStack(
                specs: [CovariateSpec(name: "c", path: f.dir.file("missing.tif"))], reference: .raster(path: f.clay)),
            contains: ["missing.tif", "does not exist"])
    }
}
