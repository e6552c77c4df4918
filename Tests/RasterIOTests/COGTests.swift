import Foundation
import RasterIO
import TestSupport
import XCTest

/// GDAL's COG validator (python3-gdal), run with Debian's python3; nil when it is not installed.
func cogValidatorCommand() -> [String]? {
    let python = "/usr/bin/python3"
    let candidates = [
        "/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_cloud_optimized_geotiff.py",
        "/usr/share/doc/python3-gdal/examples/validate_cloud_optimized_geotiff.py"
    ]
    guard FileManager.default.isExecutableFile(atPath: python),
        let script = candidates.first(where: { FileManager.default.fileExists(atPath: $0) })
    else { return nil }
    return [python, script]
}

/// Runs a command; returns its exit status and standard output plus error.
func runCommand(_ command: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: command[0])
    process.arguments = Array(command.dropFirst())
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

final class COGTests: XCTestCase {
    /// A 600 x 520 Float32 map (big enough for overviews) with a nodata corner.
    private func writeSource(
        _ dir: TemporaryDirectory, name: String = "source.tif", statistics: Bool = true
    ) throws -> String {
        let grid = try makeTestGrid(width: 600, height: 520)
        var values = [Float](repeating: 0, count: grid.cellCount)
        for row in 0..<grid.height {
            for col in 0..<grid.width {
                values[row * grid.width + col] = (row < 20 && col < 30) ? -9999 : Float(col + row) / 10
            }
        }
        var profile = GeoTIFFProfile()
        profile.statistics = statistics
        let path = dir.file(name)
        let writer = try GeoTIFFWriter(path: path, grid: grid, bandCount: 1, nodata: -9999, profile: profile)
        try writer.write(band: 1, window: grid.fullWindow, values: values)
        writer.setDescription(band: 1, "soc_0-5cm")
        writer.setUnit(band: 1, "g/kg")
        try writer.finish()
        return path
    }

    func testWrite_passesGDALsCOGValidator() throws {
        let dir = try TemporaryDirectory()
        let source = try writeSource(dir)
        let out = dir.file("soc_0-5cm.tif")
        try COG.write(from: source, to: out, metadata: ["SOCMAP_MODEL_SHA256": "abc123"])
        guard let validator = cogValidatorCommand() else {
            throw missingClient(
                "GDAL's validate_cloud_optimized_geotiff.py is not installed (apt-get install python3-gdal)")
        }
        let result = try runCommand(validator + [out])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("is a valid cloud optimized GeoTIFF"), result.output)
        XCTAssertFalse(result.output.contains("NOT"), result.output)
        // The validator must be able to fail: a striped GeoTIFF over 1024 cells wide is not a COG.
        let striped = dir.file("striped.tif")
        let made = try runCommand([
            "/usr/bin/gdal_translate", "-q", "-outsize", "1100", "520", "-co", "TILED=NO", source, striped
        ])
        XCTAssertEqual(made.status, 0, made.output)
        let rejected = try runCommand(validator + [striped])
        XCTAssertNotEqual(rejected.status, 0, "the validator rejects a striped file: \(rejected.output)")
    }

    func testWrite_keepsNodataDescriptionUnitStatisticsAndAddsMetadata() throws {
        let dir = try TemporaryDirectory()
        let source = try writeSource(dir)
        let out = dir.file("soc_0-5cm.tif")
        let metadata = [
            "SOCMAP_PIPELINE_SHA256": "ba7816bf", "SOCMAP_COVARIATES": "dem,slope,ndvi",
            "SOCMAP_CV_SCORES": "R2=0.41 RMSE=8.2 g/kg; MAE=6.0", "TIFFTAG_SOFTWARE": "SOCMap 0.4.0"
        ]
        try COG.write(from: source, to: out, metadata: metadata)
        XCTAssertEqual(dir.contents(), ["soc_0-5cm.tif", "source.tif"], "no temporary or side file left")
        let written = try RasterDataset(path: out)
        XCTAssertEqual(try written.grid(), try RasterDataset(path: source).grid())
        let band = try written.band(1)
        XCTAssertEqual(band.nodata, -9999)
        XCTAssertEqual(band.description, "soc_0-5cm")
        XCTAssertEqual(band.unit, "g/kg")
        XCTAssertEqual(band.dataType, .float32)
        let stats = try XCTUnwrap(try written.statistics(band: 1))
        XCTAssertEqual(
            stats.minimum, 2.0, accuracy: 1e-6, "the nodata corner is left out: min is (30 + 0) / 10 or (0 + 20) / 10")
        XCTAssertEqual(stats.maximum, Double(Float(599 + 519) / 10), accuracy: 1e-4)
        XCTAssertEqual(try written.overviewCount(band: 1), 1, "600 x 520 with 512 tiles: one overview level")
        let items = try written.metadata()
        for (key, value) in metadata { XCTAssertEqual(items[key], value, key) }
        XCTAssertEqual(try written.metadata(domain: "IMAGE_STRUCTURE")["LAYOUT"], "COG")
        XCTAssertEqual(try written.metadata(domain: "IMAGE_STRUCTURE")["COMPRESSION"], "DEFLATE")
        XCTAssertEqual(try written.metadata(domain: "IMAGE_STRUCTURE")["PREDICTOR"], "3")
        let block = try written.read(band: 1, window: PixelWindow(col: 29, row: 19, width: 2, height: 1))
        XCTAssertEqual(block.valid, [false, true])
        XCTAssertEqual(block.values[1], 4.9, accuracy: 1e-6, "(30 + 19) / 10")
        XCTAssertTrue(
            try RasterDataset(path: source).metadata()["SOCMAP_COVARIATES"] == nil, "the source is not changed")
    }

    func testWrite_twiceGivesIdenticalBytes() throws {
        let dir = try TemporaryDirectory()
        let source = try writeSource(dir)
        let metadata = ["SOCMAP_B": "2", "SOCMAP_A": "1", "SOCMAP_C": "3"]
        try COG.write(from: source, to: dir.file("a.tif"), metadata: metadata)
        try COG.write(from: source, to: dir.file("b.tif"), metadata: metadata)
        let a = try Data(contentsOf: URL(fileURLWithPath: dir.file("a.tif")))
        let b = try Data(contentsOf: URL(fileURLWithPath: dir.file("b.tif")))
        XCTAssertGreaterThan(a.count, 1000)
        XCTAssertEqual(a, b)
        // Replacing an existing file works and gives the same bytes again.
        try COG.write(from: source, to: dir.file("a.tif"), metadata: metadata)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir.file("a.tif"))), b)
    }

    func testWrite_computesStatisticsTheSourceLacks() throws {
        let dir = try TemporaryDirectory()
        let source = try writeSource(dir, statistics: false)
        XCTAssertNil(try RasterDataset(path: source).statistics(band: 1))
        try COG.write(from: source, to: dir.file("out.tif"))
        let stats = try XCTUnwrap(try RasterDataset(path: dir.file("out.tif")).statistics(band: 1))
        // The same map written with GDAL's own statistics gives the same figures.
        let gdalStats = try XCTUnwrap(
            try RasterDataset(path: try writeSource(dir, name: "gdal.tif")).statistics(band: 1))
        XCTAssertEqual(stats.minimum, gdalStats.minimum, accuracy: 1e-9)
        XCTAssertEqual(stats.maximum, gdalStats.maximum, accuracy: 1e-9)
        XCTAssertEqual(stats.mean, gdalStats.mean, accuracy: 1e-6)
        XCTAssertEqual(stats.standardDeviation, gdalStats.standardDeviation, accuracy: 1e-6)
        XCTAssertEqual(try XCTUnwrap(stats.validPercent), try XCTUnwrap(gdalStats.validPercent), accuracy: 0.01)
        XCTAssertNil(try RasterDataset(path: source).statistics(band: 1), "the source is not changed")
        XCTAssertFalse(FileManager.default.fileExists(atPath: source + ".aux.xml"), "nothing written beside the source")
    }

    func testWrite_NaNNodataSurvivesAndStatisticsSkipIt() throws {
        let dir = try TemporaryDirectory()
        let grid = try makeTestGrid(width: 40, height: 30)
        var values = [Float](repeating: 0, count: grid.cellCount)
        for i in values.indices { values[i] = i % 7 == 0 ? .nan : Float(i % 11) }
        let source = try writeTestGeoTIFF(path: dir.file("nan.tif"), grid: grid, bands: [values], nodata: .nan)
        try COG.write(from: source, to: dir.file("out.tif"))
        let written = try RasterDataset(path: dir.file("out.tif"))
        XCTAssertTrue(try XCTUnwrap(try written.band(1).nodata).isNaN)
        let stats = try XCTUnwrap(try written.statistics(band: 1))
        XCTAssertEqual(stats.minimum, 0)
        XCTAssertEqual(stats.maximum, 10)
        guard let validator = cogValidatorCommand() else {
            throw missingClient("GDAL's COG validator is not installed (apt-get install python3-gdal)")
        }
        XCTAssertEqual(try runCommand(validator + [dir.file("out.tif")]).status, 0)
    }

    func testWrite_missingSourceOrFolderThrowsNamingThePath() throws {
        let dir = try TemporaryDirectory()
        assertRasterError(
            try COG.write(from: dir.file("nope.tif"), to: dir.file("out.tif")), contains: ["nope.tif", "does not exist"]
        )
        let source = try writeSource(dir)
        assertRasterError(
            try COG.write(from: source, to: dir.file("missing/out.tif")), contains: ["missing", "does not exist"])
        XCTAssertEqual(dir.contents(), ["source.tif"])
    }

    func testReadDecimated_shrinksToWidthAndKeepsNodataAsNaN() throws {
        let dir = try TemporaryDirectory()
        let source = try writeSource(dir)
        let dataset = try RasterDataset(path: source)
        let small = try dataset.readDecimated(band: 1, maxWidth: 60)
        XCTAssertEqual(small.width, 60)
        XCTAssertEqual(small.height, 52)
        XCTAssertEqual(small.factor, 10, accuracy: 1e-9)
        XCTAssertTrue(small.values[0].isNaN, "the nodata corner stays nodata")
        // Cell (59, 51) averages columns 590..599 and rows 510..519: (594.5 + 514.5) / 10.
        XCTAssertEqual(small.values[51 * 60 + 59], 110.9, accuracy: 0.6)
        let same = try dataset.readDecimated(band: 1, maxWidth: 1000)
        XCTAssertEqual(same.width, 600)
        XCTAssertEqual(same.values[600 * 100 + 100], 20, accuracy: 1e-6)
    }

    func testPNGFile_writesRGBAndRGBAOfTheGivenSize() throws {
        let dir = try TemporaryDirectory()
        let pixels = (0..<(7 * 5)).flatMap { i -> [UInt8] in [UInt8(i), 100, 200] }
        try PNGFile.write(pixels: pixels, width: 7, height: 5, channels: 3, to: dir.file("rgb.png"))
        let png = try RasterDataset(path: dir.file("rgb.png"))
        XCTAssertEqual(png.width, 7)
        XCTAssertEqual(png.height, 5)
        XCTAssertEqual(png.bandCount, 3)
        let red = try png.read(band: 1, window: PixelWindow(col: 0, row: 0, width: 7, height: 1))
        XCTAssertEqual(red.values, (0..<7).map(Float.init))
        XCTAssertEqual(try png.read(band: 3, window: PixelWindow(col: 3, row: 2, width: 1, height: 1)).values, [200])
        try PNGFile.write(
            pixels: [UInt8](repeating: 9, count: 2 * 2 * 4), width: 2, height: 2, channels: 4, to: dir.file("rgba.png"))
        XCTAssertEqual(try RasterDataset(path: dir.file("rgba.png")).bandCount, 4)
        XCTAssertEqual(dir.contents(), ["rgb.png", "rgba.png"])
    }
}
