import Configuration
import Foundation
import Patches
import RasterIO
import SoilData
import TextFormat

/// What `socmap inspect` shows: the grid, each covariate and where the sites fall.
public struct Inspection: Sendable {
    /// The reference grid.
    public var grid: Grid
    /// Covariates with their statistics.
    public var covariates: [Covariate]
    /// Input channels (one-hot classes expanded).
    public var channelCount: Int
    /// Sites read.
    public var sitesRead: Int
    /// Sites inside the grid on cells where every covariate has data.
    public var sitesInside: Int
    /// Sites inside the grid on a nodata cell.
    public var sitesOnNodata: Int
    /// Sites outside the grid (or not transformable).
    public var sitesOutside: Int
    /// Covariate warnings (e.g. a likely nodata sentinel taken as data), each naming the file and the fix.
    public var warnings: [String] = []

    /// Builds the stack and locates the sites, without writing anything.
    public static func run(_ settings: InputSettings, observer: StageObserver) throws -> Inspection {
        let stack = try StackStage.run(settings, observer: observer)
        let loaded = try loadSites(
            path: settings.sites.file,
            columns: SiteColumns(id: settings.sites.idColumn, x: settings.sites.xColumn, y: settings.sites.yColumn))
        let transformer = try CoordinateTransformer(from: try CRS(settings.sites.crs), to: stack.grid.crs)
        var inside = 0
        var nodata = 0
        var outside = 0
        var cells: [(col: Int, row: Int)] = []
        for p in transformer.transform(loaded.sites.map { (x: $0.x, y: $0.y) }) {
            guard let p, let cell = stack.grid.cell(x: p.x, y: p.y) else {
                outside += 1
                continue
            }
            cells.append(cell)
        }
        // Check the centre cells tile by tile so memory stays bounded.
        var byTile: [Int: [(col: Int, row: Int)]] = [:]
        let t = settings.covariates.tileSize
        let across = (stack.grid.width + t - 1) / t
        for c in cells { byTile[(c.row / t) * across + c.col / t, default: []].append(c) }
        for key in byTile.keys.sorted() {
            let window = PixelWindow(
                col: (key % across) * t, row: (key / across) * t,
                width: min(t, stack.grid.width - (key % across) * t),
                height: min(t, stack.grid.height - (key / across) * t))
            let block = try stack.readScaled(window: window)
            for c in byTile[key]! {
                if block.valid[(c.row - window.row) * window.width + (c.col - window.col)] {
                    inside += 1
                } else {
                    nodata += 1
                }
            }
        }
        return Inspection(
            grid: stack.grid, covariates: stack.covariates, channelCount: stack.channels.count,
            sitesRead: loaded.sites.count, sitesInside: inside, sitesOnNodata: nodata, sitesOutside: outside,
            warnings: CovariateChecks.warnings(stack.covariates, settings: settings))
    }

    /// A plain-text account for the terminal.
    public func text() -> String {
        var s = "Grid\n"
        s += "  CRS         \(grid.crs)\n"
        s += "  cell size   \(fmt(grid.resolution.x)) x \(fmt(abs(grid.resolution.y)))\n"
        s += "  size        \(grid.width) x \(grid.height) cells\n"
        let e = grid.extent
        s += "  extent      \(fmt(e.minX)), \(fmt(e.minY)) .. \(fmt(e.maxX)), \(fmt(e.maxY))\n\n"
        s += "Covariates (\(covariates.count) rasters, \(channelCount) input channels)\n"
        let width = max(8, covariates.map(\.name.count).max() ?? 8)
        let gridCRS = grid.crs.epsg.map { "EPSG:\($0)" } ?? grid.crs.displayName
        for c in covariates {
            let name = c.name.padding(toLength: width, withPad: " ", startingAt: 0)
            let file = URL(fileURLWithPath: c.sourcePath).lastPathComponent
            let crs = c.sourceCRS == gridCRS ? "grid CRS" : c.sourceCRS
            let kind = c.kind.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)
            let nodata = CovariateChecks.nodataText(c)
            s += "  \(name)  \(kind) \(file) [\(crs), \(fmt(c.sourceResolution.x)) cell, nodata \(nodata)]"
            s += "  range \(fmt(c.min)) .. \(fmt(c.max)), mean \(fmt(c.mean))\n"
            if c.kind == .categorical {
                for k in c.classes { s += "      class \(k.value): \(k.label) (\(k.cellCount) cells)\n" }
            }
        }
        s += "\nCovariate checks (\(warnings.count) \(warnings.count == 1 ? "warning" : "warnings"))\n"
        s += warnings.isEmpty ? "  no problem found\n" : warnings.map { "  warning: \($0)\n" }.joined()
        s += "\nSites (\(sitesRead) read)\n"
        s += "  inside, on data    \(sitesInside)\n"
        s += "  inside, on nodata  \(sitesOnNodata)\n"
        s += "  outside the grid   \(sitesOutside)\n"
        return s
    }
}

extension CovariateChecks {
    /// A covariate's nodata for reports: the value in effect, marked when the pipeline set it.
    public static func nodataText(_ c: Covariate) -> String {
        if let override = c.nodataOverride { return "\(fmt(override)) (set by nodata:)" }
        return c.sourceNodata.map(fmt) ?? "none"
    }
}

/// A number as the reports write it.
func fmt(_ v: Double) -> String { NumberText.compact(v) }
