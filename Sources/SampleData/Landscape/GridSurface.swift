import RasterIO

/// The landscape seen by one grid's cells: cell centres in longitude/latitude, the land mask and
/// the surface samples, for a strip of rows or a run of cells at a time (never the whole grid).
///
/// Every cell's values come from its own centre alone, so a strip, a run of cells or a single cell
/// gives the same values whatever else is computed with it.
struct GridSurface {
    /// The grid.
    let grid: Grid
    /// The surface evaluated at the cell centres.
    let landscape: Landscape
    /// Grid CRS to WGS84; nil when the grid is already in longitude/latitude.
    private let toLonLat: CoordinateTransformer?

    /// The surface on `grid`; `wgs84` is EPSG:4326.
    init(grid: Grid, landscape: Landscape, wgs84: CRS) throws {
        self.grid = grid
        self.landscape = landscape
        toLonLat = grid.crs.isGeographic ? nil : try CoordinateTransformer(from: grid.crs, to: wgs84)
    }

    /// The cells of one strip: centres in longitude/latitude (nil where PROJ cannot transform) and
    /// the samples (nil off the land), row-major.
    struct Strip {
        /// Row-major index of the strip's first cell in the grid.
        var firstCell: Int
        /// Longitude (x) and latitude (y) of each cell centre.
        var lonLat: [(x: Double, y: Double)?]
        /// The surface at each cell centre; nil outside the land mask.
        var samples: [SurfaceSample?]
    }

    /// Longitude/latitude of the centres of row-major `cells`.
    func lonLat(cells: Range<Int>) -> [(x: Double, y: Double)?] {
        let centres = cells.map { grid.cellCenter(col: $0 % grid.width, row: $0 / grid.width) }
        guard let toLonLat else { return centres }
        return toLonLat.transform(centres)
    }

    /// Longitude/latitude of points given in the grid's CRS.
    func lonLat(points: [(x: Double, y: Double)]) -> [(x: Double, y: Double)?] {
        guard let toLonLat else { return points }
        return toLonLat.transform(points)
    }

    /// The surface at a longitude/latitude; nil off the land.
    func sample(at p: (x: Double, y: Double)?) -> SurfaceSample? {
        guard let p, ChinaOutline.isLand(lon: p.x, lat: p.y) else { return nil }
        return landscape.sample(lon: p.x, lat: p.y)
    }

    /// The cells of row-major `cells` (any run, e.g. part of a row).
    func strip(cells: Range<Int>) -> Strip {
        let points = lonLat(cells: cells)
        return Strip(firstCell: cells.lowerBound, lonLat: points, samples: points.map(sample(at:)))
    }

    /// The cells of `rows`.
    func strip(rows: Range<Int>) -> Strip {
        strip(cells: (rows.lowerBound * grid.width)..<(rows.upperBound * grid.width))
    }

    /// About how many land cells `rows` hold, from the centres of every `step`-th cell of every
    /// `step`-th row (the first row and column always): for planning progress, never for the data.
    func estimatedLandCells(rows: Range<Int>, step: Int = 8) -> Int {
        var centres: [(x: Double, y: Double)] = []
        for row in stride(from: rows.lowerBound, to: rows.upperBound, by: step) {
            for col in stride(from: 0, to: grid.width, by: step) { centres.append(grid.cellCenter(col: col, row: row)) }
        }
        guard !centres.isEmpty else { return 0 }
        let land = lonLat(points: centres).filter { p in p.map { ChinaOutline.isLand(lon: $0.x, lat: $0.y) } ?? false }
            .count
        return Int((Double(land) / Double(centres.count) * Double(rows.count * grid.width)).rounded())
    }

    /// True when the centre of the cell is on land (without computing its sample).
    func isLand(col: Int, row: Int) -> Bool {
        guard let p = lonLat(cells: (row * grid.width + col)..<(row * grid.width + col + 1))[0] else { return false }
        return ChinaOutline.isLand(lon: p.x, lat: p.y)
    }
}
