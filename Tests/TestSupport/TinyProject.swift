import Foundation
import RasterIO

/// A tiny but complete pipeline project on disk: three covariate GeoTIFFs (one categorical with a
/// class table, one at a coarser resolution), sites in lon/lat and a horizon table, plus a pipeline
/// YAML file. Tests change one thing and check the result; sections go after the last line, "  size: 7"
/// (a 'train' section needs `network: {pool: 1}` for patches of 7 cells).
public final class TinyProject {
    /// The project folder (deleted with the value).
    public let folder: TemporaryDirectory
    /// The reference grid (EPSG:28355, 40 x 30 cells of 100 m).
    public let grid: Grid
    /// Site ids in order.
    public private(set) var siteIDs: [String] = []

    /// Writes the project; `sites` sites on a regular pattern inside the grid.
    public init(sites: Int = 24) throws {
        folder = try TemporaryDirectory(prefix: "socmap-tiny")
        grid = try makeTestGrid(width: 40, height: 30, resolution: 100)
        try FileManager.default.createDirectory(atPath: folder.file("covs"), withIntermediateDirectories: true)
        // Elevation with a nodata "sea" block in the top-left corner.
        try writeTestGeoTIFF(path: folder.file("covs/elev.tif"), grid: grid, nodata: -9999, description: "elevation") {
            c, r in
            c < 4 && r < 4 ? -9999 : Float(200 + 3 * c + 2 * r) + Float(sin(Double(c) / 3) * 5)
        }
        // Wetness on a coarser 200 m grid covering the same area.
        let coarse = try makeTestGrid(width: 20, height: 15, resolution: 200)
        try writeTestGeoTIFF(path: folder.file("covs/wet.tif"), grid: coarse, nodata: -9999) { c, r in
            Float(5 + cos(Double(c + r) / 4))
        }
        // Parent material: three classes with labels.
        var classes = [Float](repeating: 0, count: grid.cellCount)
        for r in 0..<grid.height { for c in 0..<grid.width { classes[r * grid.width + c] = Float(1 + (c / 14)) } }
        try writeTestGeoTIFF(
            path: folder.file("covs/geo.tif"), grid: grid, bands: [classes], nodata: 0, dataType: .uint8,
            classes: [1: [1: "Alluvium", 2: "Basalt", 3: "Sandstone"]])
        // Sites in lon/lat (GDA94) at cell centres.
        let toGeo = try CoordinateTransformer(from: grid.crs, to: try CRS(epsg: 4283))
        var sitesCSV = "id,lon,lat\n"
        var horizonsCSV = "id,top,bottom,oc\n"
        for i in 0..<sites {
            let col = 5 + (i * 7) % 33
            let row = 5 + (i * 5) % 23
            let centre = grid.cellCenter(col: col, row: row)
            let p = try toGeo.transform(x: centre.x, y: centre.y)
            let id = String(format: "S%03d", i + 1)
            siteIDs.append(id)
            sitesCSV += "\(id),\(String(format: "%.7f", p.x)),\(String(format: "%.7f", p.y))\n"
            let surface = 20 + Double(col) * 0.5
            horizonsCSV += "\(id),0,15,\(String(format: "%.2f", surface))\n"
            horizonsCSV += "\(id),15,40,\(String(format: "%.2f", surface * 0.6))\n"
            horizonsCSV += "\(id),40,110,\(String(format: "%.2f", surface * 0.3))\n"
        }
        try sitesCSV.write(toFile: folder.file("sites.csv"), atomically: true, encoding: .utf8)
        try horizonsCSV.write(toFile: folder.file("horizons.csv"), atomically: true, encoding: .utf8)
        try pipelineText.write(toFile: pipeline, atomically: true, encoding: .utf8)
    }

    /// Path of the pipeline file.
    public var pipeline: String { folder.file("pipeline.yaml") }

    /// Path of the output folder the pipeline names.
    public var output: String { folder.file("out") }

    /// The pipeline text as first written.
    public let pipelineText = """
        name: tiny
        seed: 7
        output: out
        covariates:
          grid: {raster: covs/elev.tif}
          files: [covs/]
          categorical: [geo]
        sites:
          file: sites.csv
          id_column: id
          x_column: lon
          y_column: lat
          crs: EPSG:4283
        profiles:
          property: SOC
          unit: g/kg
          horizons:
            file: horizons.csv
            id_column: id
            top_column: top
            bottom_column: bottom
            value_column: oc
        patches:
          size: 7

        """

    /// Rewrites the pipeline with one text replacement.
    public func editPipeline(_ old: String, _ new: String) throws {
        let text = try String(contentsOfFile: pipeline, encoding: .utf8)
        precondition(text.contains(old), "pipeline has no '\(old)'")
        try text.replacingOccurrences(of: old, with: new).write(toFile: pipeline, atomically: true, encoding: .utf8)
    }

    /// Rewrites a file of the project with one text replacement.
    public func edit(_ name: String, _ transform: (String) -> String) throws {
        let text = try String(contentsOfFile: folder.file(name), encoding: .utf8)
        try transform(text).write(toFile: folder.file(name), atomically: true, encoding: .utf8)
    }
}
