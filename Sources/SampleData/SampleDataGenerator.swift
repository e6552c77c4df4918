import Foundation
import RasterIO
import TextFormat

/// The sample data's projected CRS: Albers equal-area conic for China on WGS84.
public let sampleDataAlbersProj =
    "+proj=aea +lat_0=0 +lon_0=105 +lat_1=25 +lat_2=47 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"

/// The same CRS as WKT with a name, so GIS software and reports show "China Albers Equal Area (WGS 84)".
public let sampleDataAlbersWKT = """
    PROJCS["China Albers Equal Area (WGS 84)",GEOGCS["WGS 84",\
    DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],\
    PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],PROJECTION["Albers_Conic_Equal_Area"],\
    PARAMETER["latitude_of_center",0],PARAMETER["longitude_of_center",105],PARAMETER["standard_parallel_1",25],\
    PARAMETER["standard_parallel_2",47],PARAMETER["false_easting",0],PARAMETER["false_northing",0],\
    UNIT["metre",1],AXIS["Easting",EAST],AXIS["Northing",NORTH]]
    """

/// Nodata of the continuous covariates (categorical ones use 0).
let continuousNodata: Float = -9999

/// Writes the synthetic China case into `folder` (created if missing; existing files are replaced):
/// README.md, sites.csv, horizons.csv and covariates/*.tif. Deterministic: the same options give
/// byte-identical files. The rasters are computed and written a strip of rows at a time, so memory
/// depends on the grid's width, not its size; `progress` hears notes and the work done of the
/// whole generation.
@discardableResult
public func generateSampleData(
    into folder: String, options: SampleDataOptions = SampleDataOptions(),
    progress: ((SampleDataProgress) -> Void)? = nil
) throws -> SampleDataSummary {
    try generateSampleData(
        into: folder, options: options, stripCells: SampleDataGenerator.defaultStripCells,
        profile: .default, progress: progress)
}

/// `generateSampleData` with the strip size and the GeoTIFF profile open (for tests: neither the
/// strip size nor anything but the profile's tile size may change the files).
func generateSampleData(
    into folder: String, options: SampleDataOptions, stripCells: Int, profile: GeoTIFFProfile,
    progress: ((SampleDataProgress) -> Void)?
) throws -> SampleDataSummary {
    try options.validate()
    let covariateFolder = (folder as NSString).appendingPathComponent("covariates")
    do {
        try FileManager.default.createDirectory(atPath: covariateFolder, withIntermediateDirectories: true)
    } catch {
        throw SampleDataError(
            "cannot create the folder '\(covariateFolder)': \(error.localizedDescription)",
            hint: "Check that the parent folder exists and is writable")
    }
    var generator = try SampleDataGenerator(options: options, progress: progress)
    generator.stripCells = stripCells
    generator.profile = profile
    return try generator.write(into: folder)
}

/// The steps of `generateSampleData`: grids, covariate rasters (strip by strip), sites, horizons, README.
struct SampleDataGenerator {
    /// Cells per strip by default: about 30 MB of samples and centres, whatever the grid.
    static let defaultStripCells = 131_072

    let options: SampleDataOptions
    let progress: ((SampleDataProgress) -> Void)?
    let landscape: Landscape
    let albers: CRS
    let wgs84: CRS
    /// The main Albers grid at `options.resolution`.
    let mainGrid: Grid
    /// The Albers grid at twice the resolution.
    let coarseGrid: Grid
    /// The EPSG:4326 grid at resolution / 100 km degrees.
    let geographicGrid: Grid
    /// Cells computed and written at a time: whole rows, at least one.
    var stripCells = defaultStripCells
    /// The rasters' creation profile.
    var profile = GeoTIFFProfile.default
    private var files: [String] = []

    init(options: SampleDataOptions, progress: ((SampleDataProgress) -> Void)?) throws {
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
        progress?(
            .note(
                "main grid: \(mainGrid.width) x \(mainGrid.height) cells of \(fixed(options.resolution / 1000, 1)) km"))
        let main = try GridSurface(grid: mainGrid, landscape: landscape, wgs84: wgs84)
        let coarse = try GridSurface(grid: coarseGrid, landscape: landscape, wgs84: wgs84)
        let geographic = try GridSurface(grid: geographicGrid, landscape: landscape, wgs84: wgs84)
        let mainCovariates = CovariateCatalog.continuous.filter { $0.placement == .main }
        let coarseCovariates = CovariateCatalog.continuous.filter { $0.placement == .coarse }
        let geographicCovariates = CovariateCatalog.continuous.filter { $0.placement == .geographic }
        // The work is planned first (land estimated from every 64th cell) so that the bar's rate and
        // ETA hold for the whole generation.
        let plans = [
            GridWork(
                surface: main, rasters: mainCovariates.count + CovariateCatalog.categorical.count,
                byteRasters: CovariateCatalog.categorical.count, stripRows: stripRows(on: mainGrid)),
            GridWork(
                surface: coarse, rasters: coarseCovariates.count, byteRasters: 0, stripRows: stripRows(on: coarseGrid)),
            GridWork(
                surface: geographic, rasters: geographicCovariates.count, byteRasters: 0,
                stripRows: stripRows(on: geographicGrid))
        ]
        var work = WorkCounter(
            total: plans.map(\.cost).reduce(0, +) + WorkCost.sites(options.siteCount), report: progress)

        // The main grid's rasters; the same pass adds up the sites' weights over its land cells.
        var weights = LandWeights(chunkSize: LandWeights.chunkSize(forGridOf: mainGrid.cellCount))
        let mainSize = "\(mainGrid.width) x \(mainGrid.height)"
        try writeCovariates(
            on: main, continuous: mainCovariates, categorical: CovariateCatalog.categorical,
            folder: folder, plan: plans[0], work: &work,
            eachStrip: { strip in
                for (i, sample) in strip.samples.enumerated() {
                    guard let sample, let p = strip.lonLat[i] else { continue }
                    weights.append(cell: strip.firstCell + i, weight: Self.siteWeight(lon: p.x, sample))
                }
            },
            beforeFinishing: {
                guard weights.landCount > 0 else {
                    throw SampleDataError(
                        "the \(mainSize) grid has no land cell",
                        hint: "Use a finer resolution")
                }
            })
        try writeCovariates(
            on: coarse, continuous: coarseCovariates, categorical: [], folder: folder, plan: plans[1],
            work: &work)
        try writeCovariates(
            on: geographic, continuous: geographicCovariates, categorical: [], folder: folder,
            plan: plans[2], work: &work)

        work.advance(by: 0, detail: "sites and horizons: \(options.siteCount) sites")
        let sites = try makeSites(on: main, weights: weights)
        var rng = SeededGenerator(seed: options.seed, stream: "horizons")
        var horizons = HorizonGenerator.generate(siteIDs: sites.ids, inputs: sites.inputs, rng: &rng)
        var problemRNG = SeededGenerator(seed: options.seed, stream: "problems")
        let problems = HorizonGenerator.plantProblems(&horizons, rng: &problemRNG)
        try writeTextFile(
            sitesCSV(ids: sites.ids, coordinates: sites.coordinates),
            to: (folder as NSString).appendingPathComponent("sites.csv"))
        files.append("sites.csv")
        try writeTextFile(horizonsCSV(horizons), to: (folder as NSString).appendingPathComponent("horizons.csv"))
        files.append("horizons.csv")

        let summary = SampleDataSummary(
            files: files + ["README.md"], gridWidth: mainGrid.width, gridHeight: mainGrid.height,
            landCellCount: weights.landCount, siteCount: sites.ids.count, horizonCount: horizons.count,
            missingValueCount: horizons.filter { $0.soc == nil }.count, plantedProblems: problems)
        let readme = SampleDataReadme(
            options: options, summary: summary, mainGrid: mainGrid, coarseGrid: coarseGrid,
            geographicGrid: geographicGrid, horizons: horizons)
        try writeTextFile(readme.text, to: (folder as NSString).appendingPathComponent("README.md"))
        files.append("README.md")
        work.advance(by: WorkCost.sites(options.siteCount), detail: "sites, horizons and README written")
        progress?(.note("done: \(files.count) files"))
        return summary
    }

    /// Rows per strip on `grid`: `stripCells` cells, whole rows, at least one.
    func stripRows(on grid: Grid) -> Int {
        max(1, stripCells / grid.width)
    }

    /// The surface at every cell centre of a grid; nil outside the land mask. Holds the whole grid:
    /// for `SampleTruth`, not for writing rasters.
    func surface(on grid: Grid) throws -> [SurfaceSample?] {
        let surface = try GridSurface(grid: grid, landscape: landscape, wgs84: wgs84)
        var samples: [SurfaceSample?] = []
        samples.reserveCapacity(grid.cellCount)
        let rows = stripRows(on: grid)
        for row in stride(from: 0, to: grid.height, by: rows) {
            samples += surface.strip(rows: row..<min(row + rows, grid.height)).samples
        }
        return samples
    }

    /// One raster being written: its file and how a cell's value is made.
    private struct OpenRaster {
        /// "covariates/<name>.tif".
        let relative: String
        let writer: GeoTIFFRowWriter
        /// The value written for a cell (nodata off the land).
        let value: (SurfaceSample?) -> Float
    }

    /// Writes the rasters of one grid a strip of rows at a time: each strip's surface is computed
    /// once and every raster gets its rows, then the rasters are finished in catalogue order.
    /// `eachStrip` sees the strips in row order; `beforeFinishing` may throw to write nothing.
    /// On any error every raster of the grid is removed.
    private mutating func writeCovariates(
        on surface: GridSurface, continuous: [ContinuousCovariate], categorical: [CategoricalCovariate],
        folder: String, plan: GridWork, work: inout WorkCounter, eachStrip: (GridSurface.Strip) -> Void = { _ in },
        beforeFinishing: () throws -> Void = {}
    ) throws {
        let grid = surface.grid
        var rasters: [OpenRaster] = []
        defer { for raster in rasters { raster.writer.abort() } }  // no-op for finished rasters
        for spec in continuous {
            let writer = try makeWriter(
                folder: folder, name: spec.name, grid: grid, dataType: .float32,
                nodata: Double(continuousNodata), unit: spec.unit, summary: spec.summary,
                categories: nil)
            rasters.append(
                OpenRaster(relative: "covariates/\(spec.name).tif", writer: writer) {
                    $0.map { Float(spec.value($0)) } ?? continuousNodata
                })
        }
        for spec in categorical {
            let writer = try makeWriter(
                folder: folder, name: spec.name, grid: grid, dataType: .uint8, nodata: 0,
                unit: "", summary: spec.summary, categories: spec.categories)
            rasters.append(
                OpenRaster(relative: "covariates/\(spec.name).tif", writer: writer) {
                    $0.map { Float(spec.code($0)) } ?? 0
                })
        }
        let names = rasters.count == 1 ? rasters[0].relative : "\(rasters.count) rasters"
        precondition(
            plan.rasters == rasters.count, "writeCovariates: planned \(plan.rasters) rasters, writing \(rasters.count)")
        for (rows, cost) in zip(plan.strips, plan.stripCosts) {
            let strip = surface.strip(rows: rows)
            eachStrip(strip)
            for raster in rasters {
                try raster.writer.append(strip.samples.map(raster.value))
            }
            work.advance(by: cost, detail: "\(names) of \(grid.width) x \(grid.height), row \(rows.upperBound)")
        }
        try beforeFinishing()
        for raster in rasters {
            try raster.writer.finish()
            let path = (folder as NSString).appendingPathComponent(raster.relative)
            files.append(raster.relative)
            if FileManager.default.fileExists(atPath: path + ".aux.xml") { files.append(raster.relative + ".aux.xml") }
            work.advance(
                by: WorkCost.finishing(cells: grid.cellCount, dataType: raster.writer.writer.dataType),
                detail: "statistics and overviews of \(raster.relative)")
        }
    }

    /// Creates one single-band GeoTIFF in covariates/ with its band properties and metadata.
    private func makeWriter(
        folder: String, name: String, grid: Grid, dataType: RasterDataType, nodata: Double,
        unit: String, summary: String, categories: [String]?
    ) throws -> GeoTIFFRowWriter {
        let path = (folder as NSString).appendingPathComponent("covariates/\(name).tif")
        let writer = try GeoTIFFWriter(
            path: path, grid: grid, bandCount: 1, dataType: dataType, nodata: nodata,
            profile: profile)
        writer.setDescription(band: 1, name)
        if !unit.isEmpty { writer.setUnit(band: 1, unit) }
        writer.setMetadata([
            "SOCMAP_SAMPLE_DATA": "synthetic China-like covariate, seed \(options.seed)",
            "SOCMAP_COVARIATE": summary
        ])
        if let categories {
            writer.setCategoryNames(band: 1, categories)
            var table: [Int: String] = [:]
            for (code, label) in categories.enumerated() where code > 0 { table[code] = label }
            writer.setAttributeTable(band: 1, table)
        }
        return GeoTIFFRowWriter(writer)
    }

    /// A land cell's weight in the site draw: surveys are denser in the east and on farmland,
    /// sparse on the plateau and in deserts.
    static func siteWeight(lon: Double, _ s: SurfaceSample) -> Double {
        let east = 0.15 + sigmoid((lon - 102) / 4)
        return east * (0.4 + s.cropland / 100) * (s.climateZone == .plateau ? 0.6 : 1)
    }

    /// Site ids, WGS84 coordinates (rounded to 6 decimals) and truth inputs. `weights` holds the
    /// main grid's land cells with `siteWeight`; cells are looked at again one by one, never the grid.
    func makeSites(
        on main: GridSurface, weights: LandWeights
    ) throws
        -> (ids: [String], coordinates: [(lon: Double, lat: Double)], inputs: [SOCTruth.Inputs])
    {
        let sampler = SiteSampler(
            width: mainGrid.width, height: mainGrid.height, weights: weights,
            isLand: { col, row in main.isLand(col: col, row: row) },
            landWeights: { cells in
                let strip = main.strip(cells: cells)
                return strip.samples.indices.compactMap { i in
                    guard let sample = strip.samples[i], let p = strip.lonLat[i] else { return nil }
                    return (strip.firstCell + i, Self.siteWeight(lon: p.x, sample))
                }
            })
        var rng = SeededGenerator(seed: options.seed, stream: "sites")
        let draws = sampler.draw(
            count: options.siteCount, clusterSigma: max(0.5, 60_000 / options.resolution), rng: &rng)
        let points = draws.map { d in mainGrid.transform.world(col: Double(d.col) + d.fx, row: Double(d.row) + d.fy) }
        let lonLat = main.lonLat(points: points)
        let width = max(5, String(options.siteCount).count)
        var ids: [String] = []
        var coordinates: [(lon: Double, lat: Double)] = []
        var inputs: [SOCTruth.Inputs] = []
        for (i, (draw, p)) in zip(draws, lonLat).enumerated() {
            let cell = draw.row * mainGrid.width + draw.col
            guard let p, let sample = main.strip(cells: cell..<(cell + 1)).samples[0] else {
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
