// Fixtures for raster orientation: south-up and rotated copies, and GDAL's own reading at points.
import Foundation
import RasterIO

/// Writes a south-up copy of a north-up raster (positive pixel height, rows stored south to north):
/// same cells, values, nodata, data type, band descriptions and class tables.
@discardableResult
public func writeSouthUpCopy(of source: String, to path: String) throws -> String {
    try writeCopy(of: source, to: path, flipRows: true) { grid in
        let t = grid.transform
        return Grid(
            crs: grid.crs,
            transform: GeoTransform(
                originX: t.originX, pixelWidth: t.pixelWidth,
                originY: t.originY + Double(grid.height) * t.pixelHeight, pixelHeight: -t.pixelHeight),
            width: grid.width, height: grid.height)
    }
}

/// Writes a copy of a raster whose geotransform is rotated by `terms` (GDAL's coefficients 2 and 4).
@discardableResult
public func writeRotatedCopy(of source: String, to path: String, terms: (Double, Double) = (10, 10)) throws -> String {
    try writeCopy(of: source, to: path, flipRows: false) { grid in
        var c = grid.transform.coefficients
        c[2] = terms.0
        c[4] = terms.1
        return Grid(crs: grid.crs, transform: GeoTransform(coefficients: c), width: grid.width, height: grid.height)
    }
}

private func writeCopy(
    of source: String, to path: String, flipRows: Bool, grid makeGrid: (Grid) -> Grid
) throws -> String {
    let dataset = try RasterDataset(path: source)
    defer { dataset.close() }
    let grid = try dataset.grid()
    var bands: [[Float]] = []
    var descriptions: [String] = []
    var classes: [Int: [Int: String]] = [:]
    let first = try dataset.band(1)
    for b in 1...dataset.bandCount {
        let info = try dataset.band(b)
        let block = try dataset.read(band: b, window: grid.fullWindow)
        var values = zip(block.values, block.valid).map { value, ok in ok ? value : Float(info.nodata ?? .nan) }
        if flipRows {
            values = (0..<grid.height).reversed().flatMap { r in values[(r * grid.width)..<((r + 1) * grid.width)] }
        }
        bands.append(values)
        descriptions.append(info.description)
        if let table = info.attributeTable { classes[b] = table }
    }
    return try writeTestGeoTIFF(
        path: path, grid: makeGrid(grid), bands: bands, nodata: first.nodata,
        dataType: first.dataType, descriptions: descriptions, classes: classes)
}

/// What `gdallocationinfo -valonly -geoloc` reads in band 1 of a raster at map points (in the raster's
/// CRS): one value per point, nil off the raster. Nil for every point when the tool is missing.
public func gdalLocationValues(_ path: String, at points: [(x: Double, y: Double)]) -> [Double?] {
    guard
        let tool = ["/usr/bin/gdallocationinfo", "/usr/local/bin/gdallocationinfo"]
            .first(where: { FileManager.default.isExecutableFile(atPath: $0) })
    else {
        return Array(repeating: nil, count: points.count)
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: tool)
    process.arguments = ["-valonly", "-geoloc", path]
    let input = Pipe()
    let output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    do { try process.run() } catch { return Array(repeating: nil, count: points.count) }
    let text = points.map { String(format: "%.6f %.6f\n", $0.x, $0.y) }.joined()
    input.fileHandleForWriting.write(Data(text.utf8))
    try? input.fileHandleForWriting.close()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(
        String.init)
    return points.indices.map { i in i < lines.count ? Double(lines[i].trimmingCharacters(in: .whitespaces)) : nil }
}
