/// Running statistics of one covariate over the reference grid, fed tile by tile.
struct CovariateStatistics: Equatable, Sendable {
    let kind: CovariateKind
    private(set) var minimum = Double.infinity
    private(set) var maximum = -Double.infinity
    private(set) var sum = 0.0
    private(set) var count = 0
    private(set) var classCounts: [Int: Int] = [:]
    /// SHA-256 of the values on the grid (`GridDigest`), set when every tile has been added.
    var gridSHA256 = ""
    /// A value of a categorical covariate that is not a whole number, if one was seen.
    private(set) var nonIntegerValue: Float?

    init(kind: CovariateKind) { self.kind = kind }

    /// Statistics gathered earlier (`StackStatistics`).
    init(
        kind: CovariateKind, minimum: Double, maximum: Double, sum: Double, count: Int, classCounts: [Int: Int],
        gridSHA256: String
    ) {
        self.kind = kind
        self.gridSHA256 = gridSHA256
        self.minimum = minimum
        self.maximum = maximum
        self.sum = sum
        self.count = count
        self.classCounts = classCounts
    }

    /// Adds the valid cells of a block.
    mutating func add(_ block: RasterBlock) {
        var lo = minimum
        var hi = maximum
        var s = sum
        var n = count
        block.values.withUnsafeBufferPointer { values in
            block.valid.withUnsafeBufferPointer { valid in
                for i in 0..<values.count where valid[i] {
                    let v = Double(values[i])
                    if v < lo { lo = v }
                    if v > hi { hi = v }
                    s += v
                    n += 1
                }
            }
        }
        minimum = lo
        maximum = hi
        sum = s
        count = n
        guard kind == .categorical else { return }
        for i in block.values.indices where block.valid[i] {
            let v = block.values[i]
            guard v == v.rounded(), abs(v) < 1e9 else {
                if nonIntegerValue == nil { nonIntegerValue = v }
                continue
            }
            classCounts[Int(v), default: 0] += 1
        }
    }

    /// Mean of the valid cells (NaN when there is none).
    var mean: Double { count > 0 ? sum / Double(count) : .nan }
}
