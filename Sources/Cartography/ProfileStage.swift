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
        let bd = try scan(
            stocks.bulkDensity, grid: grid, tileSize: tileSize, key: "stocks.bulk_density",
            errorAt: errorAt, plausible: stocks.bulkDensityUnit.plausible)
        if bd.shareInside < 0.5 {
            let other = CarbonStock.BulkDensityUnit.allCases.first {
                $0 != stocks.bulkDensityUnit && bd.median.map($0.plausible.contains) == true
            }
            throw errorAt(
                "stocks.bulk_density_unit",
                "the bulk density raster '\(stocks.bulkDensity)' has a median of \(fmt(bd.median ?? .nan)) and "
                    + String(format: "%.0f %%", 100 * bd.shareInside)
                    + " of its cells in the plausible range \(rangeText(stocks.bulkDensityUnit.plausible)) "
                    + stocks.bulkDensityUnit.rawValue
                    + (other.map { "; its values look like \($0.rawValue): set bulk_density_unit: \($0.rawValue)" }
                        ?? "; check the raster and bulk_density_unit"))
        }
        var lines = [
            "bulk density raster warps onto the grid: \(bd.valid) cells with a value, "
                + "median \(fmt(bd.median ?? .nan)) \(stocks.bulkDensityUnit.rawValue), "
                + String(format: "%.1f %%", 100 * bd.shareInside)
                + " within \(rangeText(stocks.bulkDensityUnit.plausible))"
        ]
        if case .raster(let path, let unit) = stocks.coarseFragments {
            let range = 0...(0.9999 / unit.fraction)
            let cf = try scan(
                path, grid: grid, tileSize: tileSize, key: "stocks.coarse_fragments", errorAt: errorAt,
                plausible: range)
            if cf.shareInside < 0.5 {
                throw errorAt(
                    "stocks.coarse_fragments_unit",
                    "the coarse-fragment raster '\(path)' has a median of \(fmt(cf.median ?? .nan)) and "
                        + String(format: "%.0f %%", 100 * cf.shareInside)
                        + " of its cells in [0, \(unit == .percent ? "100" : "1")) (\(unit.rawValue)); "
                        + (unit == .fraction ? "set coarse_fragments_unit: % for percent" : "check the raster"))
            }
            lines.append(
                "coarse-fragment raster warps onto the grid: median \(fmt(cf.median ?? .nan)) (\(unit.rawValue))")
        }
        return lines
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

    /// Cells with a value, the share within `plausible` and the median, read tile by tile
    /// (the median from a histogram of 0.1 % bins of the plausible range, with the values outside it).
    static func scan(
        _ path: String, grid: Grid, tileSize: Int, key: String, errorAt: KeyErrorMaker,
        plausible: ClosedRange<Double>
    ) throws -> (valid: Int, shareInside: Double, median: Double?) {
        guard FileManager.default.fileExists(atPath: path) else {
            throw errorAt(
                key,
                "raster '\(path)' does not exist; check the path (relative to the pipeline file)")
        }
        let raster: WarpedRaster
        do { raster = try WarpedRaster(path: path, onto: grid, resampling: .bilinear) } catch {
            throw errorAt(key, "\(error)")
        }
        defer { raster.close() }
        var valid = 0
        var inside = 0
        var below = 0
        var above = 0
        let bins = 1000
        var histogram = [Int](repeating: 0, count: bins)
        var lowest = Double.infinity
        var highest = -Double.infinity
        let width = plausible.upperBound - plausible.lowerBound
        for window in grid.tiles(size: tileSize) {
            let block = try raster.read(band: 1, window: window)
            for (v, ok) in zip(block.values, block.valid) where ok && v.isFinite {
                let x = Double(v)
                valid += 1
                lowest = min(lowest, x)
                highest = max(highest, x)
                if x < plausible.lowerBound {
                    below += 1
                } else if x > plausible.upperBound {
                    above += 1
                } else {
                    inside += 1
                    histogram[min(bins - 1, Int((x - plausible.lowerBound) / width * Double(bins)))] += 1
                }
            }
        }
        guard valid > 0 else {
            throw errorAt(
                key,
                "raster '\(path)' has no value over the grid; check that it covers the mapped area and its nodata value"
            )
        }
        // The median: in the bins, or below / above the range when the middle value is there.
        let middle = (valid + 1) / 2
        var median: Double?
        if middle <= below {
            median = lowest
        } else if middle > below + inside {
            median = highest
        } else {
            var seen = below
            for (b, n) in histogram.enumerated() {
                seen += n
                if seen >= middle {
                    median = plausible.lowerBound + (Double(b) + 0.5) * width / Double(bins)
                    break
                }
            }
        }
        return (valid, Double(inside) / Double(valid), median)
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
                cellHectares: try cellHectares(grid: grid, errorAt: settings.errorAt))
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
