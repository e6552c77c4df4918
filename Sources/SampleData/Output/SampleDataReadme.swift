import RasterIO
import TextFormat

/// The generated sample-data/README.md: files, grids, the truth function, the planted problems
/// and SOC by standard depth. Everything in it derives from the options, so it regenerates identically.
struct SampleDataReadme {
    let options: SampleDataOptions
    let summary: SampleDataSummary
    let mainGrid: Grid
    let coarseGrid: Grid
    let geographicGrid: Grid
    let horizons: [GeneratedHorizon]

    /// Standard depth intervals (cm) of the SOC table.
    static let standardDepths: [(Int, Int)] = [(0, 5), (5, 15), (15, 30), (30, 60), (60, 100), (100, 200)]

    /// The Markdown text.
    var text: String {
        var t = """
            # Sample data: a synthetic China-like case

            Made by `\(command)` (resolution \(fixed(options.resolution, 0)) m,
            \(options.siteCount) sites). Every file here, this README included, is generated and regenerates
            byte for byte from these options: do not edit by hand. Nothing here is real data: the covariates are
            smooth seeded noise plus geographic trends shaped like China, and SOC follows a known function of
            the covariates and depth (below), so a model's skill can be judged against the truth.

            ## Files

            | file | what |
            |------|------|
            | `sites.csv` | \(summary.siteCount) survey sites: `site_id`, `lon`, `lat` \
            (WGS84 degrees, EPSG:4326, 6 decimals) |
            | `horizons.csv` | \(summary.horizonCount) horizons: `site_id`, `top_cm`, `bottom_cm`, `soc_gkg` (soil \
            organic carbon, g/kg; `NA` = not measured) |
            | `covariates/*.tif` | \(CovariateCatalog.continuous.count) continuous (Float32, nodata -9999) \
            and \(CovariateCatalog.categorical.count) categorical (UInt8, nodata 0, category names and \
            attribute table in `.aux.xml`) GeoTIFFs |

            ## CRS and grids

            - Main grid: "China Albers Equal Area (WGS 84)", an Albers equal-area conic on WGS84,
              `\(sampleDataAlbersProj)`,
              \(gridLine(mainGrid)). \(summary.landCellCount) land cells; the sea, the
              neighbouring countries and four large lakes (Qinghai, Poyang, Dongting, Tai) are nodata.
            - `precipitation.tif` is on purpose in EPSG:4326 (longitude/latitude), \(gridLine(geographicGrid)).
            - `solar_radiation.tif` is on purpose on a coarser Albers grid, \(gridLine(coarseGrid)).
            - These two exercise the stack's reprojection and resampling onto the main grid. Their land masks
              follow their own cells, so after warping a few coastal cells (and sites on them) can be nodata.

            The land is a hand-drawn outline of mainland China (109 vertices) and Hainan (8): plausible,
            not a boundary of record.

            ## Covariates

            | file | unit | decimals | grid | description |
            |------|------|----------|------|-------------|

            """
        for c in CovariateCatalog.continuous {
            t += "| `\(c.name).tif` | \(c.unit) | \(c.decimals) | \(c.placement.rawValue) | \(c.summary) |\n"
        }
        for c in CovariateCatalog.categorical {
            t += "| `\(c.name).tif` | class | - | main | \(c.summary) |\n"
        }
        t += "\nClimate zones (`climate_zone.tif`):\n\n"
        for z in ClimateZone.allCases { t += "- \(z.rawValue): \(z.name)\n" }
        t += """

            Rules, first match wins (T = mean annual temperature, P = precipitation): elevation > 3000 m on the
            plateau → plateau; P < 200 mm → arid; \
            P < 400 mm and T < 14 °C → semi-arid; T ≥ 21 °C → tropical;
            T ≥ 14 → subtropical; T ≥ 9 → warm temperate; T ≥ 1.5 → temperate; else cold temperate.

            Soil types (`soil_type.tif`) and their effect on ln SOC in the truth function:

            | code | soil type | effect |
            |------|-----------|--------|

            """
        for s in SoilType.allCases { t += "| \(s.rawValue) | \(s.name) | \(signed(s.socEffect)) |\n" }
        t += """

            ## The truth function

            SOC (g/kg) at depth d (cm) of a site is a function of the covariates of the site's cell on the main
            grid, as written in the rasters (NDVI, temperature T in °C, aridity AI, elevation in m, clay in %,
            soil type):

                ln S0  = \(fixed(SOCTruth.intercept, 2)) + 1.4 (NDVI - 0.45) - 0.035 (T - 10) \
            + 0.25 ln(clamp(AI, 0.05, 3) / 0.6)
                         + 0.4 sigmoid((elevation - 3000) / 300) + 0.006 (clay - 20) + soil-type effect
                k      = 18 + 14 exp(-AI)                        (cm; SOC reaches deeper in dry land)
                SOC(d) = S0 (\(fixed(SOCTruth.floorFraction, 2)) + \(fixed(1 - SOCTruth.floorFraction, 2)) exp(-d / k))

            So SOC decreases exponentially with depth towards \(Int(SOCTruth.floorFraction * 100)) % of its \
            surface value, and is higher where it
            is green, cold, wet, high on the plateau, clayey, and on black, alpine and paddy soils; lower in
            deserts and on loess. A horizon's expected value is the mean of SOC(d) over its depths (exact
            integral); the value written is that times lognormal noise exp(σ z - σ²/2) \
            with σ = \(fixed(SOCTruth.noiseSigma, 2)),
            rounded to 0.01 g/kg.

            ## Sites and horizons

            Sites fall on land cells with weights favouring the east and farmland (fewer on the plateau),
            55 % of them in clusters of about 60 km around \(max(1, options.siteCount / 50)) \
            survey centres; each lies at a random
            point inside its cell, at least 2 % of a cell from the cell's edges. Each site has 3 to 7 horizons
            with irregular boundaries (a first horizon 5-20 cm thick, deeper ones thicker) down to a profile
            depth between 40 and 200 cm, so many profiles miss the deep intervals.

            ## Deliberate data problems

            They exercise the loader's checks, which should count them:

            - \(summary.missingValueCount) SOC values are `NA` (about \
            \(fixed(HorizonGenerator.missingShare * 100, 1)) % of horizons, at random).

            """
        for p in summary.plantedProblems { t += "- \(p).\n" }
        t += """

            ## SOC by standard depth

            Mean of the horizon values over each interval (weighted by overlap) at the sites whose valid
            horizons cover it; compare Han et al. (2025), Table 1 (China: about 20 g/kg at 0-5 cm falling to
            4-5 g/kg at 100-200 cm, right-skewed).

            | depth (cm) | sites | mean | median | sd | max |
            |------------|-------|------|--------|----|-----|

            """
        for (a, b) in Self.standardDepths {
            let values = intervalMeans(top: a, bottom: b).sorted()
            guard !values.isEmpty else {
                t += "| \(a)-\(b) | 0 | - | - | - | - |\n"
                continue
            }
            let n = Double(values.count)
            let mean = values.reduce(0, +) / n
            let sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / max(1, n - 1)).squareRoot()
            let median =
                values.count % 2 == 1
                ? values[values.count / 2] : (values[values.count / 2 - 1] + values[values.count / 2]) / 2
            t += """
                | \(a)-\(b) | \(values.count) | \(fixed(mean, 1)) | \(fixed(median, 1)) | \
                \(fixed(sd, 1)) | \(fixed(values.last!, 1)) |\n
                """
        }
        t += """

            ## Regenerating

                \(command) --overwrite

            (the defaults: `make sample-data`). The test `SampleDataTests` checks that generation is deterministic.

            """
        return t
    }

    /// The command that regenerates these files (non-default options spelled out).
    private var command: String {
        var text = "socmap sample-data sample-data --seed \(options.seed)"
        let defaults = SampleDataOptions()
        if options.resolution != defaults.resolution { text += " --resolution \(fixed(options.resolution, 0))" }
        if options.siteCount != defaults.siteCount { text += " --sites \(options.siteCount)" }
        return text
    }

    /// "W x H cells of R, origin (x, y)".
    private func gridLine(_ g: Grid) -> String {
        let r = g.resolution.x
        let size =
            g.crs.isGeographic
            ? "\(fixed(r, 2))°" : "\(fixed(r / 1000, r.truncatingRemainder(dividingBy: 1000) == 0 ? 0 : 1)) km"
        let o = g.transform
        let digits = g.crs.isGeographic ? 2 : 0
        return """
            \(g.width) x \(g.height) cells of \(size), top-left corner \
            (\(fixed(o.originX, digits)), \(fixed(o.originY, digits)))
            """
    }

    private func signed(_ x: Double) -> String { x > 0 ? "+" + fixed(x, 2) : fixed(x, 2) }

    /// Per-site overlap-weighted means over top...bottom for sites whose usable horizons cover it
    /// without gaps (the planted problem rows are left out).
    private func intervalMeans(top: Int, bottom: Int) -> [Double] {
        var result: [Double] = []
        var start = 0
        while start < horizons.count {
            var end = start
            while end + 1 < horizons.count, horizons[end + 1].siteID == horizons[start].siteID { end += 1 }
            var covered = 0
            var weighted = 0.0
            var complete = true
            var reach = top
            for h in horizons[start...end] where h.top < h.bottom {
                let a = max(h.top, top)
                let b = min(h.bottom, bottom)
                guard b > a else { continue }
                guard let v = h.soc, a <= reach else {
                    complete = false
                    break
                }
                weighted += Double(b - a) * v
                covered += b - a
                reach = max(reach, b)
            }
            if complete, reach >= bottom, covered >= bottom - top {
                result.append(weighted / Double(covered))
            }
            start = end + 1
        }
        return result
    }
}
