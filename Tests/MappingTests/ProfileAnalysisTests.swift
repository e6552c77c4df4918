import Foundation
import RasterIO
import TestSupport
import XCTest

@testable import Mapping

/// Depth consistency and carbon stocks on hand-made grids, against values computed by hand.
final class ProfileAnalysisTests: XCTestCase {
    // MARK: Depth consistency

    /// Three depths on a 3 x 2 window; NaN is nodata. Per cell (row-major), threshold 1:
    ///   cell 0: 10, 8, 6     -> no rise                        -> 0
    ///   cell 1: 10, 12, 6    -> 0-5/5-15 rises by 2 (> 1)      -> 1
    ///   cell 2: 10, 10.5, 20 -> 0.5 (not > 1), then 9.5        -> 1
    ///   cell 3: 5, 7, 9      -> 2 and 2                        -> 2
    ///   cell 4: NaN, 7, 6    -> only the lower pair, no rise   -> 0
    ///   cell 5: NaN, NaN, 3  -> no pair                        -> nodata
    func testDepthConsistency_countsPairsSharesAndLargestRises() throws {
        let grid = try makeTestGrid(width: 3, height: 2, resolution: 100)
        var c = DepthConsistency(labels: ["0-5cm", "5-15cm", "15-30cm"], threshold: 1, keep: 3)
        let nan = Float.nan
        let map = c.add(
            values: [[10, 10, 10, 5, nan, nan], [8, 12, 10.5, 7, 7, nan], [6, 6, 20, 9, 6, 3]],
            window: grid.fullWindow, grid: grid)
        XCTAssertEqual(map, [0, 1, 1, 2, 0, DepthConsistency.nodata])
        XCTAssertEqual(c.pairs[0].valid, 4)  // cells 0-3
        XCTAssertEqual(c.pairs[0].inverted, 2)  // cells 1 and 3
        XCTAssertEqual(c.pairs[0].share, 0.5)
        XCTAssertEqual(c.pairs[0].largestRise, 2)
        XCTAssertEqual(c.pairs[1].valid, 5)  // cells 0-4
        XCTAssertEqual(c.pairs[1].inverted, 2)  // cells 2 and 3
        XCTAssertEqual(c.pairs[1].largestRise, 9.5)
        XCTAssertEqual(c.cellsValid, 5)
        XCTAssertEqual(c.cellsInverted, 3)
        XCTAssertEqual(c.shareOfCellsInverted, 0.6, accuracy: 1e-12)
        // The three largest: 9.5 at cell 2 (col 2, row 0), then the ties of 2: pair 0 before pair 1, row before column.
        XCTAssertEqual(c.largest.map(\.rise), [9.5, 2, 2])
        XCTAssertEqual(c.largest.map { [$0.pair, $0.col, $0.row] }, [[1, 2, 0], [0, 1, 0], [0, 0, 1]])
        let centre = grid.cellCenter(col: 2, row: 0)
        XCTAssertEqual(c.largest[0].x, centre.x)
        XCTAssertEqual(c.largest[0].y, centre.y)
    }

    func testDepthConsistency_doesNotDependOnTheWindows() throws {
        let grid = try makeTestGrid(width: 6, height: 5, resolution: 100)
        let layers = (0..<4).map { d in (0..<grid.cellCount).map { i in Float((i * 37 + d * 11) % 17) } }
        var whole = DepthConsistency(labels: ["a", "b", "c", "d"], threshold: 2, keep: 5)
        let wholeMap = whole.add(values: layers, window: grid.fullWindow, grid: grid)
        var tiled = DepthConsistency(labels: ["a", "b", "c", "d"], threshold: 2, keep: 5)
        var tiledMap = [Float](repeating: -1, count: grid.cellCount)
        for window in grid.tiles(size: 4).reversed() {
            let part = layers.map { layer in
                (0..<window.cellCount).map {
                    layer[(window.row + $0 / window.width) * grid.width + window.col + $0 % window.width]
                }
            }
            for (i, v) in tiled.add(values: part, window: window, grid: grid).enumerated() {
                tiledMap[(window.row + i / window.width) * grid.width + window.col + i % window.width] = v
            }
        }
        XCTAssertEqual(tiledMap, wholeMap)
        XCTAssertEqual(tiled, whole)
    }

    /// Per cell: 10, 12, 11 -> 10, 10, 10 (5-15 lowered by 2, 15-30 by 1); 10, NaN, 12 -> unchanged (no
    /// depth right above 15-30); 5, 4, 3 -> unchanged; NaN everywhere -> not counted.
    func testMonotoneProfile_capsEachDepthAtTheOneAboveAndCounts() {
        let nan = Float.nan
        var m = MonotoneProfile(labels: ["0-5cm", "5-15cm", "15-30cm"])
        var values: [[Float]] = [[10, 10, 5, nan], [12, nan, 4, nan], [11, 12, 3, nan]]
        m.apply(&values)
        XCTAssertEqual(values[0].prefix(3), [10, 10, 5], "the top depth never changes")
        XCTAssertEqual(values[1][0], 10)
        XCTAssertEqual(values[2][0], 10)
        XCTAssertEqual(values[2][1], 12)
        XCTAssertEqual([values[1][2], values[2][2]], [4, 3])
        XCTAssertEqual(m.cellsValid, 3)
        XCTAssertEqual(m.cellsChanged, 1)
        XCTAssertEqual(m.changes.map(\.cells), [0, 1, 1])
        XCTAssertEqual(m.changes[1].largest, 2)
        XCTAssertEqual(m.changes[2].mean, 1)
    }

    func testDefaultThreshold_byUnit() {
        XCTAssertEqual(DepthConsistency.defaultThreshold(unit: "g/kg"), 1)
        XCTAssertEqual(DepthConsistency.defaultThreshold(unit: "%"), 0.1)
        XCTAssertEqual(DepthConsistency.defaultThreshold(unit: "pH"), 0)
    }

    // MARK: Carbon stock arithmetic

    func testStock_handComputedValues() {
        // 10 g/kg x 1.3 g/cm3 x (1 - 0) x 30 cm x 0.1 = 39 t/ha.
        XCTAssertEqual(
            CarbonStock.stock(soc: 10, socUnit: .gramsPerKilogram, bulkDensity: 1.3, coarseFraction: 0, thickness: 30),
            39, accuracy: 1e-12)
        // 1 % = 10 g/kg: the same 39 t/ha.
        XCTAssertEqual(
            CarbonStock.stock(soc: 1, socUnit: .percent, bulkDensity: 1.3, coarseFraction: 0, thickness: 30), 39,
            accuracy: 1e-12)
        // 25 % gravel: 20 x 1.2 x 0.75 x 5 x 0.1 = 9 t/ha.
        XCTAssertEqual(
            CarbonStock.stock(
                soc: 20, socUnit: .gramsPerKilogram, bulkDensity: 1.2, coarseFraction: 0.25, thickness: 5), 9,
            accuracy: 1e-12)
        // 1300 kg/m3 is 1.3 g/cm3.
        XCTAssertEqual(
            1300 * CarbonStock.BulkDensityUnit.kilogramsPerCubicMetre.gramsPerCubicCentimetre, 1.3, accuracy: 1e-12)
        XCTAssertEqual(CarbonStock.BulkDensityUnit.kilogramsPerCubicMetre.plausible.upperBound, 2650, accuracy: 1e-9)
        XCTAssertEqual(40 * CarbonStock.FractionUnit.percent.fraction, 0.4, accuracy: 1e-12)
    }

    func testSums_needDepthsThatTileFromTheSurface() {
        let standard: [(top: Double, bottom: Double)] = [(0, 5), (5, 15), (15, 30), (30, 60), (60, 100), (100, 200)]
        XCTAssertEqual(
            CarbonStock.sums(depths: standard, bottoms: [30, 100]),
            [
                CarbonStock.Sum(label: "0-30cm", bottom: 30, members: [0, 1, 2]),
                CarbonStock.Sum(label: "0-100cm", bottom: 100, members: [0, 1, 2, 3, 4])
            ])
        // A gap (15-20 missing), and a boundary that misses 30: nothing to sum.
        XCTAssertEqual(CarbonStock.sums(depths: [(0, 15), (20, 30)], bottoms: [30]), [])
        XCTAssertEqual(CarbonStock.sums(depths: [(0, 20), (20, 40)], bottoms: [30]), [])
        // Depths that stop above 100 cm.
        XCTAssertEqual(
            CarbonStock.sums(depths: [(0, 10), (10, 30), (30, 60)], bottoms: [30, 100]).map(\.label), ["0-30cm"])
    }

    // MARK: The maps, tile by tile

    /// Three depth maps (0-5, 5-15, 15-30 cm) on a 5 x 4 grid of 100 m cells (1 ha each), bulk density
    /// in kg/m3 on the same grid, a constant 10 % of gravel, tiles of 2 cells: every stock checked by hand.
    func testRun_writesInversionAndStockMapsWithHandComputedValues() throws {
        let dir = try TemporaryDirectory(prefix: "socmap-profiles")
        let grid = try makeTestGrid(width: 5, height: 4, resolution: 100)
        let soc: [[Float]] = [
            (0..<20).map { Float(30 - $0 % 5) },  // 0-5 cm
            (0..<20).map { $0 == 7 ? 40 : 20 },  // 5-15 cm: cell 7 (col 2, row 1) rises by 12
            (0..<20).map { $0 == 19 ? -9999 : 10 }  // 15-30 cm: cell 19 nodata
        ]
        let labels = ["0-5cm", "5-15cm", "15-30cm"]
        for (d, label) in labels.enumerated() {
            try writeTestGeoTIFF(path: dir.file("soc_\(label).tif"), grid: grid, bands: [soc[d]], nodata: -9999)
        }
        // Bulk density 1200 kg/m3 except cell 0, which is 5000 (implausible), and cell 1 nodata.
        try writeTestGeoTIFF(
            path: dir.file("bd.tif"), grid: grid, bands: [(0..<20).map { $0 == 0 ? 5000 : $0 == 1 ? -9999 : 1200 }],
            nodata: -9999)
        let settings = ProfileProducts.Settings(
            name: "soc", property: "SOC", unit: "g/kg", depths: labels, intervals: [(0, 5), (5, 15), (15, 30)],
            tileSize: 2,
            consistencyThreshold: 1,
            stocks: ProfileProducts.StockInputs(
                socUnit: .gramsPerKilogram, bulkDensity: dir.file("bd.tif"),
                bulkDensityUnit: .kilogramsPerCubicMetre, coarseFragments: .constant(0.1), cellHectares: 1),
            intervalLevel: nil)
        let r = try ProfileProducts.run(settings, folder: dir.path, grid: grid, metadata: ["SOCMAP_TEST": "1"])
        XCTAssertEqual(
            r.files,
            [
                "soc_depth_inversions.tif", "soc_stock_0-5cm.tif", "soc_stock_5-15cm.tif", "soc_stock_15-30cm.tif",
                "soc_stock_0-30cm.tif"
            ])
        // Inversions: only cell 7 (0-5 cm 28 -> 5-15 cm 40: a rise of 12 > 1; 40 -> 10 none).
        let c = try XCTUnwrap(r.consistency)
        XCTAssertEqual(c.pairs.map(\.inverted), [1, 0])
        XCTAssertEqual(c.pairs.map(\.valid), [20, 19])
        XCTAssertEqual(c.largest.first?.rise, 12)
        XCTAssertEqual(c.largest.first.map { [$0.pair, $0.col, $0.row] }, [0, 2, 1])
        let inversions = try RasterDataset(path: dir.file("soc_depth_inversions.tif"))
        XCTAssertEqual(try inversions.band(1).dataType, .uint8)
        let counts = try inversions.read(band: 1, window: grid.fullWindow).values
        XCTAssertEqual(counts[7], 1)
        XCTAssertEqual(counts.filter { $0 == 0 }.count, 19)
        XCTAssertEqual(try inversions.metadata()["SOCMAP_DEPTH_INVERSION_THRESHOLD"], "1 g/kg")

        // Stocks: SOC x 1.2 x 0.9 x thickness x 0.1. Cell 2 (col 2, row 0): 28, 20, 10 g/kg.
        func read(_ label: String) throws -> [Float] {
            let block = try RasterDataset(path: dir.file("soc_stock_\(label).tif")).read(
                band: 1, window: grid.fullWindow)
            return zip(block.values, block.valid).map { $1 ? $0 : .nan }
        }
        let s05 = try read("0-5cm")
        let s515 = try read("5-15cm")
        let s1530 = try read("15-30cm")
        let s030 = try read("0-30cm")
        let f = 1.2 * 0.9 * 0.1
        XCTAssertEqual(Double(s05[2]), 28 * f * 5, accuracy: 1e-4)  // 15.12
        XCTAssertEqual(Double(s515[2]), 20 * f * 10, accuracy: 1e-4)  // 21.6
        XCTAssertEqual(Double(s1530[2]), 10 * f * 15, accuracy: 1e-4)  // 16.2
        XCTAssertEqual(Double(s030[2]), 28 * f * 5 + 20 * f * 10 + 10 * f * 15, accuracy: 1e-3)  // 52.92
        XCTAssertTrue(s05[0].isNaN && s05[1].isNaN, "implausible and missing bulk density: no stock")
        XCTAssertTrue(s030[19].isNaN && !s05[19].isNaN, "a sum needs every member depth")
        let st = try XCTUnwrap(r.stocks)
        XCTAssertEqual(st.cellsImplausibleBulkDensity, 1)
        XCTAssertEqual(st.cellsWithoutBulkDensity, 1)
        XCTAssertEqual(st.sumsNotCovered, ["0-100cm"])
        // Totals: 1 ha per cell, so tonnes are the sums of the map values.
        let total030 = try XCTUnwrap(st.totals.first { $0.label == "0-30cm" })
        XCTAssertTrue(total030.isSum)
        XCTAssertEqual(total030.cells, 17)  // 20 - cells 0, 1 (bulk density), 19 (15-30 nodata)
        XCTAssertEqual(total030.tonnes, s030.filter(\.isFinite).reduce(0) { $0 + Double($1) }, accuracy: 1e-6)
        XCTAssertEqual(total030.hectares, 17)
        let stockMeta = try RasterDataset(path: dir.file("soc_stock_0-30cm.tif")).metadata()
        XCTAssertEqual(stockMeta["SOCMAP_DEPTH"], "0-30cm")
        XCTAssertEqual(stockMeta["SOCMAP_TEST"], "1")
        XCTAssertTrue(stockMeta[ProfileProducts.formulaKey]?.hasPrefix("stock (t/ha) = SOC (g/kg)") ?? false)
        // The sets style and group them: inversions, stocks per interval, the sum.
        XCTAssertEqual(
            r.sets.map { $0.maps.map(\.name) },
            [
                ["soc_depth_inversions"], ["soc_stock_0-5cm", "soc_stock_5-15cm", "soc_stock_15-30cm"],
                ["soc_stock_0-30cm"]
            ])
    }

    /// A Byte bulk density in cg/cm3 whose file declares no nodata but fills its gaps with 255, which
    /// reads as a plausible 2.55 g/cm3: used as a density unless `stocks.bulk_density.nodata` says 255.
    func testRun_bulkDensityNodataFromThePipeline_givesNodataStocks() throws {
        let dir = try TemporaryDirectory(prefix: "socmap-profiles")
        let grid = try makeTestGrid(width: 4, height: 1, resolution: 100)
        try writeTestGeoTIFF(path: dir.file("soc_0-30cm.tif"), grid: grid, bands: [[10, 10, 10, 10]], nodata: -9999)
        try writeTestGeoTIFF(path: dir.file("bd.tif"), grid: grid, bands: [[130, 255, 120, 255]], dataType: .uint8)
        func stocks(nodata: Double?) throws -> (values: [Float], result: ProfileProducts.StockResult) {
            let settings = ProfileProducts.Settings(
                name: "soc", property: "SOC", unit: "g/kg", depths: ["0-30cm"], intervals: [(0, 30)], tileSize: 512,
                consistencyThreshold: nil,
                stocks: ProfileProducts.StockInputs(
                    socUnit: .gramsPerKilogram, bulkDensity: dir.file("bd.tif"),
                    bulkDensityUnit: .centigramsPerCubicCentimetre, coarseFragments: .constant(0), cellHectares: 1,
                    bulkDensityNodata: nodata),
                intervalLevel: nil)
            let r = try ProfileProducts.run(settings, folder: dir.path, grid: grid, metadata: [:])
            let block = try RasterDataset(path: dir.file("soc_stock_0-30cm.tif")).read(
                band: 1, window: grid.fullWindow)
            return (zip(block.values, block.valid).map { $1 ? $0 : .nan }, try XCTUnwrap(r.stocks))
        }
        // The file's own reading: 255 cg/cm3 is 2.55 g/cm3, a stock of 10 x 2.55 x 30 x 0.1 = 76.5 t/ha.
        let unmarked = try stocks(nodata: nil)
        XCTAssertEqual(unmarked.values[1], 76.5, accuracy: 1e-4)
        XCTAssertEqual(unmarked.result.cellsWithoutBulkDensity, 0)
        // Declared in the pipeline: those cells have no stock and are counted as without bulk density.
        let marked = try stocks(nodata: 255)
        XCTAssertEqual(marked.values[0], 39, accuracy: 1e-4)
        XCTAssertEqual(marked.values[2], 36, accuracy: 1e-4)
        XCTAssertTrue(marked.values[1].isNaN && marked.values[3].isNaN, "\(marked.values)")
        XCTAssertEqual(marked.result.cellsWithoutBulkDensity, 2)
        XCTAssertEqual(marked.result.totals.first?.cells, 2)
        let metadata = try RasterDataset(path: dir.file("soc_stock_0-30cm.tif")).metadata()
        XCTAssertEqual(metadata["SOCMAP_BULK_DENSITY"], "bd.tif (cg/cm3, nodata 255)")
    }

    /// A depth map damaged after its values were checked (a cell of 5e6 g/kg, one of -5 g/kg, one of
    /// 3e38 g/kg whose stock overflows Float32): an error naming the layer, cell, window and inputs, and no
    /// stock map (nor its staging copy) left in the folder.
    func testRun_implausibleStock_isAnErrorNamingLayerCellAndInputs_nothingWritten() throws {
        let grid = try makeTestGrid(width: 4, height: 3, resolution: 100)
        func run(
            damaged value: Float, at cell: Int, depth: String = "0-5cm", socMaximum: Double?
        ) throws -> (String, [String]) {
            let dir = try TemporaryDirectory(prefix: "socmap-profiles")
            for label in ["0-5cm", "5-15cm"] {
                let soc = (0..<12).map { $0 == cell && label == depth ? value : Float(20) }
                try writeTestGeoTIFF(path: dir.file("soc_\(label).tif"), grid: grid, bands: [soc], nodata: -9999)
            }
            try writeTestGeoTIFF(
                path: dir.file("bd.tif"), grid: grid, bands: [[Float](repeating: 1200, count: 12)], nodata: -9999)
            var inputs = ProfileProducts.StockInputs(
                socUnit: .gramsPerKilogram, bulkDensity: dir.file("bd.tif"), bulkDensityUnit: .kilogramsPerCubicMetre,
                coarseFragments: .constant(0.1), cellHectares: 1)
            inputs.socMaximum = socMaximum
            let settings = ProfileProducts.Settings(
                name: "soc", property: "SOC", unit: "g/kg", depths: ["0-5cm", "5-15cm"], intervals: [(0, 5), (5, 15)],
                tileSize: 2, consistencyThreshold: 1, stocks: inputs, intervalLevel: nil)
            var message = ""
            XCTAssertThrowsError(try ProfileProducts.run(settings, folder: dir.path, grid: grid, metadata: [:])) {
                message = "\($0)"
            }
            let left = try FileManager.default.contentsOfDirectory(atPath: dir.path)
            return (message, left.filter { !["soc_0-5cm.tif", "soc_5-15cm.tif", "bd.tif"].contains($0) })
        }
        // Cell 6 is column 2, row 1: in the window at column 2, row 0 (2 x 2 cells).
        let (above, aboveLeft) = try run(damaged: 5e6, at: 6, socMaximum: 1000)
        for fragment in [
            "the 0-5cm carbon stock at cell (column 2, row 1) of the window at column 2, row 0 (2 x 2 cells)",
            "is 2700000 t/ha, above the largest plausible 1325 t/ha",
            "(profiles.valid_range's 1000 g/kg x 2.65 g/cm3, the density of quartz, x 5 cm x 0.1)",
            "SOC 5000000 g/kg, bulk density 1.2 g/cm3 (1200 kg/m3) in '", "coarse fraction 0.1",
            "no stock map was written", "soc_0-5cm.tif", "socmap predict --overwrite"
        ] {
            XCTAssertTrue(above.contains(fragment), "'\(fragment)' not in: \(above)")
        }
        XCTAssertEqual(aboveLeft, [], "nothing published, no staging file left")
        let (negative, negativeLeft) = try run(damaged: -5, at: 0, socMaximum: nil)
        XCTAssertTrue(
            negative.contains("0-5cm carbon stock at cell (column 0, row 0)")
                && negative.contains("-2.7 t/ha, negative")
                && negative.contains("SOC -5 g/kg"), negative)
        XCTAssertEqual(negativeLeft, [])
        // 3.3e38 g/kg x 1.08 g/cm3 of fine earth x 10 cm x 0.1 is beyond Float32 (3.4e38).
        let (overflow, overflowLeft) = try run(damaged: 3.3e38, at: 11, depth: "5-15cm", socMaximum: nil)
        XCTAssertTrue(
            overflow.contains("the 5-15cm carbon stock at cell (column 3, row 2)")
                && overflow.contains("is not a finite number (inf)"), overflow)
        XCTAssertEqual(overflowLeft, [])
    }

    func testRun_enforceMonotone_rewritesTheDepthMapsAndStocksUseThem() throws {
        let dir = try TemporaryDirectory(prefix: "socmap-profiles")
        let grid = try makeTestGrid(width: 3, height: 1, resolution: 100)
        let labels = ["0-10cm", "10-30cm"]
        try writeTestGeoTIFF(path: dir.file("soc_0-10cm.tif"), grid: grid, bands: [[10, 10, 10]], nodata: -9999)
        try writeTestGeoTIFF(path: dir.file("soc_10-30cm.tif"), grid: grid, bands: [[5, 14, -9999]], nodata: -9999)
        try writeTestGeoTIFF(path: dir.file("bd.tif"), grid: grid, bands: [[1, 1, 1]], nodata: -9999)
        var settings = ProfileProducts.Settings(
            name: "soc", property: "SOC", unit: "g/kg", depths: labels, intervals: [(0, 10), (10, 30)], tileSize: 2,
            consistencyThreshold: 1,
            stocks: ProfileProducts.StockInputs(
                socUnit: .gramsPerKilogram, bulkDensity: dir.file("bd.tif"),
                bulkDensityUnit: .gramsPerCubicCentimetre, coarseFragments: .constant(0), cellHectares: 1),
            intervalLevel: nil)
        settings.enforceMonotone = true
        let r = try ProfileProducts.run(settings, folder: dir.path, grid: grid, metadata: [:])
        XCTAssertEqual(r.consistency?.pairs.first?.inverted, 1, "counted before the correction")
        XCTAssertEqual(r.monotone?.cellsChanged, 1)
        XCTAssertEqual(r.monotone?.changes[1].largest, 4)
        let lower = try RasterDataset(path: dir.file("soc_10-30cm.tif"))
        XCTAssertEqual(try lower.read(band: 1, window: grid.fullWindow).values.prefix(2), [5, 10])
        XCTAssertTrue(try lower.metadata()[ProfileProducts.monotoneKey]?.hasPrefix("enforced") ?? false)
        // 10-30 cm stock of the middle cell from the capped 10 g/kg: 10 x 1 x 20 x 0.1 = 20 t/ha.
        let stock = try RasterDataset(path: dir.file("soc_stock_10-30cm.tif")).read(band: 1, window: grid.fullWindow)
        XCTAssertEqual(stock.values[1], 20, accuracy: 1e-5)
    }

    func testRun_stockBoundsFromTheIntervalMaps() throws {
        let dir = try TemporaryDirectory(prefix: "socmap-profiles")
        let grid = try makeTestGrid(width: 3, height: 2, resolution: 200)  // 4 ha per cell
        let labels = ["0-10cm", "10-30cm"]
        for label in labels {
            try writeTestGeoTIFF(
                path: dir.file("soc_\(label).tif"), grid: grid, bands: [[Float](repeating: 10, count: 6)], nodata: -9999
            )
            try writeTestGeoTIFF(
                path: dir.file("soc_\(label)_q05.tif"), grid: grid, bands: [[Float](repeating: -2, count: 6)],
                nodata: -9999)
            try writeTestGeoTIFF(
                path: dir.file("soc_\(label)_q95.tif"), grid: grid, bands: [[Float](repeating: 15, count: 6)],
                nodata: -9999)
        }
        try writeTestGeoTIFF(
            path: dir.file("bd.tif"), grid: grid, bands: [[Float](repeating: 1, count: 6)], nodata: -9999)
        let settings = ProfileProducts.Settings(
            name: "soc", property: "SOC", unit: "g/kg", depths: labels, intervals: [(0, 10), (10, 30)], tileSize: 512,
            consistencyThreshold: nil,
            stocks: ProfileProducts.StockInputs(
                socUnit: .gramsPerKilogram, bulkDensity: dir.file("bd.tif"),
                bulkDensityUnit: .gramsPerCubicCentimetre, coarseFragments: .constant(0), cellHectares: 4),
            intervalLevel: 0.9)
        let r = try ProfileProducts.run(settings, folder: dir.path, grid: grid, metadata: [:])
        XCTAssertNil(r.consistency)
        let st = try XCTUnwrap(r.stocks)
        XCTAssertTrue(st.hasBounds)
        // 0-30 cm: 10 g/kg x 1 x 30 cm x 0.1 = 30 t/ha; lower bound clamped at 0;
        // upper 15 -> 45 t/ha. Six cells of 4 ha.
        let sum = try XCTUnwrap(st.totals.first { $0.label == "0-30cm" })
        XCTAssertEqual(sum.tonnes, 30 * 24, accuracy: 1e-6)
        XCTAssertEqual(sum.lowerTonnes ?? -1, 0, accuracy: 1e-9)
        XCTAssertEqual(sum.upperTonnes ?? -1, 45 * 24, accuracy: 1e-6)
        XCTAssertEqual(sum.meanPerHectare, 30, accuracy: 1e-9)
        let upper = try RasterDataset(path: dir.file("soc_stock_0-30cm_q95.tif")).read(band: 1, window: grid.fullWindow)
        XCTAssertEqual(upper.values, [Float](repeating: 45, count: 6))
        XCTAssertTrue(r.files.contains("soc_stock_0-10cm_q05.tif"))
    }
}
