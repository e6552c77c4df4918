import Foundation
import RasterIO
import TextFormat

/// The sample data's projected CRS: Albers equal-area conic for China on WGS84.
public let sampleDataAlbersProj =
    "+proj=aea +lat_0=0 +lon_0=105 +lat_1=25 +lat_2=47 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"

/// The same CRS as WKT with a name, so GIS software and reports show "China Albers Equal Area (WGS 84)".
public let sampleDataAlbersWKT = """
    PROJCS["China Albers Equal Area (WGS 84)",GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],\
    PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],PROJECTION["Albers_Conic_Equal_Area"],\
    PARAMETER["latitude_of_center",0],PARAMETER["longitude_of_center",105],PARAMETER["standard_parallel_1",25],\
    PARAMETER["standard_parallel_2",47],PARAMETER["false_easting",0],PARAMETER["false_northing",0],\
    UNIT["metre",1],AXIS["Easting",EAST],AXIS["Northing",NORTH]]
    """

/// Nodata of the continuous covariates (categorical ones use 0).
let continuousNodata: Float = -9999

/// Writes the synthetic China case into `folder` (created if missing; existing files are replaced):
/// README.md, sites.csv, horizons.csv and covariates/*.tif. Deterministic: the same options give
/// byte-identical files.
@discardableResult
public func generateSampleData(
    into folder: String, options: SampleDataOptions = SampleDataOptions(), progress: ((String) -> Void)? = nil
) throws -> SampleDataSummary {
    try options.validate()
    let covariateFolder = (folder as NSString).appendingPathComponent("covariates")
    do {
        try FileManager.default.createDirectory(atPath: covariateFolder, withIntermediateDirectories: true)
    } catch {
        throw SampleDataError("cannot create the folder '\(covariateFolder)': \(error.localizedDescription)",
                              hint: "Check that the parent folder exists and is writable")
    }
    var generator = try SampleDataGenerator(options: options, progress: progress)
    return try generator.write(into: folder)
}

/// The steps of `generateSampleData`: grids, covariate rasters, sites, horizons, README.
struct SampleDataGenerator {
    let options: SampleDataOptions
    let progress: ((String) -> Void)?
    let landscape: Landscape
    let albers: CRS
    let wgs84: CRS
    /// The main Albers grid at `options.resolution`.
    let mainGrid: Grid
    /// The Albers grid at twice the resolution.
    let coarseGrid: Grid
    /// The EPSG:4326 grid at resolution / 100 km degrees.
    let geographicGrid: Grid
    private var files: [String] = []

    init(options: SampleDataOptions, progress: ((String) -> Void)?) throws {
        self.options = options
        self.progress = progress
        landscape = Landscape(seed: options.seed)
        albers = try CRS(wkt: sampleDataAlbersWKT)
        wgs84 = try CRS(epsg: 4326)
        let toAlbers = try CoordinateTransformer(from: wgs84, to: albers)
        let boundary = ChinaOutline.densifiedBoundary()
        let projected = try boundary.map { try toAlbers.transform(x: $0.lon, y: $0.lat) }
        let r = options.resolution
        let extent = Extent(
            minX: projected.map(\.x).min()! - r, minY: projected.map(\.y).min()! - r,
            maxX: projected.map(\.x).max()! + r, maxY: projected.map(\.y).max()! + r)
        mainGrid = Grid(crs: albers, extent: extent, resolution: r)
        coarseGrid = Grid(crs: albers, extent: extent, resolution: 2 * r)
        let degrees = r / 100_000
        let geoExtent = Extent(
            minX: boundary.map(\.lon).min()! - degrees, minY: boundary.map(\.lat).min()! - degrees,
            maxX: boundary.map(\.lon).max()! + degrees, maxY: boundary.map(\.lat).max()! + degrees)
        geographicGrid = Grid(crs: wgs84, extent: geoExtent, resolution: degrees)
    }

    /// Writes everything and returns the summary.
    mutating func write(into folder: String) throws -> SampleDataSummary {
        progress?("main grid: \(mainGrid.width) x \(mainGrid.height) cells of \(fixed(options.resolution / 1000, 1)) km")
        let main = try surface(on: mainGrid)
        let landCount = main.filter { $0 != nil }.count
        guard landCount > 0 else {
            throw SampleDataError("the \(mainGrid.width) x \(mainGrid.height) grid has no land cell",
                                  hint: "Use a finer resolution")
        }
        let byPlacement: [GridPlacement: (grid: Grid, samples: [SurfaceSample?])] = [
            .main: (mainGrid, main),
            .coarse: (coarseGrid, try surface(on: coarseGrid)),
            .geographic: (geographicGrid, try surface(on: geographicGrid)),
        ]
        for spec in CovariateCatalog.continuous {
            let (grid, samples) = byPlacement[spec.placement]!
            let values = samples.map { $0.map { Float(spec.value($0)) } ?? continuousNodata }
            try writeRaster(folder: folder, name: spec.name, grid: grid, values: values, dataType: .float32,
                            nodata: Double(continuousNodata), unit: spec.unit, summary: spec.summary, categories: nil)
        }
        for spec in CovariateCatalog.categorical {
            let values = main.map { $0.map { Float(spec.code($0)) } ?? 0 }
            try writeRaster(folder: folder, name: spec.name, grid: mainGrid, values: values, dataType: .uint8,
                            nodata: 0, unit: "", summary: spec.summary, categories: spec.categories)
        }

        progress?("sites and horizons: \(options.siteCount) sites")
        let sites = try makeSites(main: main)
        var rng = SeededGenerator(seed: options.seed, stream: "horizons")
        var horizons = HorizonGenerator.generate(siteIDs: sites.ids, inputs: sites.inputs, rng: &rng)
        var problemRNG = SeededGenerator(seed: options.seed, stream: "problems")
        let problems = HorizonGenerator.plantProblems(&horizons, rng: &problemRNG)
        try writeTextFile(sitesCSV(ids: sites.ids, coordinates: sites.coordinates),
                          to: (folder as NSString).appendingPathComponent("sites.csv"))
        files.append("sites.csv")
        try writeTextFile(horizonsCSV(horizons), to: (folder as NSString).appendingPathComponent("horizons.csv"))
        files.append("horizons.csv")

        let summary = SampleDataSummary(
            files: files + ["README.md"], gridWidth: mainGrid.width, gridHeight: mainGrid.height,
            landCellCount: landCount, siteCount: sites.ids.count, horizonCount: horizons.count,
            missingValueCount: horizons.filter { $0.soc == nil }.count, plantedProblems: problems)
        let readme = SampleDataReadme(
            options: options, summary: summary, mainGrid: mainGrid, coarseGrid: coarseGrid,
            geographicGrid: geographicGrid, horizons: horizons)
        try writeTextFile(readme.text, to: (folder as NSString).appendingPathComponent("README.md"))
        files.append("README.md")
        progress?("done: \(files.count) files")
        return summary
    }

    /// The surface at every cell centre of a grid; nil outside the land mask.
    func surface(on grid: Grid) throws -> [SurfaceSample?] {
        let centres = (0..<grid.cellCount).map { grid.cellCenter(col: $0 % grid.width, row: $0 / grid.width) }
        let lonLat: [(x: Double, y: Double)?]
        if grid.crs.isGeographic {
            lonLat = centres
        } else {
            lonLat = try CoordinateTransformer(from: grid.crs, to: wgs84).transform(centres)
        }
        return lonLat.map { p in
            guard let p, ChinaOutline.isLand(lon: p.x, lat: p.y) else { return nil }
            return landscape.sample(lon: p.x, lat: p.y)
        }
    }

    /// Writes one single-band GeoTIFF into covariates/ and records it (and any side file).
    mutating func writeRaster(
        folder: String, name: String, grid: Grid, values: [Float], dataType: RasterDataType, nodata: Double,
        unit: String, summary: String, categories: [String]?
    ) throws {
        let relative = "covariates/\(name).tif"
        let path = (folder as NSString).appendingPathComponent(relative)
        progress?(relative)
        let writer = try GeoTIFFWriter(path: path, grid: grid, bandCount: 1, dataType: dataType, nodata: nodata)
        do {
            writer.setDescription(band: 1, name)
            if !unit.isEmpty { writer.setUnit(band: 1, unit) }
            writer.setMetadata([
                "SOCMAP_SAMPLE_DATA": "synthetic China-like covariate, seed \(options.seed)",
                "SOCMAP_COVARIATE": summary,
            ])
            if let categories {
                writer.setCategoryNames(band: 1, categories)
                var table: [Int: String] = [:]
                for (code, label) in categories.enumerated() where code > 0 { table[code] = label }
                writer.setAttributeTable(band: 1, table)
            }
            try writer.write(band: 1, window: grid.fullWindow, values: values)
            try writer.finish()
        } catch {
            writer.abort()
            throw error
        }
        files.append(relative)
        if FileManager.default.fileExists(atPath: path + ".aux.xml") { files.append(relative + ".aux.xml") }
    }

    /// Site ids, WGS84 coordinates (rounded to 6 decimals) and truth inputs.
    func makeSites(main: [SurfaceSample?]) throws
        -> (ids: [String], coordinates: [(lon: Double, lat: Double)], inputs: [SOCTruth.Inputs])
    {
        let toLonLat = try CoordinateTransformer(from: albers, to: wgs84)
        let centresLonLat = toLonLat.transform((0..<mainGrid.cellCount).map {
            mainGrid.cellCenter(col: $0 % mainGrid.width, row: $0 / mainGrid.width)
        })
        let sampler = SiteSampler(width: mainGrid.width, height: mainGrid.height, isLand: main.map { $0 != nil }) { cell in
            guard let s = main[cell], let p = centresLonLat[cell] else { return 0 }
            // Surveys are denser in the east and on farmland, sparse on the plateau and in deserts.
            let east = 0.15 + sigmoid((p.x - 102) / 4)
            return east * (0.4 + s.cropland / 100) * (s.climateZone == .plateau ? 0.6 : 1)
        }
        var rng = SeededGenerator(seed: options.seed, stream: "sites")
        let draws = sampler.draw(count: options.siteCount, clusterSigma: max(0.5, 60_000 / options.resolution), rng: &rng)
        let points = draws.map { d in mainGrid.transform.world(col: Double(d.col) + d.fx, row: Double(d.row) + d.fy) }
        let lonLat = toLonLat.transform(points)
        let width = max(5, String(options.siteCount).count)
        var ids: [String] = [], coordinates: [(lon: Double, lat: Double)] = [], inputs: [SOCTruth.Inputs] = []
        for (i, (draw, p)) in zip(draws, lonLat).enumerated() {
            guard let p, let sample = main[draw.row * mainGrid.width + draw.col] else {
                throw SampleDataError("site \(i + 1) at cell (\(draw.col), \(draw.row)) could not be placed on land")
            }
            let number = String(i + 1)
            ids.append("CN" + String(repeating: "0", count: width - number.count) + number)
            coordinates.append((round(p.x, 6), round(p.y, 6)))
            inputs.append(SOCTruth.Inputs(sample))
        }
        return (ids, coordinates, inputs)
    }
}
