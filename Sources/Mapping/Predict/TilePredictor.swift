import Applicability
import Compute
import Foundation
import Models
import NeuralNet
import RasterIO

/// Residual kriging as the map stage hands it to the predictor: `estimate(depth, x, y, variances)` gives, for
/// cell centres in the grid's CRS, each kriged residual and (with `variances`) its kriging SD, NaN where none (a
/// depth without a fitted variogram gives an empty list: its map is the model's); `summary` fingerprints it for
/// the tile manifest.
public struct ResidualKriging: Sendable {
    /// The estimates of one depth at the given cell centres.
    public var estimate:
        @Sendable (_ depth: Int, _ x: [Double], _ y: [Double], _ variances: Bool) -> [(value: Double, sd: Double)]
    /// What is kriged (variograms, neighbours, residuals' hash), for the tile manifest.
    public var summary: String

    /// Residual kriging by `estimate`, fingerprinted by `summary`.
    public init(
        summary: String,
        estimate:
            @escaping @Sendable (_ depth: Int, _ x: [Double], _ y: [Double], _ variances: Bool) -> [(
                value: Double, sd: Double
            )]
    ) {
        self.summary = summary
        self.estimate = estimate
    }
}

/// Predicts the maps of every depth tile by tile: reads the scaled stack with a halo, runs the
/// model densely, masks nodata, and stores each finished tile.
public struct TilePredictor {
    /// The covariate stack (scaled reads).
    public let stack: CovariateStack
    /// The model.
    public let model: TrainedModel
    /// Number of depth maps.
    public let depths: Int
    /// Tiling.
    public let plan: MapPlan
    /// Largest share of a cell's patch that may be nodata (in any covariate) for the cell to be mapped.
    public let maxPatchNodata: Double
    /// The k cross-validation models whose spread is mapped (empty: no spread layers).
    public let ensemble: [TrainedModel]
    /// The dissimilarity index of the centre-cell covariates to the training sites (nil: no DI and AOA layers).
    public let applicability: DissimilarityIndex?
    /// The calibrated prediction interval around the model's prediction (nil: no bound layers); an
    /// adaptive one scales by the ensemble's spread, so it needs an ensemble.
    public let interval: PredictionInterval?
    /// The property's valid range: a depth map's value outside it by less than the range's width (a
    /// regression model's slight undershoot, e.g. -0.006 % at depth) is brought to the nearer end (the
    /// map stage counts and reports those cells); a value further out, or not finite, is left for the map
    /// stage's check to refuse (a damaged model). Applied after the interval bounds, which come from the
    /// model's own prediction. Nil: no correction.
    public var valueRange: ClosedRange<Double>?
    /// Per depth, Duan's smearing factor that moves a log1p model's median prediction to the mean
    /// ((1 + p) · factor − 1), applied to the depth maps after the interval's layers, which come from the
    /// median. Nil: the depth maps hold the model's prediction.
    public var smearing: [Double]?
    /// Residual kriging (regression kriging): per depth, the kriged residual at cell centres `x`, `y` (the grid's
    /// CRS) and, when `variance` is true, its kriging SD; added to the depth map before the interval, whose
    /// kriged bands (`PredictionInterval.krigedBands`) scale with the SD. Nil: the model's prediction alone.
    public var residualKriging: ResidualKriging?
    /// Per depth, the expected RMSE as a function of the DI (`ErrorProfile`), mapped after the AOA; nil: not
    /// mapped. Needs `applicability`.
    public var errorProfiles: [ErrorProfile]? {
        didSet {
            precondition(
                errorProfiles == nil || (applicability != nil && errorProfiles!.count == depths),
                "TilePredictor: an error profile per depth, and the DI it reads")
        }
    }

    /// Creates a predictor; the plan's halo must be the model's (and every ensemble member's). An
    /// interval has one half-width per depth; an adaptive one needs an ensemble.
    public init(
        stack: CovariateStack, model: TrainedModel, depths: Int, plan: MapPlan, maxPatchNodata: Double,
        ensemble: [TrainedModel] = [], interval: PredictionInterval? = nil, applicability: DissimilarityIndex? = nil
    ) {
        precondition(
            interval == nil || interval?.halfWidths.count == depths,
            "TilePredictor: the prediction interval needs \(depths) half-widths")
        precondition(
            interval?.adaptive != true || !ensemble.isEmpty,
            "TilePredictor: an adaptive interval scales by the CV models' spread, so it needs an ensemble")
        for (i, m) in ([model] + ensemble).enumerated() {
            precondition(
                m.halo == plan.halo, "TilePredictor: model \(i) reads a halo of \(m.halo) cells, the plan \(plan.halo)")
        }
        self.stack = stack
        self.model = model
        self.depths = depths
        self.plan = plan
        self.maxPatchNodata = maxPatchNodata
        self.ensemble = ensemble
        if let applicability {
            precondition(
                applicability.channels == stack.channels.count,
                """
                TilePredictor: the dissimilarity index has \(applicability.channels) \
                channels, the stack \(stack.channels.count)
                """
            )
        }
        self.applicability = applicability
        self.interval = interval
    }

    /// The layers of its tiles: the depth maps, then (with an ensemble) the CV models' SD per depth, then
    /// (with an interval) its lower bounds, upper bounds, medians and uncertainties per depth, then (with
    /// `applicability`) the DI and the AOA (1 inside, 0 outside), then (with `errorProfiles`) each depth's
    /// expected RMSE.
    public var layout: TileLayers {
        TileLayers(
            depths: depths, spread: !ensemble.isEmpty, bounds: interval != nil, applicability: applicability != nil,
            expectedError: errorProfiles != nil)
    }

    /// Maps of one tile: `layout.count` arrays of the tile's cells in the layout's order, NaN where not mapped.
    public func predict(tile index: Int) throws -> [[Float]] {
        let out = plan.tiles[index]
        let p = plan.patchSize
        let half = plan.halo
        let window = out.expanded(by: half)
        let block = try stack.readScaled(window: window, forEach: Parallel.forEach)  // files read in parallel
        let (h, w) = (window.height, window.width)
        // Which output cells are mapped: the centre has every covariate, and the patch is mostly data.
        var bad = [Int32](repeating: 0, count: (h + 1) * (w + 1))  // integral image of invalid cells
        for r in 0..<h {
            var rowSum: Int32 = 0
            for c in 0..<w {
                rowSum += block.valid[r * w + c] ? 0 : 1
                bad[(r + 1) * (w + 1) + c + 1] = bad[r * (w + 1) + c + 1] + rowSum
            }
        }
        let limit = Int32((maxPatchNodata * Double(p * p)).rounded(.down))
        var mapped = [Bool](repeating: false, count: out.cellCount)
        var any = false
        for i in 0..<out.height {
            for j in 0..<out.width {
                guard block.valid[(i + half) * w + j + half] else { continue }
                let s =
                    bad[(i + p) * (w + 1) + j + p] - bad[i * (w + 1) + j + p] - bad[(i + p) * (w + 1) + j]
                    + bad[i * (w + 1) + j]
                if s <= limit {
                    mapped[i * out.width + j] = true
                    any = true
                }
            }
        }
        guard any else {
            return [[Float]](repeating: [Float](repeating: .nan, count: out.cellCount), count: layout.count)
        }
        // The networks run over the smallest window holding every mapped cell (a coast or border tile
        // is mostly sea or nodata), and their maps are placed back into the tile.
        let box = Self.boundingBox(mapped, width: out.width, height: out.height)
        let tensor = Self.crop(
            block.values, channels: block.channelCount, width: w, rows: box.rows, cols: box.cols, patch: p)
        let place = { (maps: [[Float]]) in maps.map { Self.place($0, rows: box.rows, cols: box.cols, into: out) } }
        var maps = place(model.denseMaps(tile: tensor, depths: depths))
        var krigingSD: [[Float]?] = [[Float]?](repeating: nil, count: depths)
        if let residualKriging {
            krigingSD = Self.addKrigedResiduals(
                residualKriging, to: &maps, mapped: mapped, tile: out, grid: plan.grid,
                variances: (0..<depths).map { interval?.krigedBands?[$0] != nil })
        }
        var spread: [[Float]] = []
        if !ensemble.isEmpty {
            let members = ensemble.map { place($0.denseMaps(tile: tensor, depths: depths)) }
            spread = (0..<depths).map { d in EnsembleSpread.standardDeviation(predictions: members.map { $0[d] }) }
        }
        if let interval {
            let layers = (0..<depths).map { d in
                interval.layers(
                    prediction: maps[d], spread: spread.isEmpty ? nil : spread[d], krigingSD: krigingSD[d], depth: d)
            }
            maps +=
                spread + layers.map(\.lower) + layers.map(\.upper) + layers.map(\.median) + layers.map(\.uncertainty)
        } else {
            maps += spread
        }
        if let smearing {
            for d in 0..<depths {
                let f = Float(smearing[d])
                for k in maps[d].indices { maps[d][k] = (1 + maps[d][k]) * f - 1 }
            }
        }
        if let range = valueRange {
            for d in 0..<depths { Self.bring(&maps[d], into: range) }
        }
        if let applicability {
            let layers = Self.applicabilityLayers(applicability, block: block, tile: out, halo: half, mapped: mapped)
            maps += layers
            if let errorProfiles {
                maps += errorProfiles.map { profile in layers[0].map { Float(profile.expected(Double($0))) } }
            }
        }
        assert(maps.count == layout.count, "TilePredictor: \(maps.count) maps for \(layout.count) layers")
        for l in 0..<maps.count {
            for k in 0..<out.cellCount where !mapped[k] { maps[l][k] = .nan }
        }
        return maps
    }

    /// Adds each depth's kriged residual at the centres of the tile's mapped cells to its map (depths on Compute's
    /// workers, each a task of its own: the same cells on any thread count); returns per depth the kriging SD
    /// where `variances` asks for it (NaN outside the mapped cells).
    static func addKrigedResiduals(
        _ kriging: ResidualKriging, to maps: inout [[Float]], mapped: [Bool], tile out: PixelWindow, grid: Grid,
        variances: [Bool]
    ) -> [[Float]?] {
        let cells = mapped.indices.filter { mapped[$0] }
        var x = [Double](repeating: 0, count: cells.count)
        var y = x
        for (n, k) in cells.enumerated() {
            (x[n], y[n]) = grid.cellCenter(col: out.col + k % out.width, row: out.row + k / out.width)
        }
        let depths = maps.count < variances.count ? maps.count : variances.count
        var estimates = [[(value: Double, sd: Double)]](repeating: [], count: depths)
        estimates.withUnsafeMutableBufferPointer { slots in
            let out = slots
            Parallel.forEach(depths) { d in out[d] = kriging.estimate(d, x, y, variances[d]) }
        }
        var sd = [[Float]?](repeating: nil, count: depths)
        for d in 0..<depths where !estimates[d].isEmpty {
            if variances[d] { sd[d] = [Float](repeating: .nan, count: out.cellCount) }
            for (n, k) in cells.enumerated() {
                let e = estimates[d][n]
                if e.value.isFinite { maps[d][k] += Float(e.value) }
                if variances[d] { sd[d]![k] = Float(e.sd) }
            }
        }
        return sd
    }

    /// The rows and columns of a tile's output cells that hold every mapped cell (some cell is mapped).
    static func boundingBox(_ mapped: [Bool], width: Int, height: Int) -> (rows: Range<Int>, cols: Range<Int>) {
        var (r0, r1, c0, c1) = (height, -1, width, -1)
        for r in 0..<height {
            for c in 0..<width where mapped[r * width + c] {
                r0 = min(r0, r)
                r1 = max(r1, r)
                c0 = min(c0, c)
                c1 = max(c1, c)
            }
        }
        return (r0..<(r1 + 1), c0..<(c1 + 1))
    }

    /// The input window of the output cells `rows` x `cols` (each with its P x P patch) cut out of a
    /// C x H x `width` block, as a tensor.
    static func crop(
        _ values: [Float], channels: Int, width: Int, rows: Range<Int>, cols: Range<Int>, patch p: Int
    ) -> Tensor {
        let height = values.count / (channels * width)
        let (h, w) = (rows.count + p - 1, cols.count + p - 1)
        if h == height && w == width { return Tensor(shape: [channels, h, w], data: values) }
        var out = [Float](repeating: 0, count: channels * h * w)
        for ch in 0..<channels {
            for r in 0..<h {
                let from = ch * height * width + (rows.lowerBound + r) * width + cols.lowerBound
                out.withUnsafeMutableBufferPointer { o in
                    values.withUnsafeBufferPointer { v in
                        (o.baseAddress! + (ch * h + r) * w).update(from: v.baseAddress! + from, count: w)
                    }
                }
            }
        }
        return Tensor(shape: [channels, h, w], data: out)
    }

    /// A map of the output cells `rows` x `cols` placed into a tile of `out`'s cells (NaN elsewhere).
    static func place(_ map: [Float], rows: Range<Int>, cols: Range<Int>, into out: PixelWindow) -> [Float] {
        if rows.count == out.height && cols.count == out.width { return map }
        var full = [Float](repeating: .nan, count: out.cellCount)
        for (i, r) in rows.enumerated() {
            for (j, c) in cols.enumerated() { full[r * out.width + c] = map[i * cols.count + j] }
        }
        return full
    }

    /// The DI and AOA layers of a tile: the centre-cell covariates of every mapped cell against the
    /// training sites (NaN elsewhere).
    static func applicabilityLayers(
        _ index: DissimilarityIndex, block: StackBlock, tile out: PixelWindow, halo: Int,
        mapped: [Bool]
    ) -> [[Float]] {
        let (h, w, c) = (block.window.height, block.window.width, block.channelCount)
        let cells = mapped.indices.filter { mapped[$0] }
        var points = [Float](repeating: 0, count: cells.count * c)
        for (n, k) in cells.enumerated() {
            let at = (k / out.width + halo) * w + k % out.width + halo
            for ch in 0..<c { points[n * c + ch] = block.values[ch * h * w + at] }
        }
        let di = index.index(points, count: cells.count)
        var diLayer = [Float](repeating: .nan, count: out.cellCount)
        var aoa = diLayer
        for (n, k) in cells.enumerated() {
            diLayer[k] = Float(di[n])
            aoa[k] = index.inside(di[n]) ? 1 : 0
        }
        return [diLayer, aoa]
    }

    /// Predicts and stores the given tiles that the store does not hold yet; reports tiles done and
    /// cells after each stored tile. An error thrown by `progress` stops the run (stored tiles stay).
    public func run(
        tiles: [Int], store: TileStore,
        progress: ((_ done: Int, _ total: Int, _ cells: Int) throws -> Void)? = nil
    ) throws {
        let todo = store.missing(tiles)
        var cells = 0
        try progress?(tiles.count - todo.count, tiles.count, 0)
        for (k, t) in todo.enumerated() {
            try store.write(t, maps: try predict(tile: t))
            cells += plan.tiles[t].cellCount
            try progress?(tiles.count - todo.count + k + 1, tiles.count, cells)
        }
    }

    /// Brings the values of `map` that lie outside `range` by less than its width to its nearer end.
    static func bring(_ map: inout [Float], into range: ClosedRange<Double>) {
        let width = range.upperBound - range.lowerBound
        let (lo, hi) = (Float(range.lowerBound), Float(range.upperBound))
        let (far, farAbove) = (Float(range.lowerBound - width), Float(range.upperBound + width))
        for k in map.indices {
            let v = map[k]
            if v < lo && v > far { map[k] = lo } else if v > hi && v < farAbove { map[k] = hi }
        }
    }

}
