/// The running total of the land cells' sampling weights in row-major order, kept without a value
/// per cell: only the total at the end of every chunk of `chunkSize` land cells and where each
/// chunk starts and ends.
///
/// A weighted draw finds its chunk by binary search and adds up that chunk's weights again (the
/// same weights in the same order from the same starting total, so the same sums bit for bit as
/// a running total kept for every cell). Memory: 24 bytes per chunk; a draw recomputes at most
/// `chunkSize` weights.
struct LandWeights: Sendable {
    /// Land cells per stored total.
    let chunkSize: Int

    /// The sum of every weight added so far.
    private(set) var total = 0.0
    /// Land cells added so far.
    private(set) var landCount = 0
    /// Row-major indices of the first and the last land cell of each chunk.
    private var chunkCells: [ClosedRange<Int>] = []
    /// The running total after the last land cell of each chunk.
    private var chunkTotals: [Double] = []

    /// Running totals kept every `chunkSize` land cells (at least 1).
    init(chunkSize: Int) {
        precondition(chunkSize >= 1, "LandWeights: chunk size \(chunkSize) must be at least 1")
        self.chunkSize = chunkSize
    }

    /// A chunk size for a grid of `cellCount` cells: one chunk per 2^18 cells of the grid, 1 to 64
    /// land cells, so the totals take at most about 6 MB (3.4 MB for China at 1 km, 64 land cells a
    /// chunk) and a draw recomputes few weights on small grids (one at 10 km).
    static func chunkSize(forGridOf cellCount: Int) -> Int {
        min(64, max(1, cellCount >> 18))
    }

    /// The weight a land cell counts with: at least 1e-9, so every land cell can be drawn.
    static func effective(_ weight: Double) -> Double { max(weight, 1e-9) }

    /// Adds the next land cell (row-major `cell`, after every cell added before) with its weight.
    mutating func append(cell: Int, weight: Double) {
        precondition(
            chunkCells.last.map { cell > $0.upperBound } ?? true,
            "LandWeights: cell \(cell) is not after the cells added before")
        total += Self.effective(weight)
        if landCount % chunkSize == 0 {
            chunkCells.append(cell...cell)
            chunkTotals.append(total)
        } else {
            chunkCells[chunkCells.count - 1] = chunkCells[chunkCells.count - 1].lowerBound...cell
            chunkTotals[chunkTotals.count - 1] = total
        }
        landCount += 1
    }

    /// The land cell whose running total is the first above `target` (the last land cell when none
    /// is): a cell drawn with probability proportional to its weight when `target` is uniform in
    /// [0, total). `landWeights(cells)` must give the land cells of a run of row-major cells with the
    /// weights they were added with, in order.
    func cell(at target: Double, landWeights: (Range<Int>) -> [(cell: Int, weight: Double)]) -> Int {
        precondition(landCount > 0, "LandWeights: no land cell to draw from")
        // The first chunk whose closing total is above the target, else the last chunk.
        var lo = 0
        var hi = chunkTotals.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if chunkTotals[mid] > target { hi = mid } else { lo = mid + 1 }
        }
        let cells = landWeights(chunkCells[lo].lowerBound..<(chunkCells[lo].upperBound + 1))
        assert(cells.count == min(chunkSize, landCount - lo * chunkSize), "LandWeights: the chunk's land cells changed")
        var running = lo > 0 ? chunkTotals[lo - 1] : 0
        for (cell, weight) in cells {
            running += Self.effective(weight)
            if running > target { return cell }
        }
        return chunkCells[lo].upperBound
    }
}
