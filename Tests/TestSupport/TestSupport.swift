// Shared helpers for the test targets: temporary folders, small grids and GeoTIFF fixtures.
import Foundation
import RasterIO
import XCTest

/// A fresh folder under the system temp directory, deleted when the value is released.
public final class TemporaryDirectory {
    /// The folder's path.
    public let path: String

    /// Creates a uniquely named folder, e.g. /tmp/socmap-RasterIOTests-<uuid>.
    public init(prefix: String = "socmap-test") throws {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(prefix)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        path = url.path
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// A path inside the folder.
    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    /// Names of the files in the folder (hidden ones included), sorted.
    public func contents() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }
}

/// A north-up test grid in GDA94 / MGA zone 55 (EPSG:28355) whose top-left corner is at
/// (originX, originY), with square cells of `resolution` metres.
public func makeTestGrid(
    width: Int = 64, height: Int = 64, resolution: Double = 100,
    originX: Double = 750_000, originY: Double = 6_650_000, epsg: Int = 28355
) throws -> Grid {
    Grid(
        crs: try CRS(epsg: epsg),
        transform: GeoTransform(originX: originX, pixelWidth: resolution, originY: originY, pixelHeight: -resolution),
        width: width, height: height)
}

/// Writes a GeoTIFF fixture with RasterIO's writer: one array of row-major values per band
/// (each `grid.cellCount` long), optional nodata, band descriptions and a class table per band.
@discardableResult
public func writeTestGeoTIFF(
    path: String, grid: Grid, bands: [[Float]], nodata: Double? = nil,
    dataType: RasterDataType = .float32, descriptions: [String]? = nil,
    classes: [Int: [Int: String]] = [:], profile: GeoTIFFProfile = .default
) throws -> String {
    precondition(!bands.isEmpty, "writeTestGeoTIFF needs at least one band")
    let writer = try GeoTIFFWriter(
        path: path, grid: grid, bandCount: bands.count, dataType: dataType,
        nodata: nodata, profile: profile)
    for (i, values) in bands.enumerated() {
        precondition(
            values.count == grid.cellCount,
            "writeTestGeoTIFF: band \(i + 1) has \(values.count) values for \(grid.cellCount) cells")
        try writer.write(band: i + 1, window: grid.fullWindow, values: values)
        if let descriptions { writer.setDescription(band: i + 1, descriptions[i]) }
        if let table = classes[i + 1] { writer.setAttributeTable(band: i + 1, table) }
    }
    try writer.finish()
    return path
}

/// Convenience: a single-band fixture whose value at (col, row) is `value(col, row)`.
@discardableResult
public func writeTestGeoTIFF(
    path: String, grid: Grid, nodata: Double? = nil, dataType: RasterDataType = .float32,
    description: String? = nil, value: (Int, Int) -> Float
) throws -> String {
    var values = [Float](repeating: 0, count: grid.cellCount)
    for row in 0..<grid.height {
        for col in 0..<grid.width { values[row * grid.width + col] = value(col, row) }
    }
    return try writeTestGeoTIFF(
        path: path, grid: grid, bands: [values], nodata: nodata, dataType: dataType,
        descriptions: description.map { [$0] })
}

/// Runs a command-line tool (e.g. gdalinfo) and returns its standard output; nil when it cannot run.
public func runTool(_ executable: String, _ arguments: [String]) -> String? {
    let candidates = ["/usr/bin/\(executable)", "/usr/local/bin/\(executable)"]
    guard let tool = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return nil }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: tool)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    do { try process.run() } catch { return nil }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}

/// Asserts that `body` throws a RasterError whose description contains every one of `fragments`.
public func assertRasterError<T>(
    _ body: @autoclosure () throws -> T, contains fragments: [String],
    file: StaticString = #filePath, line: UInt = #line
) {
    do {
        _ = try body()
        XCTFail("expected a RasterError containing \(fragments)", file: file, line: line)
    } catch let error as RasterError {
        for fragment in fragments {
            XCTAssertTrue(
                error.description.contains(fragment),
                "'\(error.description)' does not contain '\(fragment)'", file: file, line: line)
        }
    } catch {
        XCTFail("expected a RasterError, got \(error)", file: file, line: line)
    }
}

/// Writes an Esri ASCII grid (no .prj beside it, so GDAL sees no CRS): a raster without a
/// coordinate reference system, for testing that case without external tools.
@discardableResult
public func writeASCIIGridWithoutCRS(
    path: String, width: Int, height: Int, cellSize: Double = 100, nodata: Double = -9999, value: (Int, Int) -> Float
) throws -> String {
    var text =
        "ncols \(width)\nnrows \(height)\nxllcorner 0\nyllcorner 0\ncellsize \(cellSize)\nNODATA_value \(nodata)\n"
    for row in 0..<height {
        text += (0..<width).map { String(value($0, row)) }.joined(separator: " ") + "\n"
    }
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// A client program a test drives (GDAL's tools, QGIS, Chromium) is missing: a skip on a developer's
/// machine, a failure under `make test` (`SOCMAP_REQUIRE_CLIENTS`, set by the Makefile, which installs
/// every client) and in CI (`CI`), so a check that must run there never silently skips.
public func missingClient(_ message: String, file: StaticString = #filePath, line: UInt = #line) -> XCTSkip {
    let environment = ProcessInfo.processInfo.environment
    if environment["SOCMAP_REQUIRE_CLIENTS"] != nil || environment["CI"] != nil {
        XCTFail(message + ": under `make test` and in CI this check must run", file: file, line: line)
    }
    return XCTSkip(message)
}
