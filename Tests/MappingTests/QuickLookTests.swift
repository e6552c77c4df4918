import Foundation
import Mapping
import RasterIO
import TestSupport
import XCTest

final class QuickLookTests: XCTestCase {
    /// Copies pictures to $SOCMAP_KEEP_QUICKLOOKS (when set) for a person to look at.
    private func keep(_ path: String) {
        guard let folder = ProcessInfo.processInfo.environment["SOCMAP_KEEP_QUICKLOOKS"] else { return }
        let target = (folder as NSString).appendingPathComponent((path as NSString).lastPathComponent)
        try? FileManager.default.removeItem(atPath: target)
        try? FileManager.default.copyItem(atPath: path, toPath: target)
    }

    /// Counts distinct colours in a rectangle of an RGB PNG.
    private func distinctColours(_ png: RasterDataset, _ window: PixelWindow) throws -> Int {
        let r = try png.read(band: 1, window: window).values
        let g = try png.read(band: 2, window: window).values
        let b = try png.read(band: 3, window: window).values
        return Set((0..<r.count).map { Int(r[$0]) << 16 | Int(g[$0]) << 8 | Int(b[$0]) }).count
    }

    func testPNG_opensWithGDALAsRGBWithAMapAndANonBlankLegend() throws {
        let dir = try TemporaryDirectory()
        let (w, h) = (120, 80)
        var values = [Float](repeating: .nan, count: w * h)
        for row in 0..<h { for col in 20..<w { values[row * w + col] = Float(col) / 2 } }
        let path = dir.file("soc_0-5cm.png")
        try QuickLook.png(
            values: values, width: w, height: h, min: 0, max: 60, ramp: .socDefault,
            title: "SOC 0-5 cm", unit: "g/kg", to: path)
        keep(path)
        XCTAssertEqual(dir.contents(), ["soc_0-5cm.png"])
        let png = try RasterDataset(path: path)
        XCTAssertEqual(png.bandCount, 3)
        // 120 x 80 is enlarged 6 times (720 x 480, within 800 x 700), plus margins, title and legend.
        XCTAssertEqual(png.width, 720 + 2 * 16)
        XCTAssertGreaterThan(png.height, 480 + 100)
        let mapTop = 16 + 27 + 8
        XCTAssertGreaterThan(
            try distinctColours(png, PixelWindow(col: 16 + 130, row: mapTop, width: 580, height: 10)), 20,
            "the map shows the ramp")
        XCTAssertEqual(
            try distinctColours(png, PixelWindow(col: 20, row: mapTop + 10, width: 100, height: 100)), 1,
            "nodata is plain background")
        let legendTop = mapTop + 480 + 18
        let legend = PixelWindow(col: 0, row: legendTop, width: png.width, height: png.height - legendTop)
        XCTAssertGreaterThan(try distinctColours(png, legend), 50, "the legend bar and its labels are drawn")
        let title = PixelWindow(col: 16, row: 16, width: 200, height: 21)
        XCTAssertGreaterThan(try distinctColours(png, title), 1, "the title is drawn")
    }

    func testPNG_sameInputGivesSameBytes() throws {
        let dir = try TemporaryDirectory()
        let values: [Float] = (0..<(50 * 40)).map { Float($0 % 50) }
        for name in ["a.png", "b.png"] {
            try QuickLook.png(
                values: values, width: 50, height: 40, min: 0, max: 50, title: "t", unit: "%", to: dir.file(name))
        }
        XCTAssertEqual(
            try Data(contentsOf: URL(fileURLWithPath: dir.file("a.png"))),
            try Data(contentsOf: URL(fileURLWithPath: dir.file("b.png"))))
    }

    func testContactSheet_laysOutSixPanelsWithOneLegend() throws {
        let dir = try TemporaryDirectory()
        let maps = try writeDepthMaps(in: dir)
        let panels = try maps.map { try QuickLook.panel(fromMap: dir.file($0.name + ".tif"), title: $0.title) }
        XCTAssertEqual(panels[0].width, 96, "a small map is read whole")
        let path = dir.file("soc_contact_sheet.png")
        try QuickLook.contactSheet(
            panels: panels, min: 0, max: 70, unit: "g/kg", title: "Soil organic carbon", to: path)
        keep(path)
        let png = try RasterDataset(path: path)
        XCTAssertEqual(png.bandCount, 3)
        // 96 x 64 panels are enlarged 3 times (288 x 192); 3 columns with 20-pixel gaps.
        XCTAssertEqual(png.width, 3 * 288 + 2 * 20 + 2 * 16)
        let sheetBottom = 16 + 27 + 12 + 2 * (18 + 6 + 192) + 20 + 20
        XCTAssertGreaterThan(png.height, sheetBottom + 18)
        let legend = PixelWindow(col: 0, row: sheetBottom, width: png.width, height: png.height - sheetBottom)
        XCTAssertGreaterThan(try distinctColours(png, legend), 50, "one legend under the panels")
    }

    func testFit_shrinksLargeArraysAndEnlargesSmallOnes() throws {
        let dir = try TemporaryDirectory()
        let (w, h) = (1600, 400)
        let values = [Float](repeating: 3, count: w * h)
        try QuickLook.png(
            values: values, width: w, height: h, min: 0, max: 10, title: "wide", unit: "", to: dir.file("wide.png"))
        XCTAssertEqual(try RasterDataset(path: dir.file("wide.png")).width, 800 + 2 * 16, "shrunk to 800 pixels")
    }

    func testMapProducts_writeStylesPicturesAndProjectForSixDepths() throws {
        let dir = try TemporaryDirectory()
        let maps = try writeDepthMaps(in: dir)
        let set = MapProducts.MapSet(
            title: "SOC", maps: maps.map { MapProducts.Map(name: $0.name, title: $0.title) },
            unit: "g/kg", contactSheet: "soc_contact_sheet.png")
        var reports: [String] = []
        let written = try MapProducts.write(sets: [set], folder: dir.path, projectName: "soc_maps", title: "SOC maps") {
            done, total in
            reports.append("\(done)/\(total)")
        }
        XCTAssertEqual(
            reports, (0...set.maps.count).map { "\($0)/\(set.maps.count)" }, "one report per map styled and drawn")
        XCTAssertEqual(written.files.count, 6 * 2 + 2)
        for file in written.files { XCTAssertTrue(FileManager.default.fileExists(atPath: dir.file(file)), file) }
        XCTAssertTrue(written.files.contains("soc_0-5cm.qml") && written.files.contains("soc_maps.qgs"))
        let range = try XCTUnwrap(written.ranges.first)
        let robust = try XCTUnwrap(try ValueRange.percentiles(ofMaps: maps.map { dir.file($0.name + ".tif") }))
        XCTAssertEqual(range, robust.rounded(), "the 2-98 % range of all six maps, rounded outward")
        XCTAssertTrue(range.min <= robust.min && range.max >= robust.max && range.min >= 0)
        XCTAssertLessThan(range.max - range.min, (robust.max - robust.min) * 1.5, "rounding widens only a little")
        let qmls = try maps.map { try String(contentsOfFile: dir.file($0.name + ".qml"), encoding: .utf8) }
        XCTAssertEqual(Set(qmls).count, 1, "the six depths share one style")
        keep(dir.file("soc_0-5cm.png"))
        XCTAssertThrowsError(
            try MapProducts.write(
                sets: [
                    MapProducts.MapSet(
                        title: "x", maps: [MapProducts.Map(name: "none", title: "n")],
                        unit: "", contactSheet: "x.png")
                ],
                folder: dir.path, projectName: "p", title: "t")
        ) { error in
            XCTAssertTrue("\(error)".contains("none.tif"), "\(error)")
        }
    }
}
