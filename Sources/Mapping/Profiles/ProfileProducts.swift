import Foundation
import RasterIO
import TextFormat

/// The analyses of a finished set of depth maps (`<name>_<depth>.tif`, written by `MapProducts.assemble`),
/// read back tile by tile so memory is bounded by the tile: the depth consistency (`DepthConsistency`,
/// the map `<name>_depth_inversions.tif`) and the carbon stocks (`CarbonStock`, the maps
/// `<name>_stock_<depth>.tif` per depth interval and summed to 0-30 and 0-100 cm, with interval bounds
/// when the depth maps have them). Writes COGs into the maps folder and returns the map sets that style
/// them and add them to the QGIS project. The depth maps are left as they are unless `enforceMonotone` asks
/// for the monotone correction, which rewrites them and says so in `monotoneKey` metadata.
public enum ProfileProducts {
    /// What to compute from the maps of one prediction.
    public struct Settings: Sendable {
        /// The maps' base name (`predict.name`).
        public var name: String
        /// Property and unit of the depth maps, e.g. "SOC", "g/kg".
        public var property: String, unit: String
        /// Depth labels top first, e.g. "0-5cm", with their top and bottom in cm.
        public var depths: [String]
        public var intervals: [(top: Double, bottom: Double)]
        /// Tile edge in cells for reading and writing.
        public var tileSize: Int
        /// The inversion threshold (nil: no depth consistency).
        public var consistencyThreshold: Double?
        /// The stocks' inputs (nil: no stocks).
        public var stocks: StockInputs?
        /// The level of the prediction interval whose bound maps exist (nil: none; stocks get no bounds).
        public var intervalLevel: Double?
        /// Rewrite the depth maps so values never rise with depth (`MonotoneProfile`); the inversions are
        /// counted before, the stocks after the correction. Off by default.
        public var enforceMonotone = false

        /// Creates the settings.
        public init(
            name: String, property: String, unit: String, depths: [String], intervals: [(top: Double, bottom: Double)],
            tileSize: Int, consistencyThreshold: Double?, stocks: StockInputs?, intervalLevel: Double?
        ) {
            precondition(depths.count == intervals.count, "ProfileProducts.Settings: one interval per depth label")
            self.name = name
            self.property = property
            self.unit = unit
            self.depths = depths
            self.intervals = intervals
            self.tileSize = tileSize
            self.consistencyThreshold = consistencyThreshold
            self.stocks = stocks
            self.intervalLevel = intervalLevel
        }
    }

    /// What the analyses found and wrote.
    public struct Result: Sendable {
        /// The depth consistency (nil: not asked for, or fewer than two depths).
        public var consistency: DepthConsistency?
        /// The stocks (nil: not asked for).
        public var stocks: StockResult?
        /// What the monotone correction changed (nil: the maps were not corrected).
        public var monotone: MonotoneProfile?
        /// The map sets of the new maps (for styles, quick-looks and the project).
        public var sets: [MapProducts.MapSet]
        /// File names of the COGs written.
        public var files: [String]
    }

    /// The metadata item of a depth map corrected to a monotone profile.
    public static let monotoneKey = "SOCMAP_MONOTONE_PROFILE"
    /// The metadata item with the inversion threshold.
    public static let thresholdKey = "SOCMAP_DEPTH_INVERSION_THRESHOLD"

    /// Reads the depth maps in `folder` tile by tile and writes the asked-for maps there. `metadata`
    /// goes into every new map (the provenance), with `Provenance.Key.depth` of the layer added.
    public static func run(
        _ s: Settings, folder: String, grid: Grid, metadata: [String: String],
        progress: ((_ step: String, _ done: Int, _ total: Int) -> Void)? = nil
    ) throws -> Result {
        let bases = s.depths.map { MapNames.depthMap(name: s.name, depthLabel: $0) }
        let path = { (base: String) in (folder as NSString).appendingPathComponent(base + ".tif") }
        let maps = try bases.map { try RasterDataset(path: path($0)) }
        defer { for m in maps { m.close() } }

        var consistency = s.consistencyThreshold.flatMap {
            s.depths.count >= 2 ? DepthConsistency(labels: s.depths, threshold: $0) : nil
        }
        var outputs: [Output] = []
        var sets: [MapProducts.MapSet] = []
        if consistency != nil {
            let name = MapNames.depthInversions(s.name)
            outputs.append(
                Output(
                    name: name,
                    description: """
                        Adjacent depth pairs where the deeper \(s.property) exceeds the upper one by more than \
                        \(short(s.consistencyThreshold!)) \(s.unit)
                        """,
                    depth: MapProducts.Catalogue.allDepths,
                    format: LayerFormat(dataType: .uint8, nodata: 255, unit: "pairs", overviewResampling: "NEAREST"),
                    extra: [thresholdKey: "\(short(s.consistencyThreshold!)) \(s.unit)"]))
            sets.append(
                MapProducts.MapSet(
                    title: "Depth inversions > \(short(s.consistencyThreshold!)) \(s.unit)",
                    maps: [MapProducts.Map(name: name, title: "all depths")], unit: "inverted pairs",
                    ramp: .inversions, range: ValueRange(min: 0, max: Double(s.depths.count - 1)),
                    contactSheet: MapNames.contactSheet(name)))
        }

        // Stocks: layers per interval, then per sum; with bounds the same again for the lower and upper bounds.
        var stockPlan: StockPlan?
        var bdRaster: WarpedRaster?
        var cfRaster: WarpedRaster?
        var lowerMaps: [RasterDataset] = []
        var upperMaps: [RasterDataset] = []
        defer {
            bdRaster?.close()
            cfRaster?.close()
            for m in lowerMaps + upperMaps { m.close() }
        }
        if let stocks = s.stocks {
            let sums = CarbonStock.sums(depths: s.intervals, bottoms: CarbonStock.standardSumBottoms)
                .filter { $0.members.count > 1 }  // a sum of one interval is that interval's map
            var result = StockResult(totals: [])
            result.sumsNotCovered = CarbonStock.standardSumBottoms.map { "0-\(Int($0))cm" }.filter { label in
                !sums.contains { $0.label == label } && !s.depths.contains(label)
            }
            var boundNames: (lower: [String], upper: [String])?
            if let level = s.intervalLevel {
                let lower = bases.map { MapNames.quantile($0, (1 - level) / 2) }
                let upper = bases.map { MapNames.quantile($0, (1 + level) / 2) }
                if (lower + upper).allSatisfy({ FileManager.default.fileExists(atPath: path($0)) }) {
                    boundNames = (lower, upper)
                    lowerMaps = try lower.map { try RasterDataset(path: path($0)) }
                    upperMaps = try upper.map { try RasterDataset(path: path($0)) }
                    result.hasBounds = true
                }
            }
            bdRaster = try WarpedRaster(
                path: stocks.bulkDensity, onto: grid, resampling: .bilinear, nodata: stocks.bulkDensityNodata)
            if case .raster(let cfPath, _) = stocks.coarseFragments {
                cfRaster = try WarpedRaster(
                    path: cfPath, onto: grid, resampling: .bilinear, nodata: stocks.coarseFragmentsNodata)
            }
            let labels = s.depths + sums.map(\.label)
            let stockNames = labels.map { MapNames.stock(s.name, depthLabel: $0) }
            result.totals = zip(labels, stockNames).enumerated().map { k, pair in
                StockTotal(
                    label: pair.0, isSum: k >= s.depths.count, map: pair.1,
                    lowerTonnes: boundNames == nil ? nil : 0, upperTonnes: boundNames == nil ? nil : 0)
            }
            let cfText: String
            switch stocks.coarseFragments {
            case .constant(let f): cfText = "constant volume fraction \(short(f))"
            case .raster(let p, let unit):
                cfText =
                    "\((p as NSString).lastPathComponent) (\(unit.rawValue)"
                    + (stocks.coarseFragmentsNodata.map { ", nodata \(short($0))" } ?? "") + ")"
            }
            let stockExtra = [
                formulaKey: formula + (boundNames != nil ? "; bounds: " + boundsNote : ""),
                "SOCMAP_BULK_DENSITY":
                    "\((stocks.bulkDensity as NSString).lastPathComponent) (\(stocks.bulkDensityUnit.rawValue)"
                    + (stocks.bulkDensityNodata.map { ", nodata \(short($0))" } ?? "") + ")",
                "SOCMAP_COARSE_FRAGMENTS": cfText
            ]
            let stockFormat = LayerFormat(unit: "t/ha")
            func layers(_ names: [String], _ what: String) -> [Output] {
                zip(names, labels).map { name, label in
                    Output(
                        name: name, description: "\(s.property) stock \(label) (t/ha)\(what)", depth: label,
                        format: stockFormat, extra: stockExtra)
                }
            }
            let intervalTitles = s.depths.map(MapNames.depthTitle(label:))
            let sumTitles = sums.map { MapNames.depthTitle(label: $0.label) }
            func stockSets(_ names: [String], _ title: String, sheet: String) -> [MapProducts.MapSet] {
                var sets = [
                    MapProducts.MapSet(
                        title: "\(title) per depth interval",
                        maps: zip(names, intervalTitles).map { MapProducts.Map(name: $0, title: $1) },
                        unit: "t/ha", ramp: .socDefault, contactSheet: MapNames.contactSheet(sheet),
                        rangeGroup: "stock intervals")
                ]
                if !sums.isEmpty {
                    sets.append(
                        MapProducts.MapSet(
                            title: "\(title) from the surface",
                            maps: zip(names.dropFirst(s.depths.count), sumTitles).map {
                                MapProducts.Map(name: $0, title: $1)
                            },
                            unit: "t/ha", ramp: .socDefault, contactSheet: MapNames.contactSheet(sheet + "_sums"),
                            rangeGroup: "stock sums"))
                }
                return sets
            }
            let stockBase = MapNames.stock(s.name, depthLabel: nil)
            outputs += layers(stockNames, "")
            sets += stockSets(stockNames, "\(s.property) stock (t/ha)", sheet: stockBase)
            if let boundNames, let level = s.intervalLevel {
                let lowerQ = (1 - level) / 2
                let upperQ = (1 + level) / 2
                let lower = stockNames.map { MapNames.quantile($0, lowerQ) }
                let upper = stockNames.map { MapNames.quantile($0, upperQ) }
                let percent = short(level * 100)
                outputs +=
                    layers(
                        lower,
                        ": lower bound from the \(percent) % interval's \(boundNames.lower.first!.suffix(3)) maps")
                    + layers(
                        upper,
                        ": upper bound from the \(percent) % interval's \(boundNames.upper.first!.suffix(3)) maps")
                sets += stockSets(
                    lower, "\(s.property) stock, lower bound (\(short(lowerQ * 100)) %)",
                    sheet: MapNames.quantile(stockBase, lowerQ))
                sets += stockSets(
                    upper, "\(s.property) stock, upper bound (\(short(upperQ * 100)) %)",
                    sheet: MapNames.quantile(stockBase, upperQ))
            }
            stockPlan = StockPlan(inputs: stocks, sums: sums, result: result)
        }
        var monotone = s.enforceMonotone && s.depths.count >= 2 ? MonotoneProfile(labels: s.depths) : nil
        guard !outputs.isEmpty || monotone != nil else {
            return Result(consistency: nil, stocks: nil, monotone: nil, sets: [], files: [])
        }

        let fm = FileManager.default
        let staging = outputs.map { (folder as NSString).appendingPathComponent(".\($0.name).assembling.tif") }
        defer {
            for p in staging {
                try? fm.removeItem(atPath: p)
                try? fm.removeItem(atPath: p + ".aux.xml")
            }
        }
        let writers = try zip(staging, outputs).map { p, o in
            try GeoTIFFWriter(path: p, grid: grid, bandCount: 1, dataType: o.format.dataType, nodata: o.format.nodata)
        }
        for (w, o) in zip(writers, outputs) {
            w.setDescription(band: 1, o.description)
            w.setUnit(band: 1, o.format.unit ?? s.unit)
        }
        // The corrected depth maps (every depth but the top one), written beside the originals first.
        let corrected = monotone == nil ? [] : Array(bases.dropFirst())
        let correctedStaging = corrected.map { (folder as NSString).appendingPathComponent(".\($0).monotone.tif") }
        defer {
            for p in correctedStaging {
                try? fm.removeItem(atPath: p)
                try? fm.removeItem(atPath: p + ".aux.xml")
            }
        }
        let correctedWriters = try correctedStaging.map {
            try GeoTIFFWriter(path: $0, grid: grid, bandCount: 1, nodata: Double(MapAssembler.nodata))
        }
        for (k, w) in correctedWriters.enumerated() {
            let band = try maps[k + 1].band(1)
            w.setDescription(band: 1, band.description)
            w.setUnit(band: 1, band.unit)
        }
        let tiles = grid.tiles(size: s.tileSize)
        for (t, window) in tiles.enumerated() {
            var values = try maps.map { try readValues($0, window: window) }
            var layers: [[Float]] = []
            if consistency != nil { layers.append(consistency!.add(values: values, window: window, grid: grid)) }
            if monotone != nil {
                monotone!.apply(&values)
                for (k, w) in correctedWriters.enumerated() {
                    try w.write(
                        band: 1, window: window, values: values[k + 1].map { $0.isFinite ? $0 : MapAssembler.nodata })
                }
            }
            if var plan = stockPlan {
                layers += try plan.add(
                    values: values, lower: lowerMaps.map { try readValues($0, window: window) },
                    upper: upperMaps.map { try readValues($0, window: window) },
                    bulkDensity: try readValues(bdRaster!, window: window),
                    coarse: try cfRaster.map { try readValues($0, window: window) }, window: window, s: s)
                stockPlan = plan
            }
            for (k, w) in writers.enumerated() {
                let fill = Float(outputs[k].format.nodata)
                try w.write(band: 1, window: window, values: layers[k].map { $0.isFinite ? $0 : fill })
            }
            progress?("profile analyses", t + 1, tiles.count)
        }
        for w in writers + correctedWriters { try w.finish() }
        if let monotone {
            for (k, base) in corrected.enumerated() {
                var items = try maps[k + 1].metadata()
                let change = monotone.changes[k + 1]
                items[monotoneKey] = """
                    enforced: values capped at the depth above; \(change.cells) cells lowered here, by up to \
                    \(short(change.largest)) \(s.unit) (mean \(short(change.mean)))
                    """
                try COG.write(from: correctedStaging[k], to: path(base), metadata: items)
            }
        }
        var files: [String] = []
        for (k, o) in outputs.enumerated() {
            var items = metadata.merging(o.extra) { _, b in b }
            items[Provenance.Key.depth] = o.depth
            try COG.write(
                from: staging[k], to: path(o.name), metadata: items, overviewResampling: o.format.overviewResampling)
            files.append(o.name + ".tif")
            progress?("analysis GeoTIFFs", k + 1, outputs.count)
        }
        return Result(consistency: consistency, stocks: stockPlan?.result, monotone: monotone, sets: sets, files: files)
    }

    /// Up to 4 significant digits ("1", "0.1", "2.5").
    static func short(_ v: Double) -> String { NumberText.significant(v, 4) }

    /// One map written by `run`.
    struct Output {
        var name: String
        var description: String
        var depth: String
        var format: LayerFormat
        var extra: [String: String]
    }

    /// The values of a window, NaN where invalid.
    static func readValues(_ map: RasterDataset, window: PixelWindow) throws -> [Float] {
        let block = try map.read(band: 1, window: window)
        return zip(block.values, block.valid).map { $1 && $0.isFinite ? $0 : .nan }
    }

    static func readValues(_ map: WarpedRaster, window: PixelWindow) throws -> [Float] {
        let block = try map.read(band: 1, window: window)
        return zip(block.values, block.valid).map { $1 && $0.isFinite ? $0 : .nan }
    }
}
