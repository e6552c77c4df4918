/// Every covariate on one reference grid, with statistics over that grid, scaled into network channels:
/// continuous covariates min-max scaled to [0, 1], categorical ones one-hot; nodata takes the channel's fill.
///
/// Each covariate is a `WarpedRaster` onto the grid (bilinear for continuous, nearest for categorical;
/// read directly when already on the grid, south-up ones with rows reversed); a spec's `nodata`
/// replaces the file's nodata everywhere; statistics are gathered tile by tile, so memory is
/// bounded by the tile size. Not thread-safe: use one stack per thread.
public final class CovariateStack {
    /// The reference grid.
    public let grid: Grid
    /// The covariates, in the order of the specs (bands of one file in band order).
    public let covariates: [Covariate]
    /// The channels: one per continuous covariate, one per class of each categorical covariate.
    public let channels: [Channel]
    /// The tile size used for statistics.
    public let tileSize: Int

    /// The most classes a categorical covariate may have.
    public static let maximumClasses = 64

    struct Source {
        let view: WarpedRaster
        let band: Int
        /// The file the view reads (covariates of one file are read by one thread).
        let path: String
    }

    let sources: [Source]
    /// Per covariate, the channel index of each class value (categorical only).
    let classChannels: [[Int: Int]]

    /// The statistics the channels were defined from, with their inputs (to save for a later process);
    /// a `selecting` stack keeps those of the stack it was selected from.
    public let statistics: StackStatistics
    /// True when the statistics came from `saved` rather than from reading the rasters.
    public let reusedStatistics: Bool

    /// Builds the stack: expands specs into covariates, opens each onto the reference grid, gathers
    /// statistics and classes tile by tile and defines the channels. `saved` statistics are used
    /// instead of reading the grid when their inputs equal this stack's (same grid, tile size,
    /// covariates and files of the same size and modification time); the channels are then the
    /// same bits. `progress` gets (tiles done, tiles).
    public init(
        specs: [CovariateSpec], reference: ReferenceGrid, tileSize: Int = 512, saved: StackStatistics? = nil,
        progress: ((_ done: Int, _ total: Int) -> Void)? = nil
    ) throws {
        precondition(tileSize > 0, "CovariateStack: tile size \(tileSize) must be positive")
        guard !specs.isEmpty else {
            throw RasterError("no covariates were given", hint: "List at least one covariate raster")
        }
        let grid = try reference.resolve()
        self.grid = grid
        self.tileSize = tileSize
        // 1. Expand specs into covariates and open one view per file, nodata and resampling.
        let planned = try Self.plan(specs: specs, grid: grid)
        sources = planned.map(\.source)
        let inputs = try Self.inputs(planned, grid: grid, tileSize: tileSize)

        // 2. Statistics and classes over the reference grid, tile by tile (or saved ones of the same inputs).
        var statistics: [CovariateStatistics]
        if let saved, saved.inputs == inputs, saved.covariates.map(\.kind) == planned.map(\.kind) {
            statistics = saved.covariates
            reusedStatistics = true
        } else {
            statistics = try Self.gather(planned, grid: grid, tileSize: tileSize, progress: progress)
            reusedStatistics = false
        }
        self.statistics = StackStatistics(inputs: inputs, covariates: statistics)

        // 3. Covariates and channels.
        var covariates: [Covariate] = []
        var channels: [Channel] = []
        var classChannels: [[Int: Int]] = []
        for (i, plan) in planned.enumerated() {
            let stats = statistics[i]
            guard stats.count > 0 else {
                throw RasterError(
                    "covariate '\(plan.name)' has no valid cell on the reference grid", path: plan.path,
                    band: plan.band,
                    hint: "Check that the raster overlaps the reference grid and that its nodata value is right")
            }
            guard stats.minimum.isFinite, stats.maximum.isFinite else {
                throw RasterError(
                    """
                    covariate '\(plan.name)' holds infinite values (range \(stats.minimum) .. \(stats.maximum); a \
                    value beyond Float32's ±3.4e38 reads as infinite)
                    """,
                    path: plan.path, band: plan.band,
                    hint: """
                        Replace them with the raster's nodata value, e.g. gdal_calc.py -A <file> --outfile <new file> \
                        --calc "where(isinf(A), -9999, A)" --NoDataValue=-9999, or fix how the raster was made
                        """)
            }
            let view = plan.source.view
            let sourceInfo = try view.sourceBand(plan.band)
            let table = try view.band(plan.band).attributeTable ?? [:]
            let classes = stats.classCounts.keys.sorted().map { value in
                CategoryClass(
                    value: value, label: table[value] ?? "class \(value)", cellCount: stats.classCounts[value]!)
            }
            let suspect =
                sourceInfo.nodata == nil && plan.nodataOverride == nil
                ? NodataSentinel.suspect(minimum: stats.minimum, maximum: stats.maximum, dataType: sourceInfo.dataType)
                : nil
            covariates.append(
                Covariate(
                    name: plan.name, sourcePath: plan.path, band: plan.band, kind: plan.kind,
                    sourceCRS: view.sourceGrid.crs.epsg.map { "EPSG:\($0)" } ?? view.sourceGrid.crs.displayName,
                    sourceResolutionX: view.sourceGrid.resolution.x, sourceResolutionY: view.sourceGrid.resolution.y,
                    sourceNodata: sourceInfo.nodata, nodataOverride: plan.nodataOverride, suspectNodata: suspect,
                    min: stats.minimum, max: stats.maximum, mean: stats.mean, validCells: stats.count,
                    classes: plan.kind == .categorical ? classes : [], gridSHA256: stats.gridSHA256))
            var lookup: [Int: Int] = [:]
            switch plan.kind {
            case .continuous:
                let range = stats.maximum - stats.minimum
                let fill = range > 0 ? (stats.mean - stats.minimum) / range : 0.5
                channels.append(
                    Channel(
                        name: plan.name, covariate: i, classValue: nil,
                        min: stats.minimum, max: stats.maximum, fill: Float(fill)))
            case .categorical:
                for cls in classes {
                    lookup[cls.value] = channels.count
                    let label = table[cls.value].map { " (\($0))" } ?? ""
                    channels.append(
                        Channel(
                            name: "\(plan.name)=\(cls.value)\(label)", covariate: i, classValue: cls.value,
                            min: 0, max: 1, fill: Float(Double(cls.cellCount) / Double(stats.count))))
                }
            }
            classChannels.append(lookup)
        }
        self.covariates = covariates
        self.channels = channels
        self.classChannels = classChannels
    }

    /// Statistics and classes of every planned covariate over the grid, tile by tile; throws for a
    /// categorical covariate with too many classes or a non-integer class.
    private static func gather(
        _ planned: [Planned], grid: Grid, tileSize: Int,
        progress: ((_ done: Int, _ total: Int) -> Void)?
    ) throws -> [CovariateStatistics] {
        var statistics = planned.map { CovariateStatistics(kind: $0.kind) }
        var digests = [GridDigest](repeating: GridDigest(), count: planned.count)
        let tiles = grid.tiles(size: tileSize)
        for (t, tile) in tiles.enumerated() {
            for (i, plan) in planned.enumerated() {
                let block = try plan.source.view.read(band: plan.source.band, window: tile)
                statistics[i].add(block)
                digests[i].add(block)
                if statistics[i].classCounts.count > Self.maximumClasses {
                    throw RasterError(
                        "categorical covariate '\(plan.name)' has more than \(Self.maximumClasses) classes on the grid",
                        path: plan.path, band: plan.band,
                        hint: "Declare it continuous (kind: continuous) or reclassify it")
                }
                if let bad = statistics[i].nonIntegerValue {
                    throw RasterError(
                        "categorical covariate '\(plan.name)' has the non-integer value \(bad)",
                        path: plan.path, band: plan.band,
                        hint:
                            "Class codes must be whole numbers; declare the covariate continuous if it is a measurement"
                    )
                }
            }
            progress?(t + 1, tiles.count)
        }
        for i in statistics.indices { statistics[i].gridSHA256 = digests[i].finish() }
        return statistics
    }

    /// What the statistics of `planned` depend on: grid, tile size, covariates and the stamps of
    /// every file GDAL reads for them.
    private static func inputs(_ planned: [Planned], grid: Grid, tileSize: Int) throws -> StackStatistics.Inputs {
        var files = Set<String>()
        for p in planned { files.formUnion(try p.source.view.sourceFiles()) }
        let covariates = planned.map { p in
            "\(p.name) | \(p.path) | \(p.band) | \(p.kind.rawValue) | \(p.nodataOverride.map { "\($0)" } ?? "file's")"
        }
        return StackStatistics.Inputs(
            grid: StackStatistics.gridText(grid), tileSize: tileSize, covariates: covariates,
            files: try files.sorted().map(StackStatistics.stamp))
    }

    private init(
        grid: Grid, covariates: [Covariate], channels: [Channel], tileSize: Int, sources: [Source],
        classChannels: [[Int: Int]], statistics: StackStatistics, reusedStatistics: Bool
    ) {
        self.grid = grid
        self.statistics = statistics
        self.reusedStatistics = reusedStatistics
        self.covariates = covariates
        self.channels = channels
        self.tileSize = tileSize
        self.sources = sources
        self.classChannels = classChannels
    }

    /// The same stack with only the covariates named in `names` (in the stack's order), sharing this
    /// stack's rasters and statistics: their channels, scaling and fills are exactly this stack's, so a
    /// model trained on a selection of covariates maps with the same numbers. Unknown names are ignored.
    public func selecting(covariates names: Set<String>) -> CovariateStack {
        arranged(covariates.indices.filter { names.contains(covariates[$0].name) }.map { ($0, covariates[$0].name) })
    }

    /// The same stack with the covariates at `order`'s indices, in that order, each under the name given
    /// (its channels' names follow: "soil=3 (Ferralsols)" becomes "soiltype=3 (Ferralsols)"), sharing this
    /// stack's rasters and statistics: a model's covariates found under other names or in another order
    /// of `covariates.files` read with exactly the numbers they were trained on.
    public func arranged(_ order: [(index: Int, name: String)]) -> CovariateStack {
        var newChannels: [Channel] = []
        var lookups: [[Int: Int]] = []
        var newCovariates: [Covariate] = []
        for (position, entry) in order.enumerated() {
            var covariate = covariates[entry.index]
            let oldName = covariate.name
            covariate.name = entry.name
            newCovariates.append(covariate)
            var lookup: [Int: Int] = [:]
            for var channel in channels where channel.covariate == entry.index {
                channel.covariate = position
                if oldName != entry.name, channel.name.hasPrefix(oldName) {
                    channel.name = entry.name + channel.name.dropFirst(oldName.count)
                }
                if let value = channel.classValue { lookup[value] = newChannels.count }
                newChannels.append(channel)
            }
            lookups.append(lookup)
        }
        return CovariateStack(
            grid: grid, covariates: newCovariates, channels: newChannels, tileSize: tileSize,
            sources: order.map { sources[$0.index] }, classChannels: lookups,
            statistics: statistics, reusedStatistics: reusedStatistics)
    }

    /// What `check` found: the north-up reference grid and the covariate names after expansion.
    public struct Check: Sendable {
        /// The reference grid (north-up).
        public let grid: Grid
        /// One name per covariate, bands of multi-band files expanded.
        public let covariateNames: [String]
    }

    /// Checks specs against the reference grid without reading any cell: the grid resolves, every file
    /// opens, is north- or south-up, has the named band and a CRS that transforms to the grid's, and
    /// every covariate name is unique. Throws the first problem, naming the file.
    public static func check(specs: [CovariateSpec], reference: ReferenceGrid) throws -> Check {
        guard !specs.isEmpty else {
            throw RasterError("no covariates were given", hint: "List at least one covariate raster")
        }
        let grid = try reference.resolve()
        let planned = try plan(specs: specs, grid: grid)
        for p in planned { p.source.view.close() }
        return Check(grid: grid, covariateNames: planned.map(\.name))
    }

    private struct Planned {
        let name: String
        let path: String
        let band: Int
        let kind: CovariateKind
        let nodataOverride: Double?
        let source: Source
    }

    /// Expands specs into covariates (one per band), names them and opens one view per file,
    /// nodata and resampling; no cell is read.
    private static func plan(specs: [CovariateSpec], grid: Grid) throws -> [Planned] {
        var views: [String: WarpedRaster] = [:]
        func view(_ spec: CovariateSpec, _ resampling: Resampling) throws -> WarpedRaster {
            let key = "\(resampling.rawValue)|\(spec.nodata.map { "\($0)" } ?? "-")|\(spec.path)"
            if let existing = views[key] { return existing }
            let opened = try WarpedRaster(path: spec.path, onto: grid, resampling: resampling, nodata: spec.nodata)
            views[key] = opened
            return opened
        }
        var planned: [Planned] = []
        var firstPathOfName: [String: String] = [:]
        for spec in specs {
            let probe = try view(spec, .nearest)
            let bands: [Int]
            if let band = spec.band {
                _ = try probe.band(band)
                bands = [band]
            } else {
                bands = Array(1...probe.bandCount)
            }
            for band in bands {
                let info = try probe.band(band)
                let kind = spec.kind ?? (info.isCategorical ? .categorical : .continuous)
                let name: String
                if spec.band != nil || probe.bandCount == 1 {
                    name = spec.name
                } else {
                    let text = info.description.trimmingWhitespace()
                    name = text.isEmpty ? "\(spec.name)_b\(band)" : text
                }
                if let other = firstPathOfName[name] {
                    throw RasterError(
                        "covariate name '\(name)' is used twice ('\(other)' and '\(spec.path)')", path: spec.path,
                        hint: other == spec.path
                            ? "Give every covariate (and every band of a multi-band file) its own name"
                            : """
                            Give one of them another name with `name:` (two files with the same name in two \
                            folders get the same covariate name)
                            """
                    )
                }
                firstPathOfName[name] = spec.path
                let resampling: Resampling = kind == .categorical ? .nearest : .bilinear
                planned.append(
                    Planned(
                        name: name, path: spec.path, band: band, kind: kind, nodataOverride: spec.nodata,
                        source: Source(view: try view(spec, resampling), band: band, path: spec.path)))
            }
        }
        guard planned.count <= Int(UInt8.max) else {
            throw RasterError(
                "\(planned.count) covariates are more than a stack holds (\(UInt8.max))",
                hint: "Select fewer covariates or bands")
        }
        return planned
    }
}
