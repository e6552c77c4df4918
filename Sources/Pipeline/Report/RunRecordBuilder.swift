import Assessment
import Cartography
import Configuration
import Evaluation
import Foundation
import Inputs
import Mapping
import NeuralNet
import Patches
import RasterIO
import Reports
import Selection
import SoilData
import Workspace

/// Fills a run's `Reports.RunRecord` (report.json, rendered to report.md and report.html) from the
/// stages' results: what went in, what was kept, what was dropped, the scores, the maps' analyses.
struct RunRecordBuilder {
    let config: PipelineConfig
    let stack: CovariateStack
    let profiles: ProfilesResult
    let data: PatchDataset
    let patches: PatchReport
    let evaluation: EvaluationResult?
    let modelFiles: [String]
    let maps: MapResult?
    /// What this run cleared or finished for an interrupted earlier run in the output folder.
    let recovered: [String]
    /// The covariate selection (`select`), if any.
    var selection: SelectionResult? = nil
    /// The pipeline has a 'predict' section but this run left the maps to `socmap predict` (`--no-maps`).
    var mapsLeftToPredict = false
    /// The training units and their times (with `train`).
    var training: RunRecord.Training? = nil
    /// Each stage's wall time.
    var timings = RunRecord.Timings()

    /// Sites read from the sites table, whether or not their coordinates could be transformed.
    var sitesRead: Int { profiles.sites.count + profiles.untransformable.count }

    /// The record of the run.
    func record() -> RunRecord {
        var r = RunRecord()
        r.name = config.name
        r.pipeline = config.file
        r.seed = config.seed
        r.property = config.profiles.property
        r.unit = config.profiles.unit
        let g = stack.grid
        r.grid.crs = g.crs.description
        r.grid.crsCode = g.crs.epsg.map { "EPSG:\($0)" } ?? g.crs.displayName
        (r.grid.width, r.grid.height) = (g.width, g.height)
        r.grid.geotransform = g.transform.coefficients
        r.grid.cellSize = [g.resolution.x, abs(g.resolution.y)]
        r.grid.extent = [g.extent.minX, g.extent.minY, g.extent.maxX, g.extent.maxY]
        r.covariates = stack.covariates.map(Self.covariate)
        r.channels = stack.channels.map(\.name)
        r.covariateWarnings = CovariateChecks.warnings(stack.covariates, settings: InputSettings(config))
        r.sites = sites()
        for (kind, n) in profiles.siteIssues.counts + profiles.valueIssues.counts {
            r.issues[kind.rawValue, default: 0] += n
        }
        r.dataChecks.lines = profiles.siteIssues.summary() + profiles.valueIssues.summary()
        r.dataChecks.validRange = config.profiles.validRange.map { "\($0)" }
        r.dataChecks.harmonisedHorizons = profiles.horizonCount
        r.depths = depthSamples()
        r.samples = data.samples.count
        r.patches.file = config.patches.file
        (r.patches.sites, r.patches.size) = (data.sites.count, data.patchSize)
        if let e = evaluation {
            r.evaluation = .evaluated(Self.crossValidation(e))
            if let s = e.intervals { r.predictionIntervals = Self.intervals(s) }
        }
        r.covariateSelection = selection.map(SelectionReport.record)
        r.training = training
        r.modelFiles = modelFiles.isEmpty ? nil : modelFiles
        r.recovered = recovered.isEmpty ? nil : recovered
        r.mapsLeftToPredict = mapsLeftToPredict
        if let m = maps { mapSections(m, into: &r) }
        r.timings = timings
        return r
    }

    static func covariate(_ c: Covariate) -> RunRecord.Covariate {
        var o = RunRecord.Covariate()
        (o.name, o.kind, o.source, o.band) = (c.name, c.kind.rawValue, c.sourcePath, c.band)
        o.nodata = c.nodata.flatMap { $0.isFinite ? $0 : nil } ?? .nan
        o.nodataFromPipeline = c.nodataOverride != nil
        o.nodataText = CovariateChecks.nodataText(c)
        o.sourceCRS = c.sourceCRS
        o.sourceCellSize = c.sourceResolution.x
        (o.min, o.max, o.mean, o.validCells) = (c.min, c.max, c.mean, c.validCells)
        o.classes = c.classes.map { .init(value: $0.value, label: $0.label, cells: $0.cellCount) }
        return o
    }

    func sites() -> RunRecord.Sites {
        var s = RunRecord.Sites()
        let repeated = profiles.siteIssues.count(of: .repeatedSiteRow)
        s.table = URL(fileURLWithPath: config.sites.file).lastPathComponent
        s.rows = sitesRead + profiles.siteIssues.entries.count
        (s.read, s.repeatedRows, s.skippedRows) = (sitesRead, repeated, profiles.siteIssues.entries.count - repeated)
        (s.untransformable, s.withoutValues) = (profiles.untransformable.count, patches.sitesWithoutValues.count)
        (s.outsideGrid, s.centreNodata, s.used) = (
            patches.outsideGrid.count, patches.centreNodata.count, patches.sitesUsed
        )
        (s.paddedAtEdge, s.profilesWithoutSite) = (patches.paddedAtEdge, patches.profilesWithoutSite.count)
        return s
    }

    /// Count, mean, standard deviation, minimum and maximum of the samples at each depth.
    func depthSamples() -> [RunRecord.DepthSamples] {
        var values = [[Double]](repeating: [], count: data.depths.count)
        for s in data.samples { values[s.depth].append(Double(s.value)) }
        return zip(data.depths, values).map { d, v in
            var o = RunRecord.DepthSamples()
            o.depth = d.label
            o.samples = v.count
            guard !v.isEmpty else { return o }
            let mean = v.reduce(0, +) / Double(v.count)
            o.mean = mean
            o.sd =
                v.count > 1 ? (v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(v.count - 1)).squareRoot() : 0
            (o.min, o.max) = (v.min()!, v.max()!)
            return o
        }
    }

    /// report.json's "evaluation": the fold design, the rows per depth, then the rows pooled over depths.
    static func crossValidation(_ e: EvaluationResult) -> RunRecord.CrossValidation {
        var cv = RunRecord.CrossValidation()
        (cv.folds, cv.foldDesignText, cv.foldDesign) = (e.table.folds, e.table.designText, e.table.design)
        (cv.models, cv.depthLabels) = (e.table.models, e.table.depthLabels)
        cv.perDepth = e.table.depthLabels.flatMap { e.table.rows(depth: $0).map(RunRecord.ScoreRow.init) }
        cv.pooledOverDepths = e.table.rows(depth: EvaluationTable.allDepths).map(RunRecord.ScoreRow.init)
        cv.unpredicted = e.unpredicted
        cv.zones = e.zones.map(RunRecord.Zones.init)
        return cv
    }

    static func intervals(_ s: IntervalSummary) -> RunRecord.PredictionIntervals {
        var o = RunRecord.PredictionIntervals()
        (o.level, o.method, o.sweepModel) = (s.level, s.method.rawValue, s.sweepModel)
        o.coverageAllDepths = s.coverage.filter { $0.depth == EvaluationTable.allDepths }.map {
            .init(model: $0.model, method: $0.method.rawValue, picp: $0.picp, meanWidth: $0.meanWidth)
        }
        o.sweepModelCoverage = s.coverage.filter { $0.model == s.sweepModel }.map {
            .init(depth: $0.depth, method: $0.method.rawValue, picp: $0.picp, meanWidth: $0.meanWidth)
        }
        return o
    }

    /// The maps, the area of applicability, the depth consistency and the stocks.
    func mapSections(_ m: MapResult, into r: inout RunRecord) {
        var maps = RunRecord.Maps()
        (maps.files, maps.tiles, maps.cells, maps.seconds, maps.peakMemoryBytes) = (
            m.files, m.tilesTotal, m.cells, m.seconds, m.peakMemory
        )
        maps.sharedBlocks = m.sharedBlocks > 0 ? DenseMapper.describe(sharedBlocks: m.sharedBlocks) : nil
        maps.analysisFiles = m.profiles?.files ?? []
        r.maps = maps
        let name = config.predict?.name ?? ""
        if let a = m.applicability {
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
            r.areaOfApplicability = o
        }
        if let c = m.profiles?.consistency {
            var o = RunRecord.DepthConsistency()
            o.model = config.predict?.model.rawValue ?? ""
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
            if let mono = m.profiles?.monotone {
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
            r.depthConsistency = o
        }
        if let st = m.profiles?.stocks { r.stocks = stocks(st) }
    }

    /// report.json's "stocks".
    func stocks(_ st: ProfileProducts.StockResult) -> RunRecord.Stocks {
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
        if let s = config.stocks {
            o.bulkDensity = .init(raster: s.bulkDensity, unit: s.bulkDensityUnit.rawValue)
            switch s.coarseFragments {
            case .constant(let f): o.coarseFragments = .init(constantFraction: f)
            case .raster(let path, let unit): o.coarseFragments = .init(raster: path, unit: unit.rawValue)
            }
        }
        if st.hasBounds { o.bounds = ProfileProducts.boundsNote }
        return o
    }
}
