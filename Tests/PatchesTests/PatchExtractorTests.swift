import Foundation
import Patches
import RasterIO
import SoilData
import TestSupport
import XCTest

final class PatchExtractorTests: XCTestCase {
    /// A 20 x 16 grid: covariate a = col + 10 row (nodata at (3, 3)), b = categorical 1/2 by column half.
    func makeStack(_ dir: TemporaryDirectory) throws -> CovariateStack {
        let grid = try makeTestGrid(width: 20, height: 16)
        try writeTestGeoTIFF(path: dir.file("a.tif"), grid: grid, nodata: -1) { c, r in
            c == 3 && r == 3 ? -1 : Float(c + 10 * r)
        }
        var classes = [Float](repeating: 0, count: grid.cellCount)
        for r in 0..<grid.height { for c in 0..<grid.width { classes[r * grid.width + c] = c < 10 ? 1 : 2 } }
        try writeTestGeoTIFF(
            path: dir.file("b.tif"), grid: grid, bands: [classes], nodata: 0, dataType: .uint8,
            classes: [1: [1: "one", 2: "two"]])
        return try CovariateStack(
            specs: [
                CovariateSpec(name: "a", path: dir.file("a.tif"), band: nil, kind: nil),
                CovariateSpec(name: "b", path: dir.file("b.tif"), band: nil, kind: .categorical)
            ],
            reference: .raster(path: dir.file("a.tif")))
    }

    func site(_ id: String, _ grid: Grid, col: Int, row: Int, line: Int = 2) -> LocatedSite {
        let p = grid.cellCenter(col: col, row: row)
        return LocatedSite(id: id, x: p.x, y: p.y, sourceX: p.x, sourceY: p.y, line: line)
    }

    func testPatch_matchesScaledCovariatesAroundTheSite() throws {
        let dir = try TemporaryDirectory()
        let stack = try makeStack(dir)
        let g = stack.grid
        let sites = [site("A", g, col: 8, row: 7)]
        let profiles = [SiteProfile(siteID: "A", values: [1, 2, nil], line: 2)]
        let (data, report) = try PatchExtractor.extract(
            stack: stack, sites: sites, profiles: profiles,
            depths: Array(DepthInterval.standard.prefix(3)), size: 5,
            property: "SOC", unit: "g/kg")
        XCTAssertEqual(report.sitesUsed, 1)
        XCTAssertEqual(data.channels.map(\.name).count, 3)
        XCTAssertEqual(
            data.samples, [PatchSample(site: 0, depth: 0, value: 1), PatchSample(site: 0, depth: 1, value: 2)])
        let patch = Array(data.patch(site: 0))
        let minA = 0.0
        let maxA = 19.0 + 150.0
        // Channel 0 at patch (row 0, col 0) is grid cell (6, 5): a = 6 + 50.
        XCTAssertEqual(Double(patch[0]), (56 - minA) / (maxA - minA), accuracy: 1e-6)
        // Centre (2, 2) is cell (8, 7).
        XCTAssertEqual(Double(patch[2 * 5 + 2]), (78 - minA) / (maxA - minA), accuracy: 1e-6)
        // One-hot: column 8 is class 1 everywhere in the patch (cols 6..10 → 10 is class 2).
        XCTAssertEqual(patch[25 + 0], 1)
        XCTAssertEqual(patch[25 + 4], 0, "cell col 10 is class 2")
        XCTAssertEqual(patch[50 + 4], 1)
    }

    func testNodataInsidePatch_takesTheScaledMean_andCentreNodataDropsTheSite() throws {
        let dir = try TemporaryDirectory()
        let stack = try makeStack(dir)
        let g = stack.grid
        let sites = [site("near", g, col: 4, row: 4, line: 2), site("on", g, col: 3, row: 3, line: 3)]
        let profiles = [
            SiteProfile(siteID: "near", values: [1], line: 2), SiteProfile(siteID: "on", values: [1], line: 3)
        ]
        let (data, report) = try PatchExtractor.extract(
            stack: stack, sites: sites, profiles: profiles,
            depths: [DepthInterval.standard[0]], size: 5, property: "SOC", unit: "g/kg")
        XCTAssertEqual(data.sites.map(\.id), ["near"])
        XCTAssertEqual(report.centreNodata.map(\.id), ["on"])
        XCTAssertEqual(report.centreNodata.first?.line, 3)
        // Cell (3, 3) is patch (1, 1) of the site at (4, 4).
        let fill = stack.channels[0].fill
        XCTAssertEqual(data.patch(site: 0)[1 * 5 + 1], fill)
        XCTAssertEqual(data.channels[0].fill, fill)
    }

    func testSiteNearTheEdge_isPadded_andOutsideIsReported() throws {
        let dir = try TemporaryDirectory()
        let stack = try makeStack(dir)
        let g = stack.grid
        var far = site("far", g, col: 0, row: 0, line: 4)
        far.x -= 5000
        let sites = [site("edge", g, col: 0, row: 15, line: 2), far]
        let profiles = [
            SiteProfile(siteID: "edge", values: [3], line: 2), SiteProfile(siteID: "far", values: [3], line: 4),
            SiteProfile(siteID: "ghost", values: [3], line: 9)
        ]
        let (data, report) = try PatchExtractor.extract(
            stack: stack, sites: sites, profiles: profiles,
            depths: [DepthInterval.standard[0]], size: 5, property: "SOC", unit: "g/kg")
        XCTAssertEqual(data.sites.map(\.id), ["edge"])
        XCTAssertEqual(report.paddedAtEdge, 1)
        XCTAssertEqual(report.outsideGrid.map(\.id), ["far"])
        XCTAssertEqual(report.profilesWithoutSite, ["ghost"])
        // Patch (0, 0) lies two cells left of and above the site: outside, so filled.
        let patch = data.patch(site: 0)
        XCTAssertEqual(patch[0 * 5 + 0], stack.channels[0].fill, "outside the grid on the left")
        XCTAssertEqual(patch[4 * 5 + 2], stack.channels[0].fill, "outside the grid below")
        XCTAssertNotEqual(patch[0 * 5 + 2], stack.channels[0].fill, "inside the grid above the site")
    }

    func testPatchFile_roundTripsAndRejectsCorruption() throws {
        let dir = try TemporaryDirectory()
        let stack = try makeStack(dir)
        let g = stack.grid
        let sites = (0..<6).map { site("s\($0)", g, col: 2 + 3 * $0, row: 2 + 2 * $0, line: 2 + $0) }
        let profiles = sites.map { SiteProfile(siteID: $0.id, values: [1.5, nil, 0.25], line: $0.line) }
        let (data, _) = try PatchExtractor.extract(
            stack: stack, sites: sites, profiles: profiles,
            depths: Array(DepthInterval.standard.prefix(3)), size: 5, property: "SOC", unit: "%")
        let path = dir.file("p.socp")
        try PatchFile.write(data, to: path)
        let back = try PatchFile.read(path: path)
        XCTAssertEqual(back, data)
        XCTAssertEqual(dir.contents().filter { $0.contains("partial") }, [], "no temporary file left")
        // Truncation is detected.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes.removeLast(5)
        try bytes.write(to: URL(fileURLWithPath: dir.file("cut.socp")))
        XCTAssertThrowsError(try PatchFile.read(path: dir.file("cut.socp"))) { e in
            XCTAssertTrue("\(e)".contains("cut.socp"), "\(e)")
        }
        XCTAssertThrowsError(try PatchFile.read(path: dir.file("a.tif"))) { e in
            XCTAssertTrue("\(e)".contains("not a SOCMap patch file"), "\(e)")
        }
    }

    func testPatchFile_headerIsJSONWithOffsetsNumpyCanUse() throws {
        let dir = try TemporaryDirectory()
        let stack = try makeStack(dir)
        let g = stack.grid
        let (data, _) = try PatchExtractor.extract(
            stack: stack, sites: [site("A", g, col: 9, row: 9)],
            profiles: [SiteProfile(siteID: "A", values: [4], line: 2)],
            depths: [DepthInterval.standard[0]], size: 5, property: "SOC", unit: "%")
        try PatchFile.write(data, to: dir.file("p.socp"))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: dir.file("p.socp")))
        let n = bytes[8..<16].enumerated().reduce(0) { $0 | (Int($1.element) << (8 * $1.offset)) }
        let header = try JSONSerialization.jsonObject(with: bytes[16..<(16 + n)]) as! [String: Any]
        let patches = header["patches"] as! [String: Any]
        let offset = patches["offset"] as! Int
        XCTAssertEqual(patches["shape"] as! [Int], [1, 3, 5, 5])
        XCTAssertEqual(offset % 8, 0)
        // The first float at the offset is channel 0 at patch (0, 0).
        let first = bytes.withUnsafeBytes {
            Float(bitPattern: UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
        }
        XCTAssertEqual(first, data.patches[0])
        let samples = header["samples"] as! [String: Any]
        XCTAssertEqual(samples["offset"] as! Int, offset + 75 * 4)
    }
}
