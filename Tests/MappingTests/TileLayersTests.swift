import Mapping
import XCTest

/// The one layer order of a map tile, and the catalogue naming its maps in that order.
final class TileLayersTests: XCTestCase {
    func testEveryLayer_hasItsPlace_inTheOneOrder() {
        let all = TileLayers(depths: 6, spread: true, bounds: true, applicability: true)
        XCTAssertEqual(all.count, 38)
        XCTAssertEqual((0..<6).map(all.prediction), Array(0..<6))
        XCTAssertEqual((0..<6).map { all.spread($0)! }, Array(6..<12))
        XCTAssertEqual((0..<6).map { all.lower($0)! }, Array(12..<18))
        XCTAssertEqual((0..<6).map { all.upper($0)! }, Array(18..<24))
        XCTAssertEqual((0..<6).map { all.median($0)! }, Array(24..<30))
        XCTAssertEqual((0..<6).map { all.uncertainty($0)! }, Array(30..<36))
        XCTAssertEqual(all.dissimilarity, 36)
        XCTAssertEqual(all.aoa, 37)
        let bare = TileLayers(depths: 6, spread: false, bounds: true, applicability: false)
        XCTAssertEqual(bare.count, 30)
        XCTAssertNil(bare.spread(0))
        XCTAssertEqual(bare.lower(0), 6)
        XCTAssertEqual(bare.upper(5), 17)
        XCTAssertNil(bare.aoa)
        XCTAssertNil(bare.expectedError(0))
        let profiled = TileLayers(depths: 6, spread: false, bounds: false, applicability: true, expectedError: true)
        XCTAssertEqual(profiled.count, 14)
        XCTAssertEqual(profiled.dissimilarity, 6)
        XCTAssertEqual(profiled.aoa, 7)
        XCTAssertEqual((0..<6).map { profiled.expectedError($0)! }, Array(8..<14))
        // Every layer is named once, whatever is mapped.
        for spread in [false, true] {
            for bounds in [false, true] {
                for aoa in [false, true] {
                    let l = TileLayers(depths: 3, spread: spread, bounds: bounds, applicability: aoa)
                    var places = (0..<3).map(l.prediction) + (0..<3).compactMap(l.spread)
                    places += (0..<3).compactMap(l.lower) + (0..<3).compactMap(l.upper)
                    places += (0..<3).compactMap(l.median) + (0..<3).compactMap(l.uncertainty)
                    places += [l.dissimilarity, l.aoa].compactMap { $0 }
                    if aoa {
                        let e = TileLayers(
                            depths: 3, spread: spread, bounds: bounds, applicability: true, expectedError: true)
                        var all = (0..<3).map(e.prediction) + (0..<3).compactMap(e.spread)
                        all += (0..<3).compactMap(e.lower) + (0..<3).compactMap(e.upper)
                        all += (0..<3).compactMap(e.median) + (0..<3).compactMap(e.uncertainty)
                        all += [e.dissimilarity, e.aoa].compactMap { $0 } + (0..<3).compactMap(e.expectedError)
                        XCTAssertEqual(all.sorted(), Array(0..<e.count), "\(e)")
                    }
                    XCTAssertEqual(places.sorted(), Array(0..<l.count), "\(l)")
                }
            }
        }
    }

    func testCatalogue_namesTheMapsInTheTileOrder() {
        let depths = ["0-5cm", "5-15cm"]
        let c = MapProducts.Catalogue(
            name: "soc", property: "SOC", unit: "g/kg", model: "transfer", depths: depths,
            spread: true, interval: 0.9, applicability: true, runName: "t")
        let l = c.layout
        XCTAssertEqual(c.layers.count, l.count)
        for d in depths.indices {
            XCTAssertEqual(c.layers[l.prediction(d)].name, "soc_\(depths[d])")
            XCTAssertTrue(c.layers[l.spread(d)!].name.hasSuffix("cv_sd"), c.layers[l.spread(d)!].name)
            XCTAssertTrue(c.layers[l.lower(d)!].name.hasSuffix("q05"), c.layers[l.lower(d)!].name)
            XCTAssertTrue(c.layers[l.upper(d)!].name.hasSuffix("q95"), c.layers[l.upper(d)!].name)
            XCTAssertEqual(c.layers[l.median(d)!].name, "soc_\(depths[d])_q50")
            XCTAssertEqual(c.layers[l.uncertainty(d)!].name, "soc_\(depths[d])_uncertainty")
            XCTAssertTrue(c.layers[l.uncertainty(d)!].description.hasSuffix("uncertainty (Q0.95 - Q0.05) / Q0.5"))
        }
        XCTAssertEqual(c.layers[l.dissimilarity!].name, MapNames.dissimilarity("soc"))
        XCTAssertEqual(c.layers[l.aoa!].name, MapNames.applicability("soc"))
    }
}
