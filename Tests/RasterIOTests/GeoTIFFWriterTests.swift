import Foundation
import RasterIO
import TestSupport
import XCTest

final class GeoTIFFWriterTests: XCTestCase {
    func testWriter_producesTiledCompressedFileWithStatisticsAndOverviews() throws {
        let dir = try TemporaryDirectory()
        let grid = try makeTestGrid(width: 600, height: 520)
        let path = dir.file("big.tif")
        let writer = try GeoTIFFWriter(path: path, grid: grid, bandCount: 1, nodata: -9999)
        var values = [Float](repeating: 0, count: grid.cellCount)
        for i in values.indices { values[i] = Float(i % 600) }
        values[0] = -9999
        try writer.write(band: 1, window: grid.fullWindow, values: values)
        writer.setDescription(band: 1, "clay")
        writer.setUnit(band: 1, "%")
        writer.setMetadata(["B": "2", "A": "1"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: path), "nothing at the path before finish()")
        XCTAssertTrue(FileManager.default.fileExists(atPath: writer.temporaryPath))
        XCTAssertTrue(writer.temporaryPath.hasPrefix(dir.path + "/.big.tif.partial-"))
        try writer.finish()
        XCTAssertTrue(FileManager.default.fileExists(atPath: path))
        XCTAssertEqual(dir.contents(), ["big.tif"], "no temporary or .aux.xml file left")

        guard let info = runTool("gdalinfo", [path]) else {
            throw missingClient("gdalinfo is not installed (apt-get install gdal-bin)")
        }
        XCTAssertTrue(info.contains("Block=512x512"), info)
        XCTAssertTrue(info.contains("COMPRESSION=DEFLATE"), info)
        XCTAssertTrue(info.contains("PREDICTOR=3"), info)
        XCTAssertTrue(info.contains("NoData Value=-9999"), info)
        XCTAssertTrue(info.contains("Description = clay"), info)
        XCTAssertTrue(info.contains("Overviews: 300x260"), info)
        XCTAssertTrue(info.contains("STATISTICS_MAXIMUM=599"), info)
        XCTAssertTrue(info.contains("STATISTICS_MINIMUM=0"), info)
        XCTAssertTrue(info.contains("MGA zone 55"), info)
        XCTAssertTrue(info.contains("Unit Type: %"), info)

        let dataset = try RasterDataset(path: path)
        XCTAssertEqual(try dataset.grid(), grid)
        let band = try dataset.band(1)
        XCTAssertEqual(band.nodata, -9999)
        XCTAssertEqual(band.description, "clay")
        XCTAssertEqual(band.unit, "%")
        XCTAssertEqual(band.dataType, .float32)
        let block = try dataset.read(band: 1, window: PixelWindow(col: 0, row: 0, width: 3, height: 2))
        XCTAssertEqual(block.valid, [false, true, true, true, true, true], "only the nodata cell is invalid")
        XCTAssertEqual(block.values[1], 1)
        XCTAssertEqual(block.values[4], 1)
    }

    func testWriter_abortRemovesTemporaryFile() throws {
        let dir = try TemporaryDirectory()
        let grid = try makeTestGrid(width: 8, height: 8)
        let writer = try GeoTIFFWriter(path: dir.file("x.tif"), grid: grid, bandCount: 1, nodata: nil)
        try writer.write(band: 1, window: grid.fullWindow, values: Array(repeating: 1, count: 64))
        XCTAssertEqual(dir.contents().count, 1)
        writer.abort()
        XCTAssertEqual(dir.contents(), [])
    }

    func testWriter_deinitWithoutFinishAborts() throws {
        let dir = try TemporaryDirectory()
        let grid = try makeTestGrid(width: 8, height: 8)
        do {
            let writer = try GeoTIFFWriter(path: dir.file("x.tif"), grid: grid, bandCount: 1, nodata: nil)
            try writer.write(band: 1, window: grid.fullWindow, values: Array(repeating: 1, count: 64))
        }
        XCTAssertEqual(dir.contents(), [])
    }

    func testWriter_missingFolderIsAClearError() throws {
        let dir = try TemporaryDirectory()
        let grid = try makeTestGrid(width: 8, height: 8)
        assertRasterError(
            try GeoTIFFWriter(path: dir.file("no/such/out.tif"), grid: grid, bandCount: 1, nodata: nil),
            contains: ["out.tif", "does not exist"])
    }

    func testWriter_integerPredictorAndClassTableRoundTrip() throws {
        let dir = try TemporaryDirectory()
        let grid = try makeTestGrid(width: 16, height: 16)
        let values = (0..<256).map { Float($0 % 3 + 1) }
        let path = try writeTestGeoTIFF(
            path: dir.file("soil.tif"), grid: grid, bands: [values], nodata: 0,
            dataType: .uint8, descriptions: ["soil"],
            classes: [1: [1: "Vertosol", 2: "Sodosol", 3: "Kandosol"]])
        XCTAssertEqual(dir.contents(), ["soil.tif", "soil.tif.aux.xml"])
        let dataset = try RasterDataset(path: path)
        let band = try dataset.band(1)
        XCTAssertEqual(band.dataType, .uint8)
        XCTAssertEqual(band.attributeTable, [1: "Vertosol", 2: "Sodosol", 3: "Kandosol"])
        if let info = runTool("gdalinfo", [path]) { XCTAssertTrue(info.contains("PREDICTOR=2"), info) }
    }

    func testWriter_replacesExistingFileAndStaleSideFile() throws {
        let dir = try TemporaryDirectory()
        let grid = try makeTestGrid(width: 8, height: 8)
        let path = dir.file("m.tif")
        try writeTestGeoTIFF(
            path: path, grid: grid, bands: [Array(repeating: 1, count: 64)], dataType: .uint8,
            classes: [1: [1: "a"]])
        XCTAssertTrue(FileManager.default.fileExists(atPath: path + ".aux.xml"))
        try writeTestGeoTIFF(path: path, grid: grid, bands: [Array(repeating: 2, count: 64)])
        XCTAssertEqual(dir.contents(), ["m.tif"])
        XCTAssertEqual(try RasterDataset(path: path).read(band: 1, window: grid.fullWindow).values[0], 2)
    }

    func testWriter_metadataKeysSortedAndDeterministic() throws {
        let dir = try TemporaryDirectory()
        let grid = try makeTestGrid(width: 20, height: 20)
        var files: [Data] = []
        for name in ["a.tif", "b.tif"] {
            let writer = try GeoTIFFWriter(path: dir.file(name), grid: grid, bandCount: 1, nodata: -1)
            writer.setMetadata(["zeta": "1", "alpha": "2", "mid": "3"])
            try writer.write(band: 1, window: grid.fullWindow, values: (0..<400).map { Float($0) })
            try writer.finish()
            files.append(try Data(contentsOf: URL(fileURLWithPath: dir.file(name))))
        }
        XCTAssertEqual(files[0], files[1], "same input gives byte-identical files")
        let text = String(decoding: files[0], as: UTF8.self)
        let a = try XCTUnwrap(text.range(of: "alpha"))
        let m = try XCTUnwrap(text.range(of: "\"mid\""))
        let z = try XCTUnwrap(text.range(of: "zeta"))
        XCTAssertTrue(a.lowerBound < m.lowerBound && m.lowerBound < z.lowerBound)
    }
}

/// `GeoTIFFRowWriter`: a raster appended in strips of any height is the same file.
final class GeoTIFFRowWriterTests: XCTestCase {
    /// Writes a 40 x 50 raster (tiles of 16: three columns and four rows of tiles) with the row
    /// writer, appending strips of `stripRows` rows; returns the file's bytes.
    private func writeInStrips(
        _ stripRows: Int, in dir: TemporaryDirectory, grid: Grid, tileSize: Int = 16
    ) throws -> Data {
        var profile = GeoTIFFProfile()
        profile.tileSize = tileSize
        let path = dir.file("strips-\(stripRows)-\(tileSize).tif")
        let rows = GeoTIFFRowWriter(
            try GeoTIFFWriter(path: path, grid: grid, bandCount: 1, nodata: -9999, profile: profile))
        rows.writer.setDescription(band: 1, "clay")
        for row in stride(from: 0, to: grid.height, by: stripRows) {
            let height = min(stripRows, grid.height - row)
            try rows.append((0..<(height * grid.width)).map { Self.value(cell: row * grid.width + $0) })
        }
        XCTAssertTrue(rows.isComplete)
        try rows.finish()
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }

    private static func value(cell: Int) -> Float { cell % 7 == 0 ? -9999 : Float(cell % 97) * 0.25 }

    func testRowWriter_stripHeightNeverChangesTheFile() throws {
        let dir = try TemporaryDirectory()
        let grid = try makeTestGrid(width: 40, height: 50)
        let reference = try writeInStrips(50, in: dir, grid: grid)
        for strip in [1, 3, 16, 17, 33] {
            XCTAssertEqual(try writeInStrips(strip, in: dir, grid: grid), reference, "strips of \(strip) rows")
        }
        let raster = try RasterDataset(path: dir.file("strips-50-16.tif"))
        let block = try raster.read(band: 1, window: grid.fullWindow)
        for cell in 0..<grid.cellCount {
            let expected = Self.value(cell: cell)
            XCTAssertEqual(block.valid[cell] ? block.values[cell] : -9999, expected, "cell \(cell)")
        }
        XCTAssertEqual(try raster.band(1).description, "clay")
    }

    func testRowWriter_oneRowOfTilesIsTheFileOfAFullWindowWrite() throws {
        // A raster within one row of tiles gets the calls of GeoTIFFWriter.write over the whole grid.
        let dir = try TemporaryDirectory()
        let grid = try makeTestGrid(width: 40, height: 50)
        let path = dir.file("whole.tif")
        let writer = try GeoTIFFWriter(path: path, grid: grid, bandCount: 1, nodata: -9999)
        writer.setDescription(band: 1, "clay")
        try writer.write(band: 1, window: grid.fullWindow, values: (0..<grid.cellCount).map(Self.value(cell:)))
        try writer.finish()
        let whole = try Data(contentsOf: URL(fileURLWithPath: path))
        for strip in [1, 7, 50] {
            XCTAssertEqual(
                try writeInStrips(strip, in: dir, grid: grid, tileSize: 512), whole, "strips of \(strip) rows")
        }
    }

    func testRowWriter_abortLeavesNothing() throws {
        let dir = try TemporaryDirectory()
        let grid = try makeTestGrid(width: 40, height: 50)
        var profile = GeoTIFFProfile()
        profile.tileSize = 16
        let rows = GeoTIFFRowWriter(
            try GeoTIFFWriter(path: dir.file("a.tif"), grid: grid, bandCount: 1, nodata: nil, profile: profile))
        try rows.append([Float](repeating: 1, count: 20 * grid.width))
        rows.abort()
        rows.abort()
        XCTAssertEqual(dir.contents(), [], "no file and no temporary file")
    }
}
