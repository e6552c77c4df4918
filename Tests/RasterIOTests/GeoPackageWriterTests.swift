import Foundation
import TestSupport
import XCTest

@testable import RasterIO

/// Point layers written with OGR's GeoPackage driver, read back with GDAL's ogrinfo.
final class GeoPackageWriterTests: XCTestCase {
    let fields = [VectorField("site", .string), VectorField("fold", .integer), VectorField("value", .real)]

    func write(_ path: String) throws {
        let writer = try GeoPackageWriter(path: path, crs: try CRS(epsg: 28355))
        try writer.addLayer(
            name: "first", fields: fields,
            features: [
                PointFeature(x: 500_050, y: 6_000_050, values: [.string("A1"), .integer(3), .real(1.25)]),
                PointFeature(x: 500_150, y: 6_000_250, values: [.string("B2"), .null, .real(.nan)])
            ])
        try writer.addLayer(name: "second", fields: fields, features: [])
        try writer.finish()
        try writer.finish()  // idempotent
    }

    func testLayers_readBackWithTheirFieldsPointsAndNulls() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("sites.gpkg")
        try write(path)
        let summary = try XCTUnwrap(runTool("ogrinfo", ["-so", path]))
        XCTAssertTrue(summary.contains("1: first (Point)") && summary.contains("2: second (Point)"), summary)
        let all = try XCTUnwrap(runTool("ogrinfo", ["-al", "-q", path, "first"]))
        XCTAssertTrue(all.contains("site (String) = A1"), all)
        XCTAssertTrue(all.contains("fold (Integer64) = 3"), all)
        XCTAssertTrue(all.contains("value (Real) = 1.25"), all)
        XCTAssertTrue(all.contains("POINT (500050 6000050)"), all)
        XCTAssertTrue(
            all.contains("fold (Integer64) = (null)") && all.contains("value (Real) = (null)"),
            "NaN and .null are NULL: \(all)")
        XCTAssertTrue(try XCTUnwrap(runTool("ogrinfo", ["-so", path, "first"])).contains("28355"), "the layer's CRS")
        // No temporary file is left beside it.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".") }, [])
    }

    func testSameLayers_giveTheSameBytes() throws {
        let dir = try TemporaryDirectory()
        try write(dir.file("a.gpkg"))
        Thread.sleep(forTimeInterval: 1.1)
        try write(dir.file("b.gpkg"))
        XCTAssertEqual(
            FileManager.default.contents(atPath: dir.file("a.gpkg")),
            FileManager.default.contents(atPath: dir.file("b.gpkg")), "timestamps are fixed")
    }

    func testAbort_leavesNothingAndAMissingFolderIsAnError() throws {
        let dir = try TemporaryDirectory()
        let writer = try GeoPackageWriter(path: dir.file("x.gpkg"), crs: try CRS(epsg: 4326))
        try writer.addLayer(name: "l", fields: fields, features: [])
        writer.abort()
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [])
        XCTAssertThrowsError(try writer.addLayer(name: "m", fields: fields, features: []))
        assertRasterError(
            try GeoPackageWriter(path: dir.file("missing/x.gpkg"), crs: try CRS(epsg: 4326)),
            contains: ["missing", "does not exist"])
    }
}
