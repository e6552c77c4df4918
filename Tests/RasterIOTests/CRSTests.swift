import RasterIO
import TestSupport
import XCTest

final class CRSTests: XCTestCase {
    func testCRS_fromEPSG() throws {
        let crs = try CRS(epsg: 28355)
        XCTAssertEqual(crs.epsg, 28355)
        XCTAssertEqual(crs.name, "GDA94 / MGA zone 55")
        XCTAssertFalse(crs.isGeographic)
        XCTAssertTrue(crs.projString?.contains("+proj=utm") ?? false)
        XCTAssertTrue(try CRS(epsg: 4326).isGeographic)
    }

    func testCRS_fromUserInputWKTAndPROJAgree() throws {
        let byCode = try CRS("epsg:28355")
        let byWKT = try CRS(wkt: byCode.wkt)
        XCTAssertEqual(byWKT, byCode)
        XCTAssertEqual(byWKT.epsg, 28355)
        let byProj = try CRS(proj: "+proj=utm +zone=55 +south +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs")
        XCTAssertFalse(byProj.isGeographic)
        XCTAssertEqual(try CRS("+proj=longlat +datum=WGS84 +no_defs").isGeographic, true)
        XCTAssertNotEqual(try CRS(epsg: 28355), try CRS(epsg: 28356))
        XCTAssertEqual(try CRS("EPSG:4326"), try CRS(epsg: 4326))
    }

    func testCRS_badInputIsAClearError() {
        assertRasterError(try CRS("EPSG:999999"), contains: ["invalid CRS", "EPSG:999999"])
        assertRasterError(try CRS("not a crs"), contains: ["invalid CRS", "not a crs"])
        assertRasterError(try CRS(""), contains: ["invalid CRS"])
        assertRasterError(try CRS(wkt: "PROJCS[broken"), contains: ["invalid CRS"])
        assertRasterError(try CRS(proj: "+proj=nonsense"), contains: ["invalid CRS", "+proj=nonsense"])
        assertRasterError(try CRS(epsg: -5), contains: ["invalid CRS", "EPSG:-5"])
    }

    func testTransformer_lonLatToMGA55MatchesCs2cs() throws {
        // Reference: echo "149.8 -30.3" | cs2cs EPSG:4326 EPSG:28355 -f %.4f  ->  769290.5579 6644649.9967
        // (PROJ 9.1.1; gdaltransform -s_srs EPSG:4326 -t_srs EPSG:28355 -output_xy gives the same).
        let transformer = try CoordinateTransformer(from: try CRS(epsg: 4326), to: try CRS(epsg: 28355))
        let p = try transformer.transform(x: 149.8, y: -30.3)
        XCTAssertEqual(p.x, 769290.5579, accuracy: 0.01)
        XCTAssertEqual(p.y, 6644649.9967, accuracy: 0.01)
        let back = try CoordinateTransformer(from: try CRS(epsg: 28355), to: try CRS(epsg: 4326))
        let q = try back.transform(x: p.x, y: p.y)
        XCTAssertEqual(q.x, 149.8, accuracy: 1e-8)
        XCTAssertEqual(q.y, -30.3, accuracy: 1e-8)
    }

    func testTransformer_batchGivesNilForUntransformablePoints() throws {
        let transformer = try CoordinateTransformer(from: try CRS(epsg: 4326), to: try CRS(epsg: 28355))
        let out = transformer.transform([(149.8, -30.3), (.nan, 1), (149.9, -30.2), (.infinity, 0)])
        XCTAssertEqual(out.count, 4)
        XCTAssertNotNil(out[0])
        XCTAssertNil(out[1])
        XCTAssertNotNil(out[2])
        XCTAssertNil(out[3])
        XCTAssertEqual(out[0]!.x, 769290.5579, accuracy: 0.01)
        assertRasterError(try transformer.transform(x: .nan, y: 0), contains: ["cannot transform the point"])
    }

    func testTransformer_engineeringCRSCannotBeRelatedToGeographic() throws {
        let local = try CRS(wkt: #"LOCAL_CS["site grid",UNIT["metre",1],AXIS["Easting",EAST],AXIS["Northing",NORTH]]"#)
        XCTAssertNil(local.epsg)
        assertRasterError(
            try CoordinateTransformer(from: local, to: try CRS(epsg: 4326)),
            contains: ["cannot transform coordinates from site grid"])
    }
}
