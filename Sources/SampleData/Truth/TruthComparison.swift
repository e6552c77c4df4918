import Foundation
import RasterIO

/// How one depth map and its interval bounds compare with the sample's truth, over every cell
/// where the map, both bounds and the truth are defined.
public struct TruthScore: Sendable, Equatable, Codable {
    /// The depth label, e.g. "0-5cm".
    public var depth: String
    /// Cells compared.
    public var cells: Int
    /// Root mean square difference between the map and the noise-free truth (g/kg).
    public var rmse: Double
    /// Mean of map − truth (g/kg).
    public var meanError: Double
    /// Mean width of the interval, upper − lower bound (g/kg).
    public var meanWidth: Double
    /// Share of cells whose noise-free truth lies within [lower, upper].
    public var truthInBand: Double
    /// Share of cells where a simulated new observation (truth × lognormal noise, sigma of the
    /// README, one draw per cell) lies within [lower, upper].
    public var observationInBand: Double
    /// The same share within each fifth of the true value over the sample's land (1: the lowest fifth):
    /// whether the band holds where the carbon is.
    public var observationInBandByFifth: [Double]

    enum CodingKeys: String, CodingKey {
        case depth, cells, rmse
        case meanError = "mean_error"
        case meanWidth = "mean_width"
        case truthInBand = "truth_in_band"
        case observationInBand = "observation_in_band"
        case observationInBandByFifth = "observation_in_band_by_fifth_of_truth"
    }
}

/// One depth's files: the map and its interval bounds.
public struct TruthComparisonFiles: Sendable {
    /// Depth label, e.g. "0-5cm".
    public var depth: String
    /// Top and bottom of the interval, cm.
    public var top: Double, bottom: Double
    /// The prediction map and the lower and upper interval bounds (GeoTIFFs on the sample's main grid).
    public var map: String, lower: String, upper: String

    /// Names the three files of a depth.
    public init(depth: String, top: Double, bottom: Double, map: String, lower: String, upper: String) {
        self.depth = depth
        self.top = top
        self.bottom = bottom
        self.map = map
        self.lower = lower
        self.upper = upper
    }
}

extension SampleTruth {
    /// Scores each depth's map and interval against the truth, reading the maps in strips of
    /// `tileSize` rows.
    /// The simulated observations are drawn from the stream "truth-observations" of `seed`.
    public func compare(_ depths: [TruthComparisonFiles], seed: UInt64, tileSize: Int = 512) throws -> [TruthScore] {
        try depths.map { try compare($0, seed: seed, tileSize: tileSize) }
    }

    func compare(_ files: TruthComparisonFiles, seed: UInt64, tileSize: Int) throws -> TruthScore {
        let datasets = try [files.map, files.lower, files.upper].map { path -> RasterDataset in
            let dataset = try RasterDataset(path: path)
            let own = try dataset.grid()
            guard own.isAligned(with: grid) else {
                throw SampleDataError(
                    """
                    '\(path)' is not on the sample's main grid (\(own.width) x \(own.height) cells; \
                    the sample's is \(grid.width) x \(grid.height) of \(Int(grid.transform.pixelWidth)) m)
                    """,
                    hint: """
                        Compare maps made from sample-data/ with the grid of covariates/elevation.tif, and give the \
                        seed and resolution the sample was made with
                        """
                )
            }
            return dataset
        }
        defer { datasets.forEach { $0.close() } }
        let truth = expected(top: files.top, bottom: files.bottom)
        // One draw per land cell in row-major order, whatever the maps hold or the tile size.
        var rng = SeededGenerator(seed: seed, stream: "truth-observations \(files.depth)")
        let sigma = Self.noiseSigma
        let observations = truth.map { t in t.map { $0 * exp(sigma * rng.normal() - sigma * sigma / 2) } }
        var n = 0
        var squared = 0.0
        var error = 0.0
        var width = 0.0
        var truthIn = 0
        var observationIn = 0
        // The fifths of the true value over the land cells: a cell's fifth from the four cut points.
        let sortedTruth = truth.compactMap { $0 }.sorted()
        let cuts = (1..<5).map { sortedTruth.isEmpty ? 0 : sortedTruth[sortedTruth.count * $0 / 5] }
        var fifthIn = [Int](repeating: 0, count: 5)
        var fifthCount = [Int](repeating: 0, count: 5)
        // Strips of whole rows, so the sums run in row-major order whatever the strip height.
        let strips = stride(from: 0, to: grid.height, by: tileSize).map {
            PixelWindow(col: 0, row: $0, width: grid.width, height: min(tileSize, grid.height - $0))
        }
        for window in strips {
            let blocks = try datasets.map { try $0.read(band: 1, window: window) }
            for r in 0..<window.height {
                for c in 0..<window.width {
                    let i = r * window.width + c
                    let cell = (window.row + r) * grid.width + window.col + c
                    guard let t = truth[cell], let observed = observations[cell] else { continue }
                    guard blocks[0].valid[i], blocks[1].valid[i], blocks[2].valid[i] else { continue }
                    let m = Double(blocks[0].values[i])
                    let lo = Double(blocks[1].values[i])
                    let hi = Double(blocks[2].values[i])
                    n += 1
                    squared += (m - t) * (m - t)
                    error += m - t
                    width += hi - lo
                    if lo <= t && t <= hi { truthIn += 1 }
                    let fifth = cuts.filter { t >= $0 }.count
                    fifthCount[fifth] += 1
                    if lo <= observed && observed <= hi {
                        observationIn += 1
                        fifthIn[fifth] += 1
                    }
                }
            }
        }
        guard n > 0 else {
            throw SampleDataError(
                "'\(files.map)' and its bounds share no valid cell with the sample's land",
                hint: "Check that the maps were made from sample-data/")
        }
        let count = Double(n)
        return TruthScore(
            depth: files.depth, cells: n, rmse: (squared / count).squareRoot(), meanError: error / count,
            meanWidth: width / count, truthInBand: Double(truthIn) / count,
            observationInBand: Double(observationIn) / count,
            observationInBandByFifth: zip(fifthIn, fifthCount).map { $1 > 0 ? Double($0) / Double($1) : .nan })
    }
}
