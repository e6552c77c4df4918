import RasterIO

/// Depth consistency of one model's maps of several depth intervals, top first: for each pair of
/// adjacent depths, the cells where the deeper value exceeds the upper one by more than `threshold`
/// (an "inversion"; strictly more, in the property's unit), their share of the cells where both
/// values are valid, and the largest such rises with their cells. Fed window by window (`add`), so
/// memory is bounded by the window; nothing is corrected.
public struct DepthConsistency: Sendable, Equatable {
    /// One inverted pair at one cell.
    public struct Jump: Sendable, Equatable {
        /// Index of the upper depth of the pair (the pair is `pair`, `pair + 1`).
        public var pair: Int
        /// The upper depth's value.
        public var upper: Float
        /// The deeper depth's value.
        public var lower: Float
        /// Grid column and row of the cell.
        public var col: Int, row: Int
        /// The cell centre in the grid's CRS.
        public var x: Double, y: Double
        /// How much the deeper value exceeds the upper one.
        public var rise: Double { Double(lower) - Double(upper) }
    }

    /// The counts of one pair of adjacent depths.
    public struct Pair: Sendable, Equatable {
        /// Depth labels, e.g. "0-5cm" and "5-15cm".
        public var upper: String, lower: String
        /// Cells where both depths have a value.
        public var valid = 0
        /// Of those, cells where the deeper value exceeds the upper one by more than the threshold.
        public var inverted = 0
        /// The largest rise of the deeper value over the upper one among the inverted cells (nil: none).
        public var largestRise: Double?
        /// `inverted / valid` (NaN without valid cells).
        public var share: Double { valid > 0 ? Double(inverted) / Double(valid) : .nan }
    }

    /// The value of the inversion map where a cell has no pair with two values.
    public static let nodata: Float = 255

    /// Depth labels, top first.
    public let labels: [String]
    /// A deeper value counts as inverted when it exceeds the upper one by more than this (property's unit).
    public let threshold: Double
    /// How many of the largest rises are kept.
    public let keep: Int
    /// One entry per adjacent pair, top first.
    public private(set) var pairs: [Pair]
    /// The `keep` largest rises over all pairs, largest first (ties: upper pair, then row, then column first).
    public private(set) var largest: [Jump] = []
    /// Cells with at least one pair of valid values.
    public private(set) var cellsValid = 0
    /// Of those, cells with at least one inverted pair.
    public private(set) var cellsInverted = 0

    /// Starts the count for maps of `labels` (at least two depths, top first).
    public init(labels: [String], threshold: Double, keep: Int = 10) {
        precondition(labels.count >= 2, "DepthConsistency needs at least two depths, got \(labels.count)")
        precondition(
            threshold.isFinite && threshold >= 0,
            "DepthConsistency: threshold \(threshold) must be finite and not negative")
        precondition(keep >= 0, "DepthConsistency: keep \(keep) must not be negative")
        self.labels = labels
        self.threshold = threshold
        self.keep = keep
        pairs = zip(labels, labels.dropFirst()).map { Pair(upper: $0, lower: $1) }
    }

    /// Counts one window: `values[d]` holds depth d's values over `window` of `grid`, row-major,
    /// non-finite for nodata. Returns the inversion map of the window: per cell the number of
    /// inverted pairs (0 ... depths - 1), or `nodata` where no pair has two values.
    public mutating func add(values: [[Float]], window: PixelWindow, grid: Grid) -> [Float] {
        precondition(
            values.count == labels.count,
            "DepthConsistency.add: \(values.count) depth layers for \(labels.count) depths")
        precondition(
            values.allSatisfy { $0.count == window.cellCount },
            "DepthConsistency.add: every layer needs \(window.cellCount) cells")
        var map = [Float](repeating: Self.nodata, count: window.cellCount)
        for i in 0..<window.cellCount {
            var validPairs = 0
            var inverted = 0
            for p in pairs.indices {
                let upper = values[p][i]
                let lower = values[p + 1][i]
                guard upper.isFinite, lower.isFinite else { continue }
                validPairs += 1
                pairs[p].valid += 1
                let rise = Double(lower) - Double(upper)
                guard rise > threshold else { continue }
                inverted += 1
                pairs[p].inverted += 1
                pairs[p].largestRise = max(pairs[p].largestRise ?? rise, rise)
                let col = window.col + i % window.width
                let row = window.row + i / window.width
                consider(Jump(pair: p, upper: upper, lower: lower, col: col, row: row, x: 0, y: 0), grid: grid)
            }
            guard validPairs > 0 else { continue }
            cellsValid += 1
            if inverted > 0 { cellsInverted += 1 }
            map[i] = Float(inverted)
        }
        return map
    }

    /// Share of the cells with a valid pair that have at least one inverted pair (NaN without cells).
    public var shareOfCellsInverted: Double { cellsValid > 0 ? Double(cellsInverted) / Double(cellsValid) : .nan }

    /// Keeps `jump` if it is among the `keep` largest so far.
    private mutating func consider(_ jump: Jump, grid: Grid) {
        guard keep > 0 else { return }
        if largest.count == keep, let last = largest.last, !Self.ranksBefore(jump, last) { return }
        var j = jump
        let centre = grid.cellCenter(col: j.col, row: j.row)
        j.x = centre.x
        j.y = centre.y
        let at = largest.firstIndex { Self.ranksBefore(j, $0) } ?? largest.count
        largest.insert(j, at: at)
        if largest.count > keep { largest.removeLast() }
    }

    /// Larger rise first; ties by pair, row, column (so the list does not depend on the window order).
    static func ranksBefore(_ a: Jump, _ b: Jump) -> Bool {
        if a.rise != b.rise { return a.rise > b.rise }
        if a.pair != b.pair { return a.pair < b.pair }
        if a.row != b.row { return a.row < b.row }
        return a.col < b.col
    }

    /// The default threshold for maps in `unit`: 1 g/kg (or mg/g), 0.1 % (the same amount of carbon),
    /// else 0 (any rise counts). Rises below about 1 g/kg are within the repeatability of SOC
    /// measurements and far below the maps' cross-validated error.
    public static func defaultThreshold(unit: String) -> Double {
        switch unit.lowercased() {
        case "g/kg", "mg/g": return 1
        case "%": return 0.1
        default: return 0
        }
    }
}
