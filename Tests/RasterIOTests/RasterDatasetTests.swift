import Foundation
import Randomness
import RasterIO
import TestSupport
import XCTest

final class RasterDatasetTests: XCTestCase {
    func testRead_windowExtendingOutsideGivesInvalidCells() throws {
        let dir = try TemporaryDirectory()
        let grid = try makeTestGrid(width: 6, height: 4)
        let path = try writeTestGeoTIFF(path: dir.file("v.tif"), grid: grid, nodata: -1) { col, row in
            (col == 2 && row == 1) ? -1 : Float(row * 10 + col)
        }
        let dataset = try RasterDataset(path: path)
        XCTAssertEqual(dataset.width, 6)
        XCTAssertEqual(dataset.height, 4)
        XCTAssertEqual(dataset.bandCount, 1)
        let block = try dataset.read(band: 1, window: PixelWindow(col: -2, row: -1, width: 5, height: 3))
        // Rows -1..1, cols -2..2: only cols 0..2 of rows 0..1 are inside; (2, 1) is nodata.
        XCTAssertEqual(
            block.valid,
            [
                false, false, false, false, false,
                false, false, true, true, true,
                false, false, true, true, false
            ])
        XCTAssertEqual(block.value(col: 2, row: 1), 0)
        XCTAssertEqual(block.value(col: 4, row: 1), 2)
        XCTAssertEqual(block.value(col: 3, row: 2), 11)
        XCTAssertNil(block.value(col: 4, row: 2))
        XCTAssertTrue(block.values[0].isNaN)
        let away = try dataset.read(band: 1, window: PixelWindow(col: 50, row: 50, width: 2, height: 2))
        XCTAssertEqual(away.validCount, 0)
    }

    func testRead_nanIsInvalidEvenWithoutNodata() throws {
        let dir = try TemporaryDirectory()
        let grid = try makeTestGrid(width: 2, height: 1)
        let path = try writeTestGeoTIFF(path: dir.file("n.tif"), grid: grid) { col, _ in col == 0 ? .nan : 5 }
        let dataset = try RasterDataset(path: path)
        XCTAssertNil(try dataset.band(1).nodata)
        XCTAssertEqual(try dataset.read(band: 1, window: grid.fullWindow).valid, [false, true])
    }

    func testOpen_missingFileSaysSoPlainly() {
        assertRasterError(
            try RasterDataset(path: "/nonexistent/covs/dem.tif"),
            contains: ["'/nonexistent/covs/dem.tif'", "does not exist"])
    }

    func testOpen_corruptFileGivesGDALMessageAndPath() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("random.tif")
        var rng = SplitMix64(seed: 42)
        let bytes = (0..<4096).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        do {
            _ = try RasterDataset(path: path)
            XCTFail("random bytes opened as a raster")
        } catch let error as RasterError {
            XCTAssertTrue(error.description.contains("cannot open raster '\(path)'"), error.description)
            XCTAssertEqual(error.path, path)
            XCTAssertNotNil(error.gdalMessage, "GDAL's own message is carried")
        }
        let truncated = dir.file("truncated.tif")
        let grid = try makeTestGrid(width: 64, height: 64)
        try writeTestGeoTIFF(path: dir.file("good.tif"), grid: grid) { c, r in Float(c * r) }
        let good = try Data(contentsOf: URL(fileURLWithPath: dir.file("good.tif")))
        try good.prefix(good.count / 2).write(to: URL(fileURLWithPath: truncated))
        do {
            let dataset = try RasterDataset(path: truncated)
            _ = try dataset.read(band: 1, window: grid.fullWindow)
            XCTFail("a truncated raster read without error")
        } catch let error as RasterError {
            XCTAssertTrue(error.description.contains(truncated), error.description)
        }
    }

    func testGrid_rasterWithoutCRSNamesPathAndFix() throws {
        let dir = try TemporaryDirectory()
        let path = try writeASCIIGridWithoutCRS(path: dir.file("nocrs.asc"), width: 4, height: 4) { _, _ in 1 }
        let dataset = try RasterDataset(path: path)
        XCTAssertNil(dataset.crs)
        assertRasterError(
            try dataset.grid(),
            contains: ["raster '\(path)' has no coordinate reference system", "gdal_edit.py -a_srs EPSG:"])
    }

    func testBand_outOfRangeAndUseAfterCloseThrow() throws {
        let dir = try TemporaryDirectory()
        let grid = try makeTestGrid(width: 4, height: 4)
        let path = try writeTestGeoTIFF(path: dir.file("b.tif"), grid: grid) { _, _ in 1 }
        let dataset = try RasterDataset(path: path)
        assertRasterError(try dataset.band(2), contains: ["has 1 band", "band 2 does not exist"])
        dataset.close()
        dataset.close()
        assertRasterError(try dataset.read(band: 1, window: grid.fullWindow), contains: ["after it was closed"])
    }

    func testBand_readsRATFromRealStyleAuxXML() throws {
        let dir = try TemporaryDirectory()
        let grid = try makeTestGrid(width: 4, height: 4)
        let path = try writeTestGeoTIFF(
            path: dir.file("geo.tif"), grid: grid, bands: [Array(repeating: 2, count: 16)],
            nodata: 0, dataType: .uint8)
        // The layout of the Edgeroi PMTGEO5.tif.aux.xml: VALUE (MinMax usage) and CLASS (Name usage).
        let aux = """
            <PAMDataset><PAMRasterBand band="1"><Description>PMTGEO5</Description>
            <GDALRasterAttributeTable tableType="thematic">
            <FieldDefn index="0"><Name>VALUE</Name><Type>0</Type><Usage>5</Usage></FieldDefn>
            <FieldDefn index="1"><Name>CLASS</Name><Type>2</Type><Usage>2</Usage></FieldDefn>
            <Row index="0"><F>1</F><F>Qd</F></Row><Row index="1"><F>2</F><F>Qrs</F></Row>
            <Row index="2"><F>7</F><F>Tv</F></Row>
            </GDALRasterAttributeTable></PAMRasterBand></PAMDataset>
            """
        try aux.write(toFile: path + ".aux.xml", atomically: true, encoding: .utf8)
        let band = try RasterDataset(path: path).band(1)
        XCTAssertEqual(band.description, "PMTGEO5")
        XCTAssertEqual(band.attributeTable, [1: "Qd", 2: "Qrs", 7: "Tv"])
        XCTAssertTrue(band.isCategorical)
        XCTAssertEqual(band.nodata, 0)
    }
}
