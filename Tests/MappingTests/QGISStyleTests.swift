import FileIO
import Foundation
import Randomness
import RasterIO
import TestSupport
import XCTest

@testable import Mapping

final class QGISStyleTests: XCTestCase {
    func testQML_isWellFormedAndHoldsRangeAndRamp() throws {
        let qml = QGISStyle.qml(min: 0, max: 80, unit: "g/kg", ramp: .socDefault, classes: 9)
        let root = try XMLNode.parse(qml)
        XCTAssertEqual(root.name, "qgis")
        let renderer = try XCTUnwrap(root.all("rasterrenderer").first)
        XCTAssertEqual(renderer.attributes["type"], "singlebandpseudocolor")
        XCTAssertEqual(renderer.attributes["band"], "1")
        XCTAssertEqual(renderer.attributes["classificationMin"], "0")
        XCTAssertEqual(renderer.attributes["classificationMax"], "80")
        XCTAssertEqual(renderer.attributes["nodataColor"], "", "nodata stays transparent")
        XCTAssertEqual(
            renderer.all("limits").first?.text, "None", "QGIS keeps the given range, it does not recompute it")
        let shader = try XCTUnwrap(root.all("colorrampshader").first)
        XCTAssertEqual(shader.attributes["colorRampType"], "INTERPOLATED")
        XCTAssertEqual(shader.attributes["minimumValue"], "0")
        XCTAssertEqual(shader.attributes["maximumValue"], "80")
        let items = shader.all("item")
        XCTAssertEqual(items.count, 9)
        XCTAssertEqual(items.map { $0.attributes["value"] }, ["0", "10", "20", "30", "40", "50", "60", "70", "80"])
        XCTAssertEqual(items.first?.attributes["color"], "#ffffe5", "YlOrBr starts pale yellow")
        XCTAssertEqual(items.last?.attributes["color"], "#662506", "YlOrBr ends dark brown")
        XCTAssertEqual(root.all("rampLegendSettings").first?.attributes["suffix"], " g/kg")
        let props = Dictionary(
            uniqueKeysWithValues: root.all("prop").map { ($0.attributes["k"]!, $0.attributes["v"]!) })
        XCTAssertEqual(props["color1"], "255,255,229,255")
        XCTAssertEqual(props["color2"], "102,37,6,255")
        XCTAssertEqual(props["stops"]?.split(separator: ":").count, 7)
    }

    func testQML_escapesTheUnitAndFollowsTheRamp() throws {
        let style = QGISStyle(range: ValueRange(min: -1.5, max: 2.5), unit: "kg<m²>&", ramp: .viridis, classes: 3)
        let root = try XMLNode.parse(style.qml)
        XCTAssertEqual(root.all("rampLegendSettings").first?.attributes["suffix"], " kg<m²>&")
        let items = root.all("item")
        XCTAssertEqual(items.map { $0.attributes["value"] }, ["-1.5", "0.5", "2.5"])
        XCTAssertEqual(items.map { $0.attributes["color"] }, ["#440154", "#21918c", "#fde725"])
    }

    func testColourRamp_interpolatesBetweenStopsAndClamps() {
        let ramp = ColourRamp(name: "two", colours: [RGB(0, 0, 0), RGB(200, 100, 50)])
        XCTAssertEqual(ramp.colour(at: 0.5), RGB(100, 50, 25))
        XCTAssertEqual(ramp.colour(at: -3), RGB(0, 0, 0))
        XCTAssertEqual(ramp.colour(at: 7), RGB(200, 100, 50))
        XCTAssertEqual(ramp.colour(at: .nan), RGB(0, 0, 0))
        XCTAssertEqual(ColourRamp.socDefault.colour(at: 0.125), RGB(hex: 0xfff7bc), "the second of nine YlOrBr colours")
    }

    func testValueRange_percentilesPoolEveryMapAndSkipNaN() throws {
        let a: [Float] = (0..<100).map(Float.init) + [.nan, .nan]
        let b: [Float] = (100..<200).map(Float.init)
        let range = try XCTUnwrap(ValueRange.percentiles(of: [a, b], lower: 0.02, upper: 0.98))
        XCTAssertEqual(range.min, 3.98, accuracy: 1e-9)
        XCTAssertEqual(range.max, 195.02, accuracy: 1e-9)
        XCTAssertNil(ValueRange.percentiles(of: [[.nan]]))
        XCTAssertEqual(range.rounded(), ValueRange(min: 0, max: 200))
        XCTAssertEqual(ValueRange(min: 3.2, max: 87.4).rounded(), ValueRange(min: 0, max: 90))
        XCTAssertEqual(ValueRange(min: 5, max: 5), ValueRange(min: 4.95, max: 5.05), "a flat range is widened")
    }

    func testValueRange_selectionGivesTheSortedOrderStatistics() {
        var g = SplitMix64(seed: 5)
        for n in [1, 2, 3, 10, 101, 5000] {
            // Many ties (values from a small set) and negative values.
            let values = (0..<n).map { _ in Float(Int(g.next() % 37) - 18) / 4 }
            let sorted = values.sorted()
            for k in Set([0, n / 3, n / 2, n - 1]) {
                var work = values
                XCTAssertEqual(ValueRange.select(&work, k), sorted[k], "n \(n), k \(k)")
                XCTAssertEqual(work.sorted(), sorted, "a permutation")
                XCTAssertTrue(work[..<k].allSatisfy { $0 <= sorted[k] } && work[k...].allSatisfy { $0 >= sorted[k] })
            }
            // The quantiles equal those of the sorted array (linear interpolation).
            let range = ValueRange.percentiles(of: [values], lower: 0.02, upper: 0.98)!
            func q(_ p: Double) -> Double {
                let pos = p * Double(n - 1)
                let i = Int(pos.rounded(.down))
                let j = min(i + 1, n - 1)
                return Double(sorted[i]) + (Double(sorted[j]) - Double(sorted[i])) * (pos - Double(i))
            }
            if q(0.98) > q(0.02) {
                XCTAssertEqual(range.min, q(0.02), accuracy: 1e-12)
                XCTAssertEqual(range.max, q(0.98), accuracy: 1e-12)
            }
        }
    }

    func testValueRange_coveringTakesTheOuterStatistics() throws {
        let stats = [
            BandStatistics(minimum: 2, maximum: 40, mean: 10, standardDeviation: 3),
            nil, BandStatistics(minimum: 0.5, maximum: 12, mean: 4, standardDeviation: 2)
        ]
        XCTAssertEqual(ValueRange.covering(stats), ValueRange(min: 0.5, max: 40))
        XCTAssertNil(ValueRange.covering([nil]))
    }

    func testValueRange_ofMapFilesFromStatisticsAndPercentiles() throws {
        let dir = try TemporaryDirectory()
        let maps = try writeDepthMaps(in: dir)
        let paths = maps.map { dir.file($0.name + ".tif") }
        let full = try XCTUnwrap(try ValueRange.covering(maps: paths))
        let robust = try XCTUnwrap(try ValueRange.percentiles(ofMaps: paths))
        XCTAssertLessThan(full.min, robust.min)
        XCTAssertGreaterThan(full.max, robust.max)
        XCTAssertGreaterThan(robust.max, robust.min)
    }

    func testQML_loadsInQGISWithTheGivenRangeAndColours() throws {
        let dir = try TemporaryDirectory()
        let maps = try writeDepthMaps(in: dir)
        let qml = dir.file("soc_0-5cm.qml")
        try AtomicFile.write(QGISStyle.qml(min: 0, max: 80, unit: "g/kg"), to: qml)
        let output = try runWithQGIS(
            """
            layer = QgsRasterLayer("\(dir.file(maps[0].name + ".tif"))", "soc")
            check(layer.isValid(), "layer")
            message, ok = layer.loadNamedStyle("\(qml)")
            check(ok, "loadNamedStyle: " + message)
            r = layer.renderer()
            check(r.type() == "singlebandpseudocolor", "renderer type " + r.type())
            check(r.classificationMin() == 0 and r.classificationMax() == 80, "range %s %s" % \
            (r.classificationMin(), r.classificationMax()))
            items = r.shader().rasterShaderFunction().colorRampItemList()
            print("items", len(items), items[0].color.name(), items[-1].color.name(), items[-1].value)
            """)
        XCTAssertTrue(output.contains("items 9 #ffffe5 #662506 80.0"), output)
    }
}
