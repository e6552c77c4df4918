import RasterIO

/// What `generateSampleData` reports while it works.
public enum SampleDataProgress: Sendable, Equatable {
    /// A line to show, e.g. "main grid: 4797 x 4023 cells of 1.0 km".
    case note(String)
    /// `done` of `total` units of the whole generation (every raster, then the sites), never going
    /// back, with what is being done; the last report has done == total. A unit is about a
    /// millisecond of work on the 2-core machine the costs were measured on (`WorkCost`), so the
    /// rate and ETA hold across grids, sea and land, strips and finishing.
    case work(done: Int, total: Int, detail: String)
}

/// The cost model behind the progress units, in nanoseconds of one core of the machine it was
/// measured on (China at 1 km, 2026-12-03, idle: strips of the three grids and each finishing step
/// timed from the progress reports). It only shapes the progress bar, never the files.
enum WorkCost {
    /// Every cell: centre, land test, values.
    static let cell = 100
    /// Every cell of a projected grid: the inverse projection to longitude/latitude (PROJ).
    static let projectedCell = 650
    /// Every land cell: the surface sample (relief by finite differences, climate, soils ...).
    static let landCell = 6_000
    /// Every cell of every raster: its value and DEFLATE compression of its tile.
    static let rasterCell = 60
    /// Every cell of a Float32 raster at the end: statistics and overviews.
    static let finishedFloatCell = 57
    /// Every cell of a UInt8 raster at the end.
    static let finishedByteCell = 6
    /// Every site: the weighted draws (a chunk of weights recomputed), horizons and the tables.
    static let site = 200_000

    /// A strip of `cells` cells, about `landCells` of them land, written to `rasters` rasters.
    static func strip(cells: Int, landCells: Int, projected: Bool, rasters: Int) -> Int {
        cells * (cell + (projected ? projectedCell : 0) + rasters * rasterCell) + landCells * landCell
    }

    /// Statistics and overviews of one raster.
    static func finishing(cells: Int, dataType: RasterDataType) -> Int {
        cells * (dataType == .uint8 ? finishedByteCell : finishedFloatCell)
    }

    /// The sites, their horizons, the tables and the README.
    static func sites(_ count: Int) -> Int { count * site }
}

/// The planned work of one grid: its strips (whole rows) with their estimated costs, and the
/// finishing of its rasters.
struct GridWork {
    /// Rows of each strip, top to bottom.
    let strips: [Range<Int>]
    /// Cost of each strip (`WorkCost`), from its land estimated on every 8th row and column.
    let stripCosts: [Int]
    /// Rasters written on the grid.
    let rasters: Int
    /// Cost of finishing every raster.
    let finishingCost: Int

    /// The plan of `surface`'s grid with `rasters` rasters (`byteRasters` of them UInt8) in strips
    /// of `stripRows` rows.
    init(surface: GridSurface, rasters: Int, byteRasters: Int, stripRows: Int) {
        let grid = surface.grid
        strips = stride(from: 0, to: grid.height, by: stripRows).map { $0..<min($0 + stripRows, grid.height) }
        stripCosts = strips.map { rows in
            WorkCost.strip(
                cells: rows.count * grid.width, landCells: surface.estimatedLandCells(rows: rows),
                projected: !grid.crs.isGeographic, rasters: rasters)
        }
        self.rasters = rasters
        finishingCost =
            WorkCost.finishing(cells: grid.cellCount, dataType: .float32) * (rasters - byteRasters)
            + WorkCost.finishing(cells: grid.cellCount, dataType: .uint8) * byteRasters
    }

    /// The whole grid's cost.
    var cost: Int { stripCosts.reduce(0, +) + finishingCost }
}

/// Counts the planned work done and reports it in units of a million `WorkCost` nanoseconds.
struct WorkCounter {
    /// Units of the whole generation (at least 1).
    let total: Int
    /// Units reported so far.
    private(set) var done = 0
    let report: ((SampleDataProgress) -> Void)?
    /// The whole generation's cost, and the cost done so far.
    private let totalCost: Int
    private var cost = 0

    /// A counter for work of `totalCost`; reports 0 done at once.
    init(total totalCost: Int, report: ((SampleDataProgress) -> Void)?) {
        self.totalCost = totalCost
        total = max(1, totalCost / 1_000_000)
        self.report = report
        report?(.work(done: 0, total: total, detail: "starting"))
    }

    /// Adds planned work done and reports it; done reaches total only when all of it is done.
    mutating func advance(by workCost: Int, detail: String) {
        cost += workCost
        assert(cost <= totalCost, "WorkCounter: more work done than planned")
        done = cost >= totalCost ? total : min(total - 1, cost / 1_000_000)
        report?(.work(done: done, total: total, detail: detail))
    }
}
