import RasterIO
import TestSupport
import XCTest

final class GeometryTests: XCTestCase {
    func testGeoTransform_roundTripsPixelAndWorld() {
        let north = GeoTransform(originX: 700_000, pixelWidth: 250, originY: 6_700_000, pixelHeight: -250)
        let w = north.world(col: 10.5, row: 3.25)
        XCTAssertEqual(w.x, 702_625)
        XCTAssertEqual(w.y, 6_699_187.5)
        let p = north.pixel(x: w.x, y: w.y)
        XCTAssertEqual(p.col, 10.5, accuracy: 1e-9)
        XCTAssertEqual(p.row, 3.25, accuracy: 1e-9)
        let rotated = GeoTransform(coefficients: [100, 2, 0.5, 200, 0.3, -2])
        let r = rotated.pixel(x: rotated.world(col: 7, row: 9).x, y: rotated.world(col: 7, row: 9).y)
        XCTAssertEqual(r.col, 7, accuracy: 1e-9)
        XCTAssertEqual(r.row, 9, accuracy: 1e-9)
        XCTAssertEqual(GeoTransform(coefficients: rotated.coefficients), rotated)
    }

    func testWindow_intersectionClampsAtRasterEdge() {
        let raster = PixelWindow(col: 0, row: 0, width: 100, height: 50)
        let halo = PixelWindow(col: -6, row: 45, width: 13, height: 13)
        XCTAssertEqual(halo.intersection(raster), PixelWindow(col: 0, row: 45, width: 7, height: 5))
        XCTAssertNil(PixelWindow(col: 100, row: 0, width: 5, height: 5).intersection(raster))
        XCTAssertNil(PixelWindow(col: 3, row: 3, width: 0, height: 5).intersection(raster))
        XCTAssertEqual(
            PixelWindow(col: 5, row: 5, width: 2, height: 3).expanded(by: 2),
            PixelWindow(col: 3, row: 3, width: 6, height: 7))
        XCTAssertEqual(PixelWindow(col: 5, row: 5, width: 2, height: 3).expanded(by: -2).cellCount, 0)
        XCTAssertTrue(halo.contains(col: -6, row: 57))
        XCTAssertFalse(halo.contains(col: 7, row: 45))
        XCTAssertTrue(PixelWindow(col: 0, row: 0, width: 0, height: 4).isEmpty)
        XCTAssertEqual(halo.cellCount, 169)
    }

    func testGrid_cellOutsideIsNil() throws {
        let grid = try makeTestGrid(width: 10, height: 5, resolution: 100, originX: 1000, originY: 2000)
        XCTAssertNil(grid.cell(x: 999.9, y: 1990))
        XCTAssertNil(grid.cell(x: 2000, y: 1990), "the east edge belongs to no cell")
        XCTAssertNil(grid.cell(x: 1500, y: 2000.1))
        XCTAssertNil(grid.cell(x: 1500, y: 1500), "the south edge belongs to no cell")
        XCTAssertNil(grid.cell(x: .nan, y: 1990))
        let c = try XCTUnwrap(grid.cell(x: 1000, y: 2000))
        XCTAssertEqual(c.col, 0)
        XCTAssertEqual(c.row, 0)
        let last = try XCTUnwrap(grid.cell(x: 1999.9, y: 1500.1))
        XCTAssertEqual(last.col, 9)
        XCTAssertEqual(last.row, 4)
        let center = grid.cellCenter(col: 9, row: 4)
        XCTAssertEqual(center.x, 1950)
        XCTAssertEqual(center.y, 1550)
        XCTAssertEqual(grid.extent, Extent(minX: 1000, minY: 1500, maxX: 2000, maxY: 2000))
        XCTAssertEqual(grid.resolution.x, 100)
        XCTAssertEqual(grid.resolution.y, 100)
    }

    func testGrid_fromExtentSnapsOutwardToWholeCells() throws {
        let crs = try CRS(epsg: 28355)
        let grid = Grid(crs: crs, extent: Extent(minX: 1010, minY: 2020, maxX: 1290, maxY: 2190), resolution: 100)
        XCTAssertEqual(grid.extent, Extent(minX: 1000, minY: 2000, maxX: 1300, maxY: 2200))
        XCTAssertEqual(grid.width, 3)
        XCTAssertEqual(grid.height, 2)
        let aligned = Grid(crs: crs, extent: Extent(minX: 1000, minY: 2000, maxX: 1300, maxY: 2200), resolution: 100)
        XCTAssertEqual(aligned, grid, "an aligned extent is kept as is")
    }

    func testGrid_tilesCoverGridRowMajorClampedAtEdges() throws {
        let grid = try makeTestGrid(width: 10, height: 7)
        let tiles = grid.tiles(size: 4)
        XCTAssertEqual(tiles.count, 6)
        XCTAssertEqual(tiles[0], PixelWindow(col: 0, row: 0, width: 4, height: 4))
        XCTAssertEqual(tiles[2], PixelWindow(col: 8, row: 0, width: 2, height: 4))
        XCTAssertEqual(tiles[5], PixelWindow(col: 8, row: 4, width: 2, height: 3))
        XCTAssertEqual(tiles.map(\.cellCount).reduce(0, +), grid.cellCount)
    }

    func testGrid_offsetOfAlignedSubgrid() throws {
        let big = try makeTestGrid(width: 20, height: 20, originX: 1000, originY: 5000)
        let small = try makeTestGrid(width: 5, height: 5, originX: 1300, originY: 4800)
        let offset = try XCTUnwrap(big.offset(of: small))
        XCTAssertEqual(offset.col, 3)
        XCTAssertEqual(offset.row, 2)
        XCTAssertNil(big.offset(of: try makeTestGrid(width: 5, height: 5, originX: 1350, originY: 4800)))
        XCTAssertNil(
            big.offset(of: try makeTestGrid(width: 5, height: 5, resolution: 50, originX: 1300, originY: 4800)))
        XCTAssertNil(big.offset(of: try makeTestGrid(width: 20, height: 20, originX: 1000, originY: 5000, epsg: 28356)))
        XCTAssertTrue(big.isAligned(with: big))
    }

    func testRasterError_descriptionIsOneSentenceWithContext() {
        let error = RasterError(
            "cannot read raster 'covs/dem.tif'", path: "covs/dem.tif", band: 2,
            window: PixelWindow(col: 1, row: 2, width: 3, height: 4),
            gdalMessage: "TIFFReadEncodedTile() failed.\n", hint: "Check the file")
        XCTAssertEqual(
            error.description,
            """
            cannot read raster 'covs/dem.tif' (band 2, window at col 1, row 2, 3 x 4 cells): \
            TIFFReadEncodedTile() failed. Check the file.
            """
        )
    }
}
