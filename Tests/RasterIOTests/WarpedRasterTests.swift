import Foundation
import RasterIO
import TestSupport
import XCTest

final class WarpedRasterTests: XCTestCase {
    /// A lon/lat raster around Edgeroi (0.01 degree cells) with a nodata hole.
    private func writeLonLatFixture(_ dir: TemporaryDirectory) throws -> String {
        let grid = Grid(
            crs: try CRS(epsg: 4326),
            transform: GeoTransform(originX: 149.6, pixelWidth: 0.01, originY: -30.0, pixelHeight: -0.01),
            width: 50, height: 40)
        return try writeTestGeoTIFF(path: dir.file("lonlat.tif"), grid: grid, nodata: -9999) { col, row in
            (10...13).contains(col) && (5...8).contains(row) ? -9999 : Float(col * 3 + row * row) / 7
        }
    }

    func testWarp_lonLatOntoProjectedGridAgreesWithGdalwarp() throws {
        let dir = try TemporaryDirectory()
        let source = try writeLonLatFixture(dir)
        let target = try makeTestGrid(width: 60, height: 50, resolution: 500, originX: 745_000, originY: 6_680_000)
        let e = target.extent
        guard
            runTool(
                "gdalwarp",
                [
                    "-q", "-t_srs", "EPSG:28355", "-te", "\(e.minX)", "\(e.minY)", "\(e.maxX)", "\(e.maxY)",
                    "-ts", "60", "50", "-r", "bilinear", "-ot", "Float32", "-dstnodata", "-9999",
                    source, dir.file("reference.tif")
                ]) != nil, FileManager.default.fileExists(atPath: dir.file("reference.tif"))
        else {
            throw missingClient("gdalwarp is not installed (apt-get install gdal-bin)")
        }
        let reference = try RasterDataset(path: dir.file("reference.tif"))
        XCTAssertEqual(try reference.grid(), target)
        let expected = try reference.read(band: 1, window: target.fullWindow)

        let view = try WarpedRaster(path: source, onto: target, resampling: .bilinear)
        XCTAssertFalse(view.isDirect)
        XCTAssertEqual(view.grid, target)
        XCTAssertEqual(try view.band(1).nodata, -9999)
        let whole = try view.read(band: 1, window: target.fullWindow)
        XCTAssertEqual(whole.valid, expected.valid)
        XCTAssertGreaterThan(whole.validCount, 500)
        XCTAssertLessThan(whole.validCount, target.cellCount, "the hole and the area outside the source are invalid")
        for i in 0..<target.cellCount where expected.valid[i] {
            XCTAssertEqual(whole.values[i], expected.values[i], accuracy: 1e-4, "cell \(i)")
        }
        // A window read alone gives the same values as the same cells of the whole read.
        let window = PixelWindow(col: 17, row: 9, width: 11, height: 7)
        let part = try view.read(band: 1, window: window)
        for r in 0..<window.height {
            for c in 0..<window.width {
                let i = (window.row + r) * target.width + window.col + c
                XCTAssertEqual(part.valid[r * window.width + c], whole.valid[i])
                if whole.valid[i] { XCTAssertEqual(part.values[r * window.width + c], whole.values[i], accuracy: 1e-5) }
            }
        }
    }

    func testWarp_windowOutsideGridIsInvalid() throws {
        let dir = try TemporaryDirectory()
        let source = try writeLonLatFixture(dir)
        let target = try makeTestGrid(width: 20, height: 20, resolution: 500, originX: 760_000, originY: 6_670_000)
        let view = try WarpedRaster(path: source, onto: target, resampling: .nearest)
        let block = try view.read(band: 1, window: PixelWindow(col: -3, row: 18, width: 6, height: 4))
        XCTAssertEqual(block.window, PixelWindow(col: -3, row: 18, width: 6, height: 4))
        for r in 0..<4 {
            for c in 0..<6 {
                let inside = c >= 3 && r < 2
                if !inside { XCTAssertFalse(block.valid[r * 6 + c], "(\(c), \(r)) is outside the grid") }
            }
        }
        XCTAssertGreaterThan(block.validCount, 0)
    }

    func testWarp_alignedSourceIsReadDirectlyWithOffset() throws {
        let dir = try TemporaryDirectory()
        let sourceGrid = try makeTestGrid(width: 10, height: 8, resolution: 100, originX: 1_000, originY: 9_000)
        let path = try writeTestGeoTIFF(path: dir.file("s.tif"), grid: sourceGrid, nodata: -1) { c, r in
            Float(r * 100 + c)
        }
        // The target starts 2 cells west and 1 cell south of the source's corner.
        let target = try makeTestGrid(width: 6, height: 5, resolution: 100, originX: 800, originY: 8_900)
        let view = try WarpedRaster(path: path, onto: target, resampling: .bilinear)
        XCTAssertTrue(view.isDirect)
        let block = try view.read(band: 1, window: PixelWindow(col: 0, row: 0, width: 7, height: 1))
        XCTAssertEqual(
            block.valid, [false, false, true, true, true, true, false], "last cell is outside the target grid")
        XCTAssertEqual(block.values[2], 100)
        XCTAssertEqual(block.values[5], 103)
    }

    func testWarp_sourceWithoutCRSIsAClearError() throws {
        let dir = try TemporaryDirectory()
        let grid = try makeTestGrid(width: 4, height: 4)
        let path = try writeASCIIGridWithoutCRS(path: dir.file("nocrs.asc"), width: 4, height: 4) { _, _ in 1 }
        assertRasterError(
            try WarpedRaster(path: path, onto: grid, resampling: .nearest),
            contains: ["nocrs.asc", "no coordinate reference system"])
    }

    func testWarp_unrelatableCRSIsAClearError() throws {
        let dir = try TemporaryDirectory()
        let local = try CRS(wkt: #"LOCAL_CS["site grid",UNIT["metre",1],AXIS["Easting",EAST],AXIS["Northing",NORTH]]"#)
        let grid = Grid(
            crs: local, transform: GeoTransform(originX: 0, pixelWidth: 1, originY: 10, pixelHeight: -1),
            width: 10, height: 10)
        let path = try writeTestGeoTIFF(path: dir.file("local.tif"), grid: grid) { _, _ in 1 }
        let target = try makeTestGrid(width: 4, height: 4)
        assertRasterError(
            try WarpedRaster(path: path, onto: target, resampling: .nearest),
            contains: ["cannot warp raster '\(path)'"])
    }
}
