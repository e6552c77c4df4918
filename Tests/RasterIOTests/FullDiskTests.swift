import Foundation
import RasterIO
import TestSupport
import XCTest

/// Rasters written onto a full disk (a tmpfs of a few KiB): the error gives the system's reason, "No space
/// left on device", and names the file being written; no part of it is left in the folder.
final class FullDiskTests: XCTestCase {
    /// 512 x 512 Float32 cells of noise, which DEFLATE cannot shrink much: about 1 MiB on disk.
    func noise(_ grid: Grid) -> [Float] {
        var state: UInt32 = 12345
        return (0..<grid.cellCount).map { _ in
            state = state &* 1_664_525 &+ 1_013_904_223
            return Float(state >> 8) / Float(1 << 24)
        }
    }

    func assertFullDiskError(_ error: Error, naming path: String, line: UInt = #line) {
        let message = "\(error)"
        XCTAssertTrue(message.contains("No space left on device"), message, line: line)
        XCTAssertTrue(message.contains(path), "'\(path)' not in: \(message)", line: line)
    }

    func testGeoTIFFWriter_onAFullDisk_saysNoSpaceNamesTheFileAndLeavesNothing() throws {
        let disk = try SmallDisk(kibibytes: 128)
        defer { disk.unmount() }
        let grid = try makeTestGrid(width: 512, height: 512)
        let path = disk.file("soc_0-5cm.tif")
        XCTAssertThrowsError(
            try {
                let writer = try GeoTIFFWriter(path: path, grid: grid, bandCount: 1, nodata: -9999)
                try writer.write(band: 1, window: grid.fullWindow, values: noise(grid))
                try writer.finish()
            }()
        ) { assertFullDiskError($0, naming: path) }
        XCTAssertEqual(disk.folder.contents(), [], "no partial file left")
    }

    func testCOGWrite_onAFullDisk_saysNoSpaceNamesTheFileAndLeavesNothing() throws {
        let dir = try TemporaryDirectory()
        let grid = try makeTestGrid(width: 512, height: 512)
        let source = dir.file("source.tif")
        try writeTestGeoTIFF(path: source, grid: grid, bands: [noise(grid)], nodata: -9999)
        let disk = try SmallDisk(kibibytes: 128)
        defer { disk.unmount() }
        let path = disk.file("soc_0-5cm.tif")
        XCTAssertThrowsError(try COG.write(from: source, to: path)) { assertFullDiskError($0, naming: path) }
        XCTAssertEqual(disk.folder.contents(), [], "no partial file left")
    }
}
