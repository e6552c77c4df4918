import Configuration
import Evaluation
import Foundation
import Randomness
import RasterIO

/// The prediction points of the evaluation (kNNDM folds, the geodist table): cells of the reference grid
/// where every covariate of the stack has data, on a regular lattice of about `count` cells (CAST's
/// `samplesize = 1000`, `sampling = "regular"`) whose origin the seed shifts. Read a lattice row at a
/// time, in pieces of at most a tile's width, so memory is bounded by a tile.
public enum PredictionCells {
    /// The number of prediction points aimed at.
    public static let count = 1000

    /// The cells of `stack` (in the grid's CRS, with its distance metric) for the run's `seed`:
    /// a lattice of about `count` cells over the grid, and, when the covariates have data at too few of
    /// them, once more with a lattice as much denser as the share of cells with data needs.
    public static func sample(stack: CovariateStack, seed: UInt64, file: String) throws -> PredictionDomain {
        let grid = stack.grid
        var random = SplitMix64(seed: SeedStream(root: seed).child("evaluate").child("prediction_cells").seed)
        let offset = (x: random.nextUnitDouble(), y: random.nextUnitDouble())
        var step = max(1, (Double(grid.cellCount) / Double(count)).squareRoot())
        var cells = try lattice(stack, step: step, offset: offset, file: file)
        if cells.valid.count < count * 9 / 10, step > 1 {
            let share = max(Double(cells.valid.count), 1) / Double(max(cells.tried, 1))
            step = max(1, step * share.squareRoot())
            cells = try lattice(stack, step: step, offset: offset, file: file)
        }
        let centres = cells.valid.map { grid.cellCenter(col: $0.col, row: $0.row) }
        let geographic = grid.crs.isGeographic
        return PredictionDomain(
            points: SpatialPoints(
                x: centres.map(\.x), y: centres.map(\.y), metric: geographic ? .greatCircle : .euclidean),
            unit: geographic ? "m" : ModelStages.blockUnit(grid.crs))
    }

    /// The lattice cells (columns and rows `offset + i · step`, rounded down) where every covariate has
    /// data, in row-major order, and how many lattice cells were tried.
    static func lattice(
        _ stack: CovariateStack, step: Double, offset: (x: Double, y: Double), file: String
    ) throws -> (valid: [(col: Int, row: Int)], tried: Int) {
        let grid = stack.grid
        func positions(_ size: Int, _ start: Double) -> [Int] {
            var out: [Int] = []
            var v = start * step
            while Int(v) < size {
                if out.last != Int(v) { out.append(Int(v)) }
                v += step
            }
            return out
        }
        let cols = positions(grid.width, offset.x)
        let rows = positions(grid.height, offset.y)
        var valid: [(col: Int, row: Int)] = []
        let piece = max(1, stack.tileSize)
        // Column pieces of at most a tile's width.
        var pieces: [Range<Int>] = []
        var start = 0
        while start < cols.count {
            var end = start
            while end < cols.count, cols[end] - cols[start] < piece { end += 1 }
            pieces.append(start..<end)
            start = end
        }
        // Tile by tile: the lattice rows of a band of a tile's height, one column piece after another, so
        // that the covariates' blocks under a tile are decompressed once, not once per lattice row (a
        // band's blocks of every covariate outgrow GDAL's block cache at 1 km: 55 s instead of a few).
        var band = 0
        while band < rows.count {
            var bandEnd = band
            while bandEnd < rows.count, rows[bandEnd] / piece == rows[band] / piece { bandEnd += 1 }
            var found: [(col: Int, row: Int)] = []
            for range in pieces {
                for row in rows[band..<bandEnd] {
                    let first = cols[range.lowerBound]
                    let window = PixelWindow(
                        col: first, row: row, width: cols[range.upperBound - 1] - first + 1, height: 1)
                    let block: StackBlock
                    do { block = try stack.readScaled(window: window) } catch {
                        throw StageError(
                            stage: .evaluate, file: file,
                            message: "cannot read the covariates to sample the prediction cells (\(window)): \(error)")
                    }
                    for c in cols[range] where block.valid[c - first] { found.append((c, row)) }
                }
            }
            valid += found.sorted { ($0.row, $0.col) < ($1.row, $1.col) }
            band = bandEnd
        }
        return (valid, cols.count * rows.count)
    }
}
