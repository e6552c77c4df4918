import Mapping
import NeuralNet
import Reports
import TextFormat
import Workspace

/// What the map stage puts into a run's record: the maps, the area of applicability, the depth
/// consistency and the carbon stocks.
extension MapResult {
    /// Fills the record's map sections; `settings` are the stage's (the map names, the mapped model, the
    /// stocks' inputs).
    public func record(into r: inout RunRecord, settings: MapSettings) {
        var maps = RunRecord.Maps()
        (maps.files, maps.tiles, maps.cells, maps.seconds, maps.peakMemoryBytes) = (
            files, tilesTotal, cells, seconds, peakMemory
        )
        maps.sharedBlocks = sharedBlocks > 0 ? DenseMapper.describe(sharedBlocks: sharedBlocks) : nil
        maps.analysisFiles = profiles?.files ?? []
        r.maps = maps
        let name = settings.predict.name
        if let a = applicability {
            var o = RunRecord.Applicability()
            (o.threshold, o.meanDistance, o.rule, o.weights) = (
                a.threshold, a.meanDistance, a.rule.rawValue, a.weights.rawValue
            )
            (o.trainingSites, o.trainingSitesAbove, o.cellsInside, o.cellsMapped) = (
                a.sites, a.sitesAbove, a.cellsInside, a.cellsMapped
            )
            (o.shareInside, o.constantChannels) = (a.shareInside, a.constantChannels)
            o.dissimilarityMap = MapNames.dissimilarity(name) + ".tif"
            o.applicabilityMap = MapNames.applicability(name) + ".tif"
            o.errorProfiles = zip(a.depths, a.errorProfiles).map { depth, p in
                var row = RunRecord.Applicability.ErrorProfile()
                (row.depth, row.samples, row.di, row.rmse) = (depth, p.samples, p.di, p.rmse)
                row.rmseAtThreshold = p.expected(a.threshold)
                return row
            }
            o.expectedErrorMaps =
                a.errorProfiles.isEmpty
                ? [] : a.depths.map { MapNames.expectedError(MapNames.depthMap(name: name, depthLabel: $0)) + ".tif" }
            o.intervalCoverage = a.intervalCoverage.map {
                RunRecord.PredictionIntervals.Coverage(group: $0, method: settings.predict.intervalMethod.rawValue)
            }
            r.areaOfApplicability = o
        }
        if let c = profiles?.consistency {
            r.depthConsistency = Self.consistency(c, monotone: profiles?.monotone, model: settings, name: name)
        }
        if let st = profiles?.stocks { r.stocks = Self.stocks(st, settings: settings) }
    }

    /// report.json's "depth_consistency".
    static func consistency(
        _ c: DepthConsistency, monotone: MonotoneProfile?, model settings: MapSettings, name: String
    ) -> RunRecord.DepthConsistency {
        var o = RunRecord.DepthConsistency()
        o.model = settings.predict.model.rawValue
        o.inversionsMap = OutputLayout.mapFile(MapNames.depthInversions(name))
        (o.threshold, o.cellsValid, o.cellsInverted, o.shareCellsInverted) = (
            c.threshold, c.cellsValid, c.cellsInverted, c.shareOfCellsInverted
        )
        o.pairs = c.pairs.map {
            .init(
                upper: $0.upper, lower: $0.lower, cells: $0.valid, inverted: $0.inverted, share: $0.share,
                largestRise: $0.largestRise ?? .nan)
        }
        o.largest = c.largest.map {
            .init(
                upperDepth: c.labels[$0.pair], lowerDepth: c.labels[$0.pair + 1], upper: Double($0.upper),
                lower: Double($0.lower), rise: $0.rise, col: $0.col, row: $0.row, x: $0.x, y: $0.y)
        }
        if let mono = monotone {
            o.corrected = true
            var t = RunRecord.DepthConsistency.Monotone()
            (t.cellsValid, t.cellsChanged, t.metadataKey) = (
                mono.cellsValid, mono.cellsChanged, ProfileProducts.monotoneKey
            )
            t.depths = mono.changes.dropFirst().map {
                .init(depth: $0.label, cells: $0.cells, meanDecrease: $0.mean, largestDecrease: $0.largest)
            }
            o.monotone = t
        }
        return o
    }

    /// report.json's "stocks".
    static func stocks(_ st: ProfileProducts.StockResult, settings: MapSettings) -> RunRecord.Stocks {
        var o = RunRecord.Stocks()
        o.formula = ProfileProducts.formula
        (o.cellsWithoutBulkDensity, o.cellsImplausibleBulkDensity) = (
            st.cellsWithoutBulkDensity, st.cellsImplausibleBulkDensity
        )
        o.cellsWithoutCoarseFragments = st.cellsWithoutCoarseFragments
        o.sumsNotCovered = st.sumsNotCovered
        o.plausibleBulkDensity = [
            CarbonStock.plausibleBulkDensity.lowerBound, CarbonStock.plausibleBulkDensity.upperBound
        ]
        o.layers = st.totals.map { t in
            let bounds = t.lowerTonnes.flatMap { lo in t.upperTonnes.map { (lo / 1e6, $0 / 1e6) } }
            return .init(
                depth: t.label, sum: t.isSum, map: OutputLayout.mapFile(t.map), cells: t.cells,
                areaKm2: t.hectares / 100,
                meanTHa: t.meanPerHectare, totalTg: t.teragrams, lowerTg: bounds?.0, upperTg: bounds?.1)
        }
        if let s = settings.stocks {
            o.bulkDensity = .init(
                raster: s.bulkDensity, unit: s.bulkDensityUnit.rawValue,
                nodata: s.bulkDensityNodata.map { NumberText.significant($0, 8) })
            switch s.coarseFragments {
            case .constant(let f): o.coarseFragments = .init(constantFraction: f)
            case .raster(let path, let unit):
                o.coarseFragments = .init(
                    raster: path, unit: unit.rawValue,
                    nodata: s.coarseFragmentsNodata.map { NumberText.significant($0, 8) })
            }
        }
        if st.hasBounds { o.bounds = ProfileProducts.boundsNote }
        return o
    }
}
