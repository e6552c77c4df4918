import RasterIO
import TextFormat

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
        /// Nodata values replacing the bulk density and coarse-fragment rasters' own (nil: the files').
        public var bulkDensityNodata: Double?
        public var coarseFragmentsNodata: Double?
        /// The largest plausible SOC in `socUnit` (`profiles.valid_range`'s upper end): a stock above it
        /// times 2.65 g/cm³ times the thickness is an error (nil: no upper bound).
        public var socMaximum: Double?

        /// Creates the inputs.
        public init(
            socUnit: CarbonStock.SOCUnit, bulkDensity: String, bulkDensityUnit: CarbonStock.BulkDensityUnit,
            coarseFragments: CoarseFragments, cellHectares: Double, bulkDensityNodata: Double? = nil,
            coarseFragmentsNodata: Double? = nil
        ) {
            precondition(
                cellHectares > 0 && cellHectares.isFinite, "StockInputs: cell area \(cellHectares) ha must be positive")
            self.socUnit = socUnit
            self.bulkDensity = bulkDensity
            self.bulkDensityUnit = bulkDensityUnit
            self.coarseFragments = coarseFragments
            self.cellHectares = cellHectares
            self.bulkDensityNodata = bulkDensityNodata
            self.coarseFragmentsNodata = coarseFragmentsNodata
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
        /// the lower and the upper bounds. A stock that is not finite, negative, or (of the depth maps
        /// themselves) above `socMaximum` at 2.65 g/cm³ is an error naming the layer, the cell and its
        /// inputs (`implausible`).
        mutating func add(
            values: [[Float]], lower: [[Float]], upper: [[Float]], bulkDensity: [Float], coarse: [Float]?,
            window: PixelWindow, s: Settings
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
            // The cell's inputs, for a message.
            func inputsText(_ i: Int, soc: Float) -> String {
                let bd = Double(bulkDensity[i])
                var text = "SOC \(number(Double(soc))) \(inputs.socUnit.rawValue), bulk density "
                text += "\(number(bd * inputs.bulkDensityUnit.gramsPerCubicCentimetre)) g/cm3"
                if inputs.bulkDensityUnit != .gramsPerCubicCentimetre {
                    text += " (\(number(bd)) \(inputs.bulkDensityUnit.rawValue))"
                }
                text += " in '\(inputs.bulkDensity)', coarse fraction "
                switch inputs.coarseFragments {
                case .constant(let f): text += "\(number(f)) (stocks.coarse_fragments)"
                case .raster(let path, let unit):
                    text += "\(number(Double(coarse![i]) * unit.fraction)) in '\(path)'"
                }
                return text
            }
            func stocks(
                _ soc: [[Float]], clampAtZero: Bool, total: WritableKeyPath<StockTotal, Double?>?, layer: String
            ) throws -> [[Float]] {
                var out = [[Float]](repeating: [Float](repeating: .nan, count: n), count: depths + sums.count)
                var perInterval = [[Double]](repeating: [Double](repeating: .nan, count: n), count: depths)
                for d in 0..<depths {
                    let thickness = s.intervals[d].bottom - s.intervals[d].top
                    // Of the depth maps themselves: SOC at its plausible maximum, at the density of quartz.
                    let limit =
                        layer.isEmpty
                        ? inputs.socMaximum.map {
                            CarbonStock.stock(
                                soc: $0, socUnit: inputs.socUnit,
                                bulkDensity: CarbonStock.plausibleBulkDensity.upperBound,
                                coarseFraction: 0, thickness: thickness)
                        } : nil
                    for i in 0..<n where fineEarth[i].isFinite && soc[d][i].isFinite {
                        let value = clampAtZero ? max(0, Double(soc[d][i])) : Double(soc[d][i])
                        let stock = CarbonStock.stock(
                            soc: value, socUnit: inputs.socUnit, bulkDensity: fineEarth[i],
                            coarseFraction: 0, thickness: thickness)
                        let stored = Float(stock)
                        // The limit less strict by a Float32 map's rounding of a range end such as 0.1.
                        if !stored.isFinite || stored < 0 || limit.map({ stock > $0 * (1 + 1e-6) }) == true {
                            throw implausible(
                                stock: stored, layer: layer + s.depths[d], limit: limit, thickness: thickness,
                                cell: i, window: window, inputs: inputsText(i, soc: soc[d][i]),
                                map: MapNames.depthMap(name: s.name, depthLabel: s.depths[d]) + ".tif")
                        }
                        perInterval[d][i] = stock
                        out[d][i] = stored
                    }
                }
                for (k, sum) in sums.enumerated() {
                    for i in 0..<n {
                        var total = 0.0
                        for m in sum.members { total += perInterval[m][i] }
                        guard total.isFinite else { continue }
                        guard Float(total).isFinite else {
                            throw implausible(
                                stock: Float(total), layer: layer + sum.label, limit: nil, thickness: sum.bottom,
                                cell: i, window: window,
                                inputs: sum.members.map { "\(s.depths[$0]): " + inputsText(i, soc: soc[$0][i]) }
                                    .joined(separator: "; "),
                                map: MapNames.depthMap(name: s.name, depthLabel: s.depths[sum.members[0]]) + ".tif")
                        }
                        out[depths + k][i] = Float(total)
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
            var layers = try stocks(values, clampAtZero: false, total: nil, layer: "")
            if !lower.isEmpty {
                layers += try stocks(lower, clampAtZero: true, total: \.lowerTonnes, layer: "lower bound of ")
                layers += try stocks(upper, clampAtZero: true, total: \.upperTonnes, layer: "upper bound of ")
            }
            return layers
        }

        /// The error of a stock that cannot be right: the layer, the cell (grid column and row) and
        /// window, the value against the rule it breaks, the inputs there and what to do; nothing is written.
        func implausible(
            stock: Float, layer: String, limit: Double?, thickness: Double, cell i: Int, window: PixelWindow,
            inputs text: String, map: String
        ) -> MappingError {
            let col = window.col + i % window.width
            let row = window.row + i / window.width
            let rule: String
            if !stock.isFinite {
                rule = "is not a finite number (\(stock))"
            } else if stock < 0 {
                rule = "is \(number(Double(stock))) t/ha, negative"
            } else {
                rule =
                    "is \(number(Double(stock))) t/ha, above the largest plausible \(number(limit!)) t/ha "
                    + "(profiles.valid_range's \(number(inputs.socMaximum!)) \(inputs.socUnit.rawValue) x "
                    + "2.65 g/cm3, the density of quartz, x \(number(thickness)) cm x 0.1)"
            }
            return MappingError(
                """
                the \(layer) carbon stock at cell (column \(col), row \(row)) of the window at column \
                \(window.col), row \(window.row) (\(window.width) x \(window.height) cells) \(rule); inputs \
                there: \(text); no stock map was written
                """,
                path: map,
                hint: """
                    The depth maps are checked against profiles.valid_range before they are written, so \
                    '\(map)' (or the bulk density or coarse-fragment raster) was changed or damaged since: \
                    restore it or map again with `socmap predict --overwrite`, and check the inputs at that cell \
                    (a SOC below 0 needs profiles.valid_range to start at 0)
                    """)
        }

        /// A number in a message: up to 6 significant digits.
        func number(_ v: Double) -> String { NumberText.significant(v, 6) }
    }
}
