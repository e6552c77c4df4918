/// Where the synthetic survey sites fall: on land cells of the main grid, denser in the east and on
/// farmland, and partly in clusters (as real surveys are).
struct SiteSampler {
    /// A drawn site position: the main-grid cell and the position inside it (0...1 from the top-left corner).
    struct Draw: Sendable, Equatable {
        var col: Int
        var row: Int
        var fx: Double
        var fy: Double
    }

    /// Grid width in cells.
    let width: Int
    /// Grid height in cells.
    let height: Int
    /// The land cells' weights, added in row-major order.
    let weights: LandWeights
    /// True for a land cell (column, row).
    let isLand: (_ col: Int, _ row: Int) -> Bool
    /// The land cells of a run of row-major cells with their weights (those added to `weights`).
    let landWeights: (Range<Int>) -> [(cell: Int, weight: Double)]

    /// A sampler over the land cells of a width x height grid whose weights are in `weights`.
    init(
        width: Int, height: Int, weights: LandWeights, isLand: @escaping (_ col: Int, _ row: Int) -> Bool,
        landWeights: @escaping (Range<Int>) -> [(cell: Int, weight: Double)]
    ) {
        self.width = width
        self.height = height
        self.weights = weights
        self.isLand = isLand
        self.landWeights = landWeights
    }

    /// A land cell drawn with probability proportional to its weight.
    func weightedCell(_ rng: inout SeededGenerator) -> Int {
        precondition(weights.landCount > 0, "SiteSampler: no land cell to place sites on")
        let target = rng.uniform() * weights.total
        return weights.cell(at: target, landWeights: landWeights)
    }

    /// `count` site positions: a share `clusterShare` scattered (normal, sd `clusterSigma` cells)
    /// around `count / 50` weighted cluster centres, the rest drawn by weight over all land.
    func draw(count: Int, clusterShare: Double = 0.55, clusterSigma: Double, rng: inout SeededGenerator) -> [Draw] {
        let centres = (0..<max(1, count / 50)).map { _ in weightedCell(&rng) }
        var draws: [Draw] = []
        draws.reserveCapacity(count)
        for _ in 0..<count {
            var cell = -1
            if rng.chance(clusterShare) {
                let centre = centres[rng.integer(in: 0...(centres.count - 1))]
                for _ in 0..<30 {
                    let col = centre % width + Int((rng.normal() * clusterSigma).rounded())
                    let row = centre / width + Int((rng.normal() * clusterSigma).rounded())
                    if col >= 0, row >= 0, col < width, row < height, isLand(col, row) {
                        cell = row * width + col
                        break
                    }
                }
            }
            if cell < 0 { cell = weightedCell(&rng) }
            // Keep 2% of a cell from its edges so rounded coordinates stay in the cell.
            let fx = rng.uniform(0.02, 0.98)
            let fy = rng.uniform(0.02, 0.98)
            draws.append(Draw(col: cell % width, row: cell / width, fx: fx, fy: fy))
        }
        return draws
    }
}
