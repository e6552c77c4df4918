import Configuration
import Foundation
import Mapping
import RasterIO
import SoilData
import TextFormat

/// The analyses of the finished depth maps (after the map stage, inside the maps folder): the depth
/// consistency (`predict.depth_consistency`) and the carbon stocks (`stocks`), both done by
/// `Mapping.ProfileProducts` reading the maps tile by tile.
public enum ProfileStage {
    /// Checks the `stocks` inputs against the grid before any work: a projected grid (cell areas in
    /// metres), a bulk density raster that warps onto it and whose values fit the declared unit, and a
    /// coarse-fragment raster (if any) of fractions or percent as declared, each read in tiles of
    /// `tileSize` (`covariates.tile_size`). Errors name their key through `errorAt`. Returns what was checked.
    public static func check(
        _ stocks: StocksConfig?, grid: Grid, tileSize: Int, errorAt: KeyErrorMaker
    ) throws -> [String] {
        guard let stocks else { return [] }
        _ = try cellHectares(grid: grid, errorAt: errorAt)
        let units = CarbonStock.BulkDensityUnit.allCases
        let declared = stocks.bulkDensityUnit
        let bd = try scan(
            stocks.bulkDensity, nodata: stocks.bulkDensityNodata, grid: grid, tileSize: tileSize,
            key: "stocks.bulk_density", errorAt: errorAt, ranges: units.map(\.plausible))
        let share = bd.shares[units.firstIndex(of: declared)!]
        if share < 0.5 {
            throw errorAt(
                "stocks.bulk_density_unit",
                "the bulk density raster '\(stocks.bulkDensity)' has \(bd.text) and "
                    + String(format: "%.0f %%", 100 * share)
                    + " of its cells in the plausible range \(rangeText(declared.plausible)) \(declared.rawValue)"
                    + (likelyUnit(bd, units: units).map { unit in
                        "; its values fit \(unit.rawValue) (a median of \(fmt(bd.median)) \(unit.rawValue) is "
                            + "\(fmt(bd.median * unit.gramsPerCubicCentimetre)) g/cm3"
                            + (unit == .centigramsPerCubicCentimetre ? ", as in SoilGrids' bdod" : "")
                            + "): set bulk_density_unit: \(unit.rawValue)"
                    } ?? "; check the raster and bulk_density_unit"))
        }
        var lines = [
            "bulk density raster warps onto the grid: \(bd.valid) cells with a value, "
                + "median \(fmt(bd.median)) \(declared.rawValue), "
                + String(format: "%.1f %%", 100 * share)
                + " within \(rangeText(declared.plausible))"
        ]
        // Accepted, yet another unit reads the values as a more typical soil (bdod declared kg/m3: peat).
        if let likely = likelyUnit(bd, units: units), likely != declared {
            lines[0] +=
                "; note: the median is \(fmt(bd.median * declared.gramsPerCubicCentimetre)) g/cm3 as "
                + "\(declared.rawValue) but \(fmt(bd.median * likely.gramsPerCubicCentimetre)) g/cm3 as "
                + likely.rawValue
                + (likely == .centigramsPerCubicCentimetre ? " (SoilGrids' bdod)" : "") + ": check bulk_density_unit"
        }
        if case .raster(let path, let unit) = stocks.coarseFragments {
            let range = 0...(0.9999 / unit.fraction)
            let cf = try scan(
                path, nodata: stocks.coarseFragmentsNodata, grid: grid, tileSize: tileSize,
                key: "stocks.coarse_fragments", errorAt: errorAt, ranges: [range])
            if cf.shares[0] < 0.5 {
                throw errorAt(
                    "stocks.coarse_fragments_unit",
                    "the coarse-fragment raster '\(path)' has \(cf.text) and "
                        + String(format: "%.0f %%", 100 * cf.shares[0])
                        + " of its cells in [0, \(unit == .percent ? "100" : "1")) (\(unit.rawValue)); "
                        + (unit == .fraction ? "set coarse_fragments_unit: % for percent" : "check the raster"))
            }
            lines.append(
                "coarse-fragment raster warps onto the grid: median \(fmt(cf.median)) (\(unit.rawValue))")
        }
        return lines
    }

    /// The unit whose plausible range holds at least half of the cells and in which the median
    /// reads closest to a typical mineral soil (1.3 g/cm3): 140 is cg/cm3 (1.4 g/cm3), not kg/m3
    /// (0.14 g/cm3, peat), though both ranges hold it. Nil when no unit's range holds half.
    static func likelyUnit(
        _ scan: RasterScan, units: [CarbonStock.BulkDensityUnit]
    ) -> CarbonStock.BulkDensityUnit? {
        let fitting = units.indices.filter { scan.shares[$0] >= 0.5 && scan.median > 0 }
        let distance = { (i: Int) in abs(log(scan.median * units[i].gramsPerCubicCentimetre / 1.3)) }
        return fitting.min { distance($0) < distance($1) }.map { units[$0] }
    }

    /// The area of a grid cell in hectares; an error naming `stocks` for a geographic grid, whose cells
    /// are not of one size (a cell of 0.1 degree is 1.2 km² at the equator and 0.6 km² at 60 degrees).
    static func cellHectares(grid: Grid, errorAt: KeyErrorMaker) throws -> Double {
        guard let metres = try grid.crs.metresPerUnit() else {
            throw errorAt(
                "stocks",
                """
                the grid's CRS \(grid.crs) is geographic (degrees), so its cells have no constant area and the \
                total stock cannot be summed; map on a projected, preferably equal-area grid (covariates.grid \
                with e.g. an Albers CRS)
                """
            )
        }
        return abs(grid.transform.pixelWidth * grid.transform.pixelHeight) * metres * metres / 10_000
    }

    /// What `scan` found in a raster: cells with a value, the share of them inside each range asked
    /// for, the lowest, highest and median value.
    struct RasterScan {
        var valid: Int
        var shares: [Double]
        var lowest: Double
        var highest: Double
        /// The median, to 0.05 % (exact when the middle cell's bin, of 2048 per power of two, holds one value).
        var median: Double

        /// "a median of 140 (lowest 95, highest 182)".
        var text: String { "a median of \(fmt(median)) (lowest \(fmt(lowest)), highest \(fmt(highest)))" }
    }

    /// Reads the raster at `path` (with `nodata` replacing its own, when given) warped onto `grid` tile by
    /// tile: its cells with a value, the share in each of `ranges`, and the median from a histogram of the
    /// values' leading 20 bits (sign, exponent and 11 bits of mantissa: bins of a relative width of 0.05 %,
    /// whatever the values' range).
    static func scan(
        _ path: String, nodata: Double? = nil, grid: Grid, tileSize: Int, key: String, errorAt: KeyErrorMaker,
        ranges: [ClosedRange<Double>]
    ) throws -> RasterScan {
        guard FileManager.default.fileExists(atPath: path) else {
            throw errorAt(
                key,
                "raster '\(path)' does not exist; check the path (relative to the pipeline file)")
        }
        let raster: WarpedRaster
        do { raster = try WarpedRaster(path: path, onto: grid, resampling: .bilinear, nodata: nodata) } catch {
            throw errorAt(key, "\(error)")
        }
        defer { raster.close() }
        var valid = 0
        var inside = [Int](repeating: 0, count: ranges.count)
        var histogram = [Int](repeating: 0, count: 1 << 20)
        var binLowest = [Float](repeating: .infinity, count: 1 << 20)
        var binHighest = [Float](repeating: -.infinity, count: 1 << 20)
        var lowest = Double.infinity
        var highest = -Double.infinity
        for window in grid.tiles(size: tileSize) {
            let block = try raster.read(band: 1, window: window)
            for (v, ok) in zip(block.values, block.valid) where ok && v.isFinite {
                let x = Double(v)
                valid += 1
                lowest = min(lowest, x)
                highest = max(highest, x)
                for (i, r) in ranges.enumerated() where r.contains(x) { inside[i] += 1 }
                let bin = Int(orderedBits(v) >> 12)
                histogram[bin] += 1
                binLowest[bin] = min(binLowest[bin], v)
                binHighest[bin] = max(binHighest[bin], v)
            }
        }
        guard valid > 0 else {
            throw errorAt(
                key,
                "raster '\(path)' has no value over the grid; check that it covers the mapped area and its nodata value"
            )
        }
        // The bin of the middle cell (of the lower middle one for an even count).
        let middle = (valid + 1) / 2
        var seen = 0
        var bin = 0
        while seen + histogram[bin] < middle {
            seen += histogram[bin]
            bin += 1
        }
        // Exact when the bin holds one value (a typical raster's median), else its values' midpoint.
        let median = (Double(binLowest[bin]) + Double(binHighest[bin])) / 2
        return RasterScan(
            valid: valid, shares: inside.map { Double($0) / Double(valid) }, lowest: lowest, highest: highest,
            median: median)
    }

    /// A Float's bits as an unsigned number in the order of the values (negatives below positives).
    static func orderedBits(_ v: Float) -> UInt32 {
        let b = v.bitPattern
        return b & 0x8000_0000 != 0 ? ~b : b | 0x8000_0000
    }

    static func rangeText(_ r: ClosedRange<Double>) -> String { "\(fmt(r.lowerBound))-\(fmt(r.upperBound))" }

    /// What `ProfileProducts.run` computes for the maps of `depths` (labels of the model) with the
    /// map stage's `settings` (`predict`, `stocks`, the pipeline's depths), or nil when nothing is asked for.
    static func settings(
        _ settings: MapSettings, property: String, unit: String, depths: [String],
        grid: Grid, intervalLevel: Double?
    ) throws -> ProfileProducts.Settings? {
        let predict = settings.predict
        guard predict.depthConsistency != nil || settings.stocks != nil else { return nil }
        let intervals = try depths.map { label -> (top: Double, bottom: Double) in
            guard
                let d = settings.depths.first(where: { $0.label == label })
                    ?? (try? DepthInterval.parse(label.replacingOccurrences(of: "cm", with: "")))
            else {
                throw MapStageError(
                    .analyses, file: settings.file,
                    message: "the model's depth '\(label)' is not a depth interval; run `socmap run` again")
            }
            return (d.top, d.bottom)
        }
        var stocks: ProfileProducts.StockInputs?
        if let s = settings.stocks {
            stocks = ProfileProducts.StockInputs(
                socUnit: s.socUnit, bulkDensity: s.bulkDensity, bulkDensityUnit: s.bulkDensityUnit,
                coarseFragments: s.coarseFragments,
                cellHectares: try cellHectares(grid: grid, errorAt: settings.errorAt),
                bulkDensityNodata: s.bulkDensityNodata, coarseFragmentsNodata: s.coarseFragmentsNodata)
            stocks!.socMaximum = settings.validRange?.max
        }
        var analysis = ProfileProducts.Settings(
            name: predict.name, property: property, unit: unit, depths: depths, intervals: intervals,
            tileSize: predict.tileSize, consistencyThreshold: predict.depthConsistency, stocks: stocks,
            intervalLevel: intervalLevel)
        analysis.enforceMonotone = predict.enforceMonotone
        return analysis
    }

    /// The lines the terminal shows and the stage notes: the share of inverted cells and pairs, the total stocks.
    public static func summary(_ r: ProfileProducts.Result, unit: String, property: String) -> [String] {
        var lines: [String] = []
        if let c = r.consistency {
            lines.append(
                "depth consistency: " + percent(c.shareOfCellsInverted)
                    + " of the mapped cells have a deeper value more than \(fmt(c.threshold)) \(unit) "
                    + "above the one above it ("
                    + c.pairs.map { "\($0.upper)/\($0.lower) \(percent($0.share))" }.joined(separator: ", ") + ")")
        }
        if let m = r.monotone {
            lines.append(
                """
                monotone profile enforced (predict.depth_consistency.enforce_monotone): \(m.cellsChanged) of \
                \(m.cellsValid) cells lowered at some depth (
                """
                    + m.changes.dropFirst().filter { $0.cells > 0 }.map {
                        "\($0.label) \($0.cells), up to \(fmt($0.largest)) \(unit)"
                    }.joined(separator: "; ") + ")")
        }
        if let s = r.stocks {
            let shown = s.totals.filter { $0.isSum || $0.label == "0-30cm" || $0.label == "0-100cm" }
            for t in shown.isEmpty ? s.totals : shown {
                var line = "\(property) stock \(MapNames.depthTitle(label: t.label)): \(fmt(t.teragrams)) Tg"
                if let lo = t.lowerTonnes, let hi = t.upperTonnes {
                    line += " (interval bounds \(fmt(lo / 1e6))-\(fmt(hi / 1e6)) Tg)"
                }
                line += " over \(fmt(t.hectares / 100)) km², mean \(fmt(t.meanPerHectare)) t/ha"
                lines.append(line)
            }
        }
        return lines
    }

    static func percent(_ share: Double) -> String { share.isFinite ? String(format: "%.2f %%", 100 * share) : "-" }

    /// A number as the report prints it (`NumberText.compact`).
    static func fmt(_ v: Double) -> String { NumberText.compact(v) }
}
