import Foundation
import RasterIO
import TestSupport

/// Six small depth maps in a folder, written the way the pipeline will: GeoTIFFWriter, then COG.write.
/// Values fall with depth, a nodata "sea" covers the left quarter.
func writeDepthMaps(
    in dir: TemporaryDirectory, width: Int = 96, height: Int = 64
) throws -> [(name: String, title: String)] {
    let depths = ["0-5cm", "5-15cm", "15-30cm", "30-60cm", "60-100cm", "100-200cm"]
    let grid = try makeTestGrid(width: width, height: height, resolution: 1000)
    var result: [(name: String, title: String)] = []
    for (d, depth) in depths.enumerated() {
        var values = [Float](repeating: -9999, count: grid.cellCount)
        for row in 0..<height {
            for col in 0..<width where col >= width / 4 || row > height * 3 / 4 {
                let wave = sin(Double(col) / 9) * cos(Double(row) / 7)
                values[row * width + col] = Float((40 + 25 * wave + Double(col) * 0.3) / Double(d + 1))
            }
        }
        let name = "soc_\(depth)"
        let temporary = dir.file("\(name).raw.tif")
        try writeTestGeoTIFF(path: temporary, grid: grid, bands: [values], nodata: -9999, descriptions: [name])
        try COG.write(from: temporary, to: dir.file("\(name).tif"), metadata: ["SOCMAP_DEPTH": depth])
        try FileManager.default.removeItem(atPath: temporary)
        result.append((name, depth.replacingOccurrences(of: "cm", with: " cm")))
    }
    return result
}
