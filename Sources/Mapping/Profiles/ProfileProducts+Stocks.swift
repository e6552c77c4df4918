/// The carbon stocks of `ProfileProducts.run`: their inputs, totals and the per-tile arithmetic
/// (`StockPlan`) over `CarbonStock`.
extension ProfileProducts {
    /// Coarse fragments: a constant volume fraction, or a raster.
    public enum CoarseFragments: Sendable, Equatable {
        /// The same volume fraction (0 ... <1) everywhere.
        case constant(Double)
        /// A raster of volume fractions or percent, warped onto the grid (bilinear).
        case raster(path: String, unit: CarbonStock.FractionUnit)
    }

    /// What the stocks are made of.
    public struct StockInputs: Sendable, Equatable {
        /// The unit of the SOC maps.
        public var socUnit: CarbonStock.SOCUnit
        /// The bulk density raster (warped onto the grid, bilinear) and its unit.
        public var bulkDensity: String
        public var bulkDensityUnit: CarbonStock.BulkDensityUnit
        /// Coarse fragments.
        public var coarseFragments: CoarseFragments
        /// The area of one grid cell in hectares (the grid must be projected).
        public var cellHectares: Double

        /// Creates the inputs.
        public init(
            socUnit: CarbonStock.SOCUnit, bulkDensity: String, bulkDensityUnit: CarbonStock.BulkDensityUnit,
            coarseFragments: CoarseFragments, cellHectares: Double
        ) {
            precondition(
                cellHectares > 0 && cellHectares.isFinite, "StockInputs: cell area \(cellHectares) ha must be positive")
            self.socUnit = socUnit
            self.bulkDensity = bulkDensity
            self.bulkDensityUnit = bulkDensityUnit
            self.coarseFragments = coarseFragments
            self.cellHectares = cellHectares
        }
    }

    /// The total stock of one layer (a depth interval or a sum) over the mapped cells.
    public struct StockTotal: Sendable, Equatable {
        /// The layer's label, e.g. "0-5cm" or "0-30cm".
        public var label: String
        /// True for a sum of depth intervals.
        public var isSum: Bool
        /// The map's base name, e.g. "soc_stock_0-30cm".
        public var map: String
        /// Cells with a stock.
        public var cells = 0
        /// Summed over those cells, in tonnes: the stock, and the stock of the interval's lower and upper bounds.
        public var tonnes = 0.0
        public var lowerTonnes: Double?
        public var upperTonnes: Double?
        /// The cells' area in hectares.
        public var hectares = 0.0
        /// Mean stock in t/ha over the mapped cells.
        public var meanPerHectare: Double { hectares > 0 ? tonnes / hectares : .nan }
        /// Total in teragrams (= megatonnes, 10⁶ t).
        public var teragrams: Double { tonnes / 1e6 }
    }

    /// The stocks' totals and the cells left out.
    public struct StockResult: Sendable, Equatable {
        /// One entry per depth interval, then per sum.
        public var totals: [StockTotal]
        /// Cells with a SOC value but no usable bulk density (nodata or outside the grid).
        public var cellsWithoutBulkDensity = 0
        /// Cells whose bulk density lies outside the plausible range (left without a stock).
        public var cellsImplausibleBulkDensity = 0
        /// Cells whose coarse-fragment value is nodata or outside [0, 1) (left without a stock).
        public var cellsWithoutCoarseFragments = 0
        /// Whether interval bounds were computed.
        public var hasBounds = false
        /// The sums left out because the depths do not reach or tile them, e.g. "0-100cm".
        public var sumsNotCovered: [String] = []
    }

    /// The metadata item saying how the stocks were computed.
    public static let formulaKey = "SOCMAP_STOCK_FORMULA"
    /// The formula, as written into the stock maps.
    public static let formula = "stock (t/ha) = SOC (g/kg) x BD (g/cm3) x (1 - CF) x thickness (cm) x 0.1"
    /// How the stock bounds are made, as written into the maps and the report.
    public static let boundsNote = """
        the SOC interval bounds (lower bound clamped at 0) times BD and (1 - CF), which are treated as exact; \
        the bounds of a sum are the sums of the depths' bounds, which are conservative (wider than the sum's own \
        interval unless the depths' errors are perfectly correlated)
        """

    /// The stock layers of a window and the running totals.
    struct StockPlan {
        let inputs: StockInputs
        let sums: [CarbonStock.Sum]
        var result: StockResult

        /// The stock layers of one window: per interval, per sum, then (with bounds) the same for
        /// the lower and the upper bounds.
        mutating func add(
            values: [[Float]], lower: [[Float]], upper: [[Float]], bulkDensity: [Float], coarse: [Float]?,
            s: Settings
        ) throws -> [[Float]] {
            let n = bulkDensity.count
            let depths = values.count
            let plausible = CarbonStock.plausibleBulkDensity
            // Per cell: BD in g/cm3 times the fine-earth fraction, NaN where unusable.
            var fineEarth = [Double](repeating: .nan, count: n)
            for i in 0..<n {
                let hasSOC = values.contains { $0[i].isFinite }
                let bd = Double(bulkDensity[i]) * inputs.bulkDensityUnit.gramsPerCubicCentimetre
                guard bd.isFinite else {
                    if hasSOC { result.cellsWithoutBulkDensity += 1 }
                    continue
                }
                guard plausible.contains(bd) else {
                    if hasSOC { result.cellsImplausibleBulkDensity += 1 }
                    continue
                }
                let cf: Double
                switch inputs.coarseFragments {
                case .constant(let f): cf = f
                case .raster(_, let unit): cf = Double(coarse![i]) * unit.fraction
                }
                guard cf.isFinite, cf >= 0, cf < 1 else {
                    if hasSOC { result.cellsWithoutCoarseFragments += 1 }
                    continue
                }
                fineEarth[i] = bd * (1 - cf)
            }
            func stocks(_ soc: [[Float]], clampAtZero: Bool, total: WritableKeyPath<StockTotal, Double?>?) -> [[Float]]
            {
                var out = [[Float]](repeating: [Float](repeating: .nan, count: n), count: depths + sums.count)
                var perInterval = [[Double]](repeating: [Double](repeating: .nan, count: n), count: depths)
                for d in 0..<depths {
                    let thickness = s.intervals[d].bottom - s.intervals[d].top
                    for i in 0..<n where fineEarth[i].isFinite && soc[d][i].isFinite {
                        let value = clampAtZero ? max(0, Double(soc[d][i])) : Double(soc[d][i])
                        let stock = CarbonStock.stock(
                            soc: value, socUnit: inputs.socUnit, bulkDensity: fineEarth[i],
                            coarseFraction: 0, thickness: thickness)
                        perInterval[d][i] = stock
                        out[d][i] = Float(stock)
                    }
                }
                for (k, sum) in sums.enumerated() {
                    for i in 0..<n {
                        var total = 0.0
                        for m in sum.members { total += perInterval[m][i] }
                        if total.isFinite { out[depths + k][i] = Float(total) }
                    }
                }
                // Totals from the stored (Float32) values, so the report matches the maps.
                for (k, layer) in out.enumerated() {
                    for v in layer where v.isFinite {
                        if let total {
                            result.totals[k][keyPath: total]! += Double(v) * inputs.cellHectares
                        } else {
                            result.totals[k].cells += 1
                            result.totals[k].hectares += inputs.cellHectares
                            result.totals[k].tonnes += Double(v) * inputs.cellHectares
                        }
                    }
                }
                return out
            }
            var layers = stocks(values, clampAtZero: false, total: nil)
            if !lower.isEmpty {
                layers += stocks(lower, clampAtZero: true, total: \.lowerTonnes)
                layers += stocks(upper, clampAtZero: true, total: \.upperTonnes)
            }
            return layers
        }
    }
}
