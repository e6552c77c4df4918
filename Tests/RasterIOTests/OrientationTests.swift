import Foundation
import RasterIO
import TestSupport
import XCTest

/// North-up, south-up and rotated rasters as the reference grid and as covariates; nodata overrides
/// and suspicious nodata sentinels.
final class OrientationTests: XCTestCase {
    /// 12 x 10 cells of 100 m; "elev" has nodata -9999 in its top-left corner.
    private func northUpFixture(
        _ dir: TemporaryDirectory
    ) throws -> (grid: Grid, elev: String, clay: String, coarse: String) {
        let grid = try makeTestGrid(width: 12, height: 10, resolution: 100, originX: 700_000, originY: 6_600_000)
        let elev = try writeTestGeoTIFF(path: dir.file("elev.tif"), grid: grid, nodata: -9999) { c, r in
            c < 2 && r < 2 ? -9999 : Float(100 + 7 * c + 3 * r * r)
        }
        let clay = try writeTestGeoTIFF(path: dir.file("clay.tif"), grid: grid, nodata: -9999) { c, r in
            Float(c * r) + 0.5
        }
        // 200 m cells, shifted one 100 m cell east: warped, not read directly.
        let coarseGrid = try makeTestGrid(width: 6, height: 5, resolution: 200, originX: 700_100, originY: 6_600_000)
        let coarse = try writeTestGeoTIFF(path: dir.file("coarse.tif"), grid: coarseGrid, nodata: -9999) { c, r in
            Float(10 * c + r)
        }
        return (grid, elev, clay, coarse)
    }

    func testGrid_northUpOfASouthUpGridHasTheSameCellsAndExtent() throws {
        let north = try makeTestGrid(width: 5, height: 4, resolution: 100)
        let south = Grid(
            crs: north.crs,
            transform: GeoTransform(originX: 750_000, pixelWidth: 100, originY: 6_649_600, pixelHeight: 100),
            width: 5, height: 4)
        XCTAssertFalse(south.transform.isNorthUp)
        XCTAssertTrue(south.transform.isAxisAligned)
        XCTAssertEqual(south.extent, north.extent)
        XCTAssertEqual(south.northUp, north)
        XCTAssertEqual(north.northUp, north)
        // Row 0 of the south-up grid is the southernmost row.
        XCTAssertEqual(south.cell(x: 750_050, y: 6_649_650)!.row, 0)
        XCTAssertEqual(north.cell(x: 750_050, y: 6_649_650)!.row, 3)
        let rotated = Grid(
            crs: north.crs, transform: GeoTransform(coefficients: [750_000, 100, 10, 6_650_000, 10, -100]),
            width: 5, height: 4)
        XCTAssertNil(rotated.northUp)
    }

    func testSouthUpReferenceGridAndCovariates_readWhatGDALReadsAtEveryCell() throws {
        let dir = try TemporaryDirectory()
        let f = try northUpFixture(dir)
        let elevS = try writeSouthUpCopy(of: f.elev, to: dir.file("elev_s.tif"))
        let coarseS = try writeSouthUpCopy(of: f.coarse, to: dir.file("coarse_s.tif"))
        XCTAssertGreaterThan(try RasterDataset(path: elevS).transform.pixelHeight, 0, "the fixture is south-up")
        XCTAssertEqual(
            gdalLocationValues(elevS, at: [(700_050, 6_599_950)]).first!, -9999, "GDAL reads the flipped copy north-up")

        let stack = try CovariateStack(
            specs: [
                CovariateSpec(name: "elev", path: elevS), CovariateSpec(name: "clay", path: f.clay),
                CovariateSpec(name: "coarse", path: coarseS)
            ],
            reference: .raster(path: elevS))
        XCTAssertEqual(stack.grid, f.grid, "a south-up grid raster defines the north-up grid with the same cells")
        XCTAssertTrue(stack.grid.transform.isNorthUp)

        var points: [(x: Double, y: Double)] = []
        for r in 0..<f.grid.height { for c in 0..<f.grid.width { points.append(f.grid.cellCenter(col: c, row: r)) } }
        for (k, path) in [(0, elevS), (1, f.clay)] {
            let expected = gdalLocationValues(path, at: points)
            let block = try stack.readRaw(covariate: k, window: f.grid.fullWindow)
            for (i, value) in expected.enumerated() {
                let gdal = value == -9999 ? nil : value
                XCTAssertEqual(
                    block.value(col: i % f.grid.width, row: i / f.grid.width).map(Double.init), gdal,
                    "\(path) at \(points[i])")
            }
        }
        XCTAssertEqual(stack.covariates[0].validCells, 12 * 10 - 4)
        XCTAssertEqual(stack.covariates[0].sourceResolutionY, 100)

        // The warped south-up covariate equals the warped north-up original, cell for cell.
        let reference = try CovariateStack(
            specs: [CovariateSpec(name: "coarse", path: f.coarse)], reference: .raster(path: f.elev))
        let warpedSouth = try stack.readRaw(covariate: 2, window: f.grid.fullWindow)
        let warpedNorth = try reference.readRaw(covariate: 0, window: f.grid.fullWindow)
        XCTAssertEqual(warpedSouth.valid, warpedNorth.valid)
        for i in warpedSouth.values.indices where warpedNorth.valid[i] {
            XCTAssertEqual(warpedSouth.values[i], warpedNorth.values[i], accuracy: 1e-4)
        }
        // And nearest-neighbour warping of the south-up raster reads GDAL's value at each cell centre.
        let nearest = try WarpedRaster(path: coarseS, onto: f.grid, resampling: .nearest)
        XCTAssertFalse(nearest.isDirect)
        let block = try nearest.read(band: 1, window: f.grid.fullWindow)
        for (i, value) in gdalLocationValues(coarseS, at: points).enumerated() {
            XCTAssertEqual(
                block.value(col: i % f.grid.width, row: i / f.grid.width).map(Double.init), value, "\(points[i])")
        }
    }

    func testSouthUpSourceOnTheGrid_isReadDirectlyWithAWindowPartlyOutside() throws {
        let dir = try TemporaryDirectory()
        let f = try northUpFixture(dir)
        let clayS = try writeSouthUpCopy(of: f.clay, to: dir.file("clay_s.tif"))
        let direct = try WarpedRaster(path: clayS, onto: f.grid, resampling: .bilinear)
        XCTAssertTrue(direct.isDirect)
        let window = PixelWindow(col: -2, row: 7, width: 5, height: 5)
        let a = try direct.read(band: 1, window: window)
        let b = try WarpedRaster(path: f.clay, onto: f.grid, resampling: .bilinear).read(band: 1, window: window)
        XCTAssertEqual(a.valid, b.valid)
        XCTAssertEqual(a.values.map { $0.isNaN ? -1 : $0 }, b.values.map { $0.isNaN ? -1 : $0 })
    }

    func testRotatedGridOrCovariate_isRefusedNamingTheFileAndGdalwarp() throws {
        let dir = try TemporaryDirectory()
        let f = try northUpFixture(dir)
        let rotated = try writeRotatedCopy(of: f.clay, to: dir.file("rotated.tif"))
        let fragments = ["rotated.tif", "rotated or sheared", "gdalwarp"]
        assertRasterError(
            try CovariateStack(specs: [CovariateSpec(name: "clay", path: f.clay)], reference: .raster(path: rotated)),
            contains: fragments)
        assertRasterError(
            try CovariateStack(specs: [CovariateSpec(name: "r", path: rotated)], reference: .raster(path: f.elev)),
            contains: fragments)
        assertRasterError(
            try CovariateStack.check(
                specs: [CovariateSpec(name: "r", path: rotated)], reference: .raster(path: f.elev)),
            contains: fragments)
        assertRasterError(try WarpedRaster(path: rotated, onto: f.grid, resampling: .nearest), contains: fragments)
    }

    func testCheck_findsMissingBandsDuplicateNamesAndUnrelatableCRSsWithoutReading() throws {
        let dir = try TemporaryDirectory()
        let f = try northUpFixture(dir)
        let checked = try CovariateStack.check(
            specs: [CovariateSpec(name: "elev", path: f.elev), CovariateSpec(name: "c", path: f.coarse)],
            reference: .raster(path: f.elev))
        XCTAssertEqual(checked.covariateNames, ["elev", "c"])
        XCTAssertEqual(checked.grid, f.grid)
        assertRasterError(
            try CovariateStack.check(
                specs: [CovariateSpec(name: "e", path: f.elev, band: 2)], reference: .raster(path: f.elev)),
            contains: ["elev.tif", "has 1 band", "band 2 does not exist"])
        try FileManager.default.createDirectory(atPath: dir.file("other"), withIntermediateDirectories: true)
        let twin = try writeTestGeoTIFF(path: dir.file("other/elev.tif"), grid: f.grid) { c, _ in Float(c) }
        assertRasterError(
            try CovariateStack.check(
                specs: [CovariateSpec(name: "elev", path: f.elev), CovariateSpec(name: "elev", path: twin)],
                reference: .raster(path: f.elev)),
            contains: ["'elev' is used twice", f.elev, twin, "name:"])
        let local = try CRS(wkt: #"LOCAL_CS["site grid",UNIT["metre",1],AXIS["Easting",EAST],AXIS["Northing",NORTH]]"#)
        let localGrid = Grid(
            crs: local, transform: GeoTransform(originX: 0, pixelWidth: 1, originY: 10, pixelHeight: -1),
            width: 10, height: 10)
        let plot = try writeTestGeoTIFF(path: dir.file("plot.tif"), grid: localGrid) { _, _ in 1 }
        assertRasterError(
            try CovariateStack.check(specs: [CovariateSpec(name: "p", path: plot)], reference: .raster(path: f.elev)),
            contains: ["plot.tif", "site grid", "GDA94 / MGA zone 55", "cannot be transformed"])
    }

    func testNodataSentinel_isSuspectedWithoutNodataAndTheOverrideMakesItNodata() throws {
        let dir = try TemporaryDirectory()
        let f = try northUpFixture(dir)
        // No nodata value; the "sea" (columns 0-3) is -9999.
        let sea = try writeTestGeoTIFF(path: dir.file("sea.tif"), grid: f.grid) { c, r in c < 4 ? -9999 : Float(c + r) }
        let plain = try CovariateStack(specs: [CovariateSpec(name: "sea", path: sea)], reference: .raster(path: f.elev))
        XCTAssertEqual(plain.covariates[0].min, -9999)
        XCTAssertEqual(plain.covariates[0].suspectNodata, -9999)
        XCTAssertEqual(plain.covariates[0].validCells, 120)

        let fixed = try CovariateStack(
            specs: [CovariateSpec(name: "sea", path: sea, nodata: -9999)], reference: .raster(path: f.elev))
        let c = fixed.covariates[0]
        XCTAssertNil(c.suspectNodata)
        XCTAssertNil(c.sourceNodata)
        XCTAssertEqual(c.nodataOverride, -9999)
        XCTAssertEqual(c.nodata, -9999)
        XCTAssertEqual(c.min, 4)
        XCTAssertEqual(c.validCells, 80)
        let block = try fixed.readScaled(window: PixelWindow(col: 2, row: 0, width: 4, height: 1))
        XCTAssertEqual(block.valid, [false, false, true, true])

        // The override also holds through a warp (the coarse grid is not on the reference grid).
        let coarseGrid = try makeTestGrid(width: 6, height: 5, resolution: 200, originX: 700_100, originY: 6_600_000)
        let coarseSea = try writeTestGeoTIFF(path: dir.file("coarse_sea.tif"), grid: coarseGrid) { c, r in
            c < 2 ? -9999 : Float(c + r)
        }
        let warped = try CovariateStack(
            specs: [CovariateSpec(name: "s", path: coarseSea, nodata: -9999)], reference: .raster(path: f.elev))
        XCTAssertGreaterThanOrEqual(warped.covariates[0].min, 2)
        XCTAssertNil(warped.covariates[0].suspectNodata)
        let unfixed = try CovariateStack(
            specs: [CovariateSpec(name: "s", path: coarseSea)], reference: .raster(path: f.elev))
        XCTAssertEqual(unfixed.covariates[0].suspectNodata, -9999)

        // A band with a nodata value is never suspected, whatever its range.
        XCTAssertNil(
            try CovariateStack(specs: [CovariateSpec(name: "e", path: f.elev)], reference: .raster(path: f.elev))
                .covariates[0].suspectNodata)
    }

    func testNodataSentinel_values() {
        XCTAssertEqual(NodataSentinel.suspect(minimum: -9999, maximum: 10, dataType: .float32), -9999)
        XCTAssertEqual(NodataSentinel.suspect(minimum: -32768, maximum: 10, dataType: .int16), -32768)
        XCTAssertEqual(
            NodataSentinel.suspect(minimum: -3.4028234663852886e38, maximum: 1, dataType: .float32),
            -3.4028234663852886e38)
        XCTAssertEqual(NodataSentinel.suspect(minimum: 0, maximum: 65535, dataType: .uint16), 65535)
        XCTAssertNil(NodataSentinel.suspect(minimum: 0, maximum: 255, dataType: .uint8))
        XCTAssertNil(NodataSentinel.suspect(minimum: 0, maximum: 65535, dataType: .float32))
        XCTAssertNil(NodataSentinel.suspect(minimum: -9998.5, maximum: 10, dataType: .float32))
    }
}
