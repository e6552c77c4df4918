import Foundation
import RasterIO
import TestSupport
import XCTest

@testable import SampleData

/// `SampleTruth` (the noise-free truth of the sample on its main grid) and its comparison with maps,
/// on the small case (100 km cells).
final class SampleTruthTests: XCTestCase {
    static let small = SampleDataOptions(seed: 2025, resolution: 100_000, siteCount: 200)

    func testTruth_isTheREADMEFunctionOfTheWrittenCovariatesAtEveryLandCell() throws {
        let dir = try TemporaryDirectory(prefix: "socmap-SampleTruthTests")
        try generateSampleData(into: dir.path, options: Self.small)
        let truth = try SampleTruth(options: Self.small)
        var layers: [String: RasterBlock] = [:]
        for name in ["ndvi", "temperature", "aridity", "elevation", "clay", "soil_type"] {
            let raster = try RasterDataset(path: dir.file("covariates/\(name).tif"))
            let grid = try raster.grid()
            XCTAssertTrue(grid.isAligned(with: truth.grid), "\(name) is on the truth's grid")
            layers[name] = try raster.read(band: 1, window: grid.fullWindow)
        }
        let expected = truth.expected(top: 5, bottom: 15)
        var compared = 0
        for cell in 0..<truth.grid.cellCount {
            let values = layers.mapValues { $0.valid[cell] ? Double($0.values[cell]) : nil }
            guard let t = expected[cell] else {
                XCTAssertNil(values["ndvi"]!, "cell \(cell): no truth where the covariates have land")
                continue
            }
            var s = SurfaceSample()
            s.ndvi = try XCTUnwrap(values["ndvi"]!)
            s.temperature = try XCTUnwrap(values["temperature"]!)
            s.aridity = try XCTUnwrap(values["aridity"]!)
            s.elevation = try XCTUnwrap(values["elevation"]!)
            s.clay = try XCTUnwrap(values["clay"]!)
            s.soilType = try XCTUnwrap(SoilType(rawValue: UInt8(try XCTUnwrap(values["soil_type"]!))))
            // The rasters hold the inputs rounded to their decimals, so agree to about a percent.
            XCTAssertEqual(SOCTruth.mean(SOCTruth.Inputs(s), top: 5, bottom: 15), t, accuracy: 0.01 * t, "cell \(cell)")
            compared += 1
        }
        XCTAssertGreaterThan(compared, 500)
    }

    /// Writes a one-band Float32 map on `grid`, nodata -9999 where `values` is nil.
    private func writeMap(_ path: String, grid: Grid, _ values: [Double?]) throws {
        let writer = try GeoTIFFWriter(path: path, grid: grid, bandCount: 1, nodata: -9999)
        try writer.write(band: 1, window: grid.fullWindow, values: values.map { $0.map(Float.init) ?? -9999 })
        try writer.finish()
    }

    func testCompare_countsTheCellsWhoseTruthLiesInTheBand() throws {
        let dir = try TemporaryDirectory(prefix: "socmap-SampleTruthTests")
        let truth = try SampleTruth(options: Self.small)
        let t = truth.expected(top: 0, bottom: 5)
        // Map = truth; bounds truth ± 1 on the western half, truth + 1 ... truth + 3 (above it) on the eastern half.
        let east = (0..<t.count).map { $0 % truth.grid.width >= truth.grid.width / 2 }
        try writeMap(dir.file("m.tif"), grid: truth.grid, t)
        try writeMap(dir.file("lo.tif"), grid: truth.grid, zip(t, east).map { v, e in v.map { e ? $0 + 1 : $0 - 1 } })
        try writeMap(dir.file("hi.tif"), grid: truth.grid, zip(t, east).map { v, e in v.map { e ? $0 + 3 : $0 + 1 } })
        let files = TruthComparisonFiles(
            depth: "0-5cm", top: 0, bottom: 5, map: dir.file("m.tif"),
            lower: dir.file("lo.tif"), upper: dir.file("hi.tif"))
        let score = try XCTUnwrap(try truth.compare([files], seed: 7, tileSize: 16).first)
        let land = zip(t, east).filter { $0.0 != nil }
        let inside = land.filter { !$0.1 }.count
        XCTAssertEqual(score.cells, land.count)
        XCTAssertEqual(score.truthInBand, Double(inside) / Double(land.count), accuracy: 1e-12)
        XCTAssertEqual(score.rmse, 0, accuracy: 1e-4, "the map is the truth (Float32)")
        XCTAssertEqual(score.meanWidth, 2, accuracy: 1e-4)
        // Observations scatter by sigma = 0.45 in log: few fall within ± 1 g/kg, and the draws do not depend on tiles.
        XCTAssertLessThan(score.observationInBand, score.truthInBand)
        XCTAssertGreaterThan(score.observationInBand, 0)
        // A band of constant width holds the multiplicative noise where the truth is low, not where it is high.
        XCTAssertEqual(score.observationInBandByFifth.count, 5)
        XCTAssertGreaterThan(score.observationInBandByFifth[0], score.observationInBandByFifth[4] + 0.1)
        XCTAssertEqual(
            score.observationInBandByFifth.reduce(0, +) / 5, score.observationInBand, accuracy: 0.05,
            "fifths of about equal size")
        let again = try XCTUnwrap(try truth.compare([files], seed: 7, tileSize: 512).first)
        XCTAssertEqual(again, score)
        let otherSeed = try XCTUnwrap(try truth.compare([files], seed: 8).first)
        XCTAssertEqual(otherSeed.truthInBand, score.truthInBand)
        XCTAssertNotEqual(otherSeed.observationInBand, score.observationInBand)
    }

    func testCompare_refusesAMapOnAnotherGridNamingIt() throws {
        let dir = try TemporaryDirectory(prefix: "socmap-SampleTruthTests")
        let truth = try SampleTruth(options: Self.small)
        let other = Grid(crs: truth.grid.crs, extent: truth.grid.extent, resolution: 200_000)
        try writeMap(dir.file("m.tif"), grid: other, Array(repeating: 1, count: other.cellCount))
        let files = TruthComparisonFiles(
            depth: "0-5cm", top: 0, bottom: 5, map: dir.file("m.tif"),
            lower: dir.file("m.tif"), upper: dir.file("m.tif"))
        XCTAssertThrowsError(try truth.compare([files], seed: 1)) { error in
            XCTAssertTrue("\(error)".contains(dir.file("m.tif")), "\(error)")
            XCTAssertTrue("\(error)".contains("not on the sample's main grid"), "\(error)")
        }
    }
}
