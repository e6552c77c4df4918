import Foundation
import Models
import NeuralNet
import SoilData
import TextFormat
import Workspace

extension PipelineConfig {
    /// Reads and checks a pipeline file; errors carry the file, key, line and column.
    public static func load(path: String) throws -> PipelineConfig {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ConfigError(
                file: path, key: "", line: nil, column: nil,
                message: "cannot read the pipeline file; check the path")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(
                file: path, key: "", line: nil, column: nil, message: "the pipeline file is not UTF-8 text")
        }
        return try parse(text: text, file: url.path)
    }

    /// Parses pipeline YAML text; `file` names it in errors and anchors relative paths.
    public static func parse(text: String, file: String) throws -> PipelineConfig {
        let source = YAMLSource(file: file, text: text)
        let base = URL(fileURLWithPath: file).deletingLastPathComponent().path
        let root = try source.root().mapping()
        let resolveAgainst = { (folder: String, p: String) -> String in
            // GDAL's archive file systems: the archive's own path is resolved as any other ("/vsizip/c.zip/x.tif"
            // becomes "/vsizip//data/c.zip/x.tif"); other /vsi paths (/vsicurl/, /vsis3/, ...) are GDAL's.
            if let prefix = VirtualPath.archivePrefixes.first(where: { p.hasPrefix($0) }) {
                let inner = String(p.dropFirst(prefix.count))
                guard !inner.hasPrefix("/") else { return p }
                return prefix + URL(fileURLWithPath: folder).appendingPathComponent(inner).standardizedFileURL.path
            }
            if VirtualPath.isVirtual(p) { return p }
            let expanded = (p as NSString).expandingTildeInPath
            return expanded.hasPrefix("/")
                ? expanded : URL(fileURLWithPath: folder).appendingPathComponent(expanded).standardizedFileURL.path
        }
        // `data_folder`: the folder relative input paths start from (default: the pipeline file's);
        // the output folder stays relative to the file.
        var dataFolder = base
        if let text = try root.given(RunKeys.dataFolder), let d = root.optional(RunKeys.dataFolder.name) {
            dataFolder = resolveAgainst(base, text)
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dataFolder, isDirectory: &isFolder), isFolder.boolValue else {
                throw d.error(
                    "the data folder '\(dataFolder)' does not exist; set data_folder to the folder with the "
                        + "covariates and survey tables (relative to this file)")
            }
        }
        let resolve = { (p: String) -> String in resolveAgainst(dataFolder, p) }

        _ = try root.read(RunKeys.version)
        let name = try root.read(
            RunKeys.name, default: URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent)
        let seedValue = try root.read(RunKeys.seed)
        let output = resolveAgainst(base, try root.read(RunKeys.output, default: "out/\(name)"))
        let depthList = try root.read(RunKeys.depths)

        let covariates = try parseCovariates(
            try root.required("covariates", hint: "name the covariate rasters").mapping(), resolve: resolve)
        let sites = try parseSites(
            try root.required("sites", hint: "name the survey sites CSV").mapping(), resolve: resolve)
        let profiles = try parseProfiles(
            try root.required("profiles", hint: "name the horizon or interval table").mapping(),
            depths: depthList, resolve: resolve)
        let (patches, poolAlias) = try parsePatches(root.optional("patches")?.mapping())
        let train = try parseTrain(root.optional("train")?.mapping(), poolAlias: poolAlias)
        var warnings: [String] = []
        if let poolAlias {
            let e = poolAlias.node.error(
                "deprecated: the pool belongs to the network, give it as 'train.network.pool'"
                    + (train == nil ? " (without a 'train' section it is not used)" : ""))
            warnings.append(
                ConfigError(file: e.file, key: e.key, line: e.line, column: e.column, message: e.message).description)
        }
        if let train { try checkNetworkGeometry(patches: patches, settings: train.settings, root: root) }
        let evaluate = try parseEvaluate(root.optional("evaluate")?.mapping(), resolve: resolve)
        if evaluate != nil && train == nil, let e = root.optional("evaluate") {
            throw e.error("'evaluate' needs a 'train' section naming the models to cross-validate")
        }

        var predict = try parsePredict(
            root.optional("predict")?.mapping(), property: profiles.property, unit: profiles.unit)
        let predictMapping = (try? root.optional("predict")?.mapping()) ?? nil
        if let p = predict, p.aoa, evaluate == nil, let v = predictMapping?.optional(PredictKeys.aoa.name) {
            throw v.error(
                "'predict.aoa' takes its threshold from the cross-validation folds: add an 'evaluate' section, "
                    + "or set aoa: false")
        }
        if let p = predict, p.aoa {
            let trainsRF = train?.models.contains(.rf) ?? false
            if p.aoaWeights == .rf, !trainsRF, let v = predictMapping?.optional(PredictKeys.aoaWeights.name) {
                throw v.error(
                    "'predict.aoa_weights: rf' needs the random forest: add 'rf' to train.models, "
                        + "or use aoa_weights: equal")
            }
            if p.aoaWeights == .auto { predict?.aoaWeights = trainsRF ? .rf : .equal }
        }
        if let predict, predict.uncertainty, evaluate == nil, let v = root.optional("predict") {
            throw v.error(
                """
                'uncertainty' maps prediction intervals calibrated on the cross-validation's held-out residuals: \
                add an 'evaluate' section
                """)
        }
        if let p = predict, let kriging = p.residualKriging,
            let v = predictMapping?.optional(PredictKeys.residualKriging.name)
        {
            if evaluate == nil {
                throw v.error(
                    "'predict.residual_kriging' kriges the cross-validation's held-out residuals: add an 'evaluate' "
                        + "section, or set residual_kriging: false")
            }
            if train?.settings.log1p == true {
                throw v.error(
                    "residual kriging adds kriged residuals in the property's unit, and a log1p model's maps are "
                        + "back-transformed from the log scale: set train.log1p: false, or residual_kriging: false")
            }
            if p.model == .combined, let combine = train?.combine, combine.needsInnerFolds,
                combine.innerFolds != kriging.innerFolds
            {
                throw v.error(
                    """
                    the combined model's members are cross-validated inside each outer fold once, for its nnls \
                    weights (train.combine.inner_folds: \(combine.innerFolds)) and its kriged residuals \
                    (predict.residual_kriging.inner_folds: \(kriging.innerFolds)); give both the same number
                    """)
            }
        }
        if let combine = train?.combine, combine.needsInnerFolds, evaluate == nil,
            let v = (try? root.optional("train")?.mapping())??.optional(TrainKeys.combine.name)
        {
            throw v.error(
                "'weights: nnls' fits the combined model's weights on cross-validated predictions: add an 'evaluate' "
                    + "section, or use weights: equal")
        }
        if let predict, let train, !train.models.contains(predict.model), let v = root.optional("predict") {
            throw v.error(
                """
                predict.model '\(predict.model.rawValue)' is not among train.models \
                (\(train.models.map(\.rawValue).joined(separator: ", ")))
                """)
        }

        let select = try parseSelect(
            root.optional("select"), hasTrain: train != nil, hasEvaluate: evaluate != nil, predict: predict)

        let unitNode = (try? root.optional("profiles")?.mapping())??.optional(ProfilesKeys.unit.name)
        let stocks = try parseStocks(
            root.optional("stocks"), unit: profiles.unit, unitNode: unitNode, hasPredict: predict != nil,
            resolve: resolve)

        try root.finish()
        return PipelineConfig(
            file: file, baseDirectory: base, name: name, seed: UInt64(seedValue), output: output,
            covariates: covariates, sites: sites, profiles: profiles, depths: depthList, patches: patches,
            train: train, select: select, evaluate: evaluate, predict: predict, stocks: stocks,
            warnings: warnings, positions: source.recorder.positions)
    }

    private static func parseCovariates(_ m: YAMLMapping, resolve: (String) -> String) throws -> CovariatesConfig {
        typealias K = CovariatesKeys
        let gridValue = try m.required("grid", hint: "give 'raster: <file>' or 'crs', 'resolution' and 'extent'")
        let g = try gridValue.mapping()
        let grid: GridConfig
        if let raster = try g.given(K.raster) {
            grid = .raster(path: resolve(raster))
            if g.has(K.crs.name) || g.has(K.resolution.name) || g.has(K.extent.name) {
                throw gridValue.error("give either 'raster' or 'crs' + 'resolution' + 'extent', not both")
            }
        } else {
            let crs = try g.require(K.crs, hint: "or give 'raster: <file>' to use a raster's grid")
            let res = try g.require(K.resolution)
            let extent = try g.require(K.extent, hint: "[min_x, min_y, max_x, max_y] in the grid CRS")
            do {
                _ = try PipelineConfig.explicitGridSize(resolution: res, extent: extent, file: m.source.file)
            } catch let e as ConfigError {
                throw g.optional(K.resolution.name)!.error(e.message)
            }
            grid = .explicit(crs: crs, resolution: res, extent: extent)
        }
        try g.finish()

        let filesValue = try m.required(K.files.name, hint: "list covariate files, globs or folders")
        var sources: [CovariateSourceConfig] = []
        // An empty item ('-' alone, '~', '') would resolve to the pipeline's own folder: refuse it.
        func path(_ v: YAMLValue) throws -> String {
            guard !v.isNull else {
                throw v.error(
                    "an empty covariates.files item; give a raster file, a glob or a folder (or remove the '-' line)")
            }
            let text = try v.string()
            guard !text.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw v.error("an empty path in covariates.files; give a raster file, a glob or a folder")
            }
            return resolve(text)
        }
        for item in try filesValue.list() {
            if case .scalar = item.node {
                sources.append(
                    CovariateSourceConfig(path: try path(item), name: nil, band: nil, kind: nil, line: item.line))
            } else {
                let f = try item.mapping()
                guard let pathValue = f.optional(K.path.name) else {
                    throw item.error(
                        "this covariates.files entry has no path; give 'path: <raster file, glob or folder>'")
                }
                let path = try path(pathValue)
                let kind = try f.read(K.kind)
                let source = CovariateSourceConfig(
                    path: path, name: try f.given(K.name), band: try f.given(K.band),
                    kind: kind == "auto" ? nil : kind, nodata: try f.given(K.nodata),
                    line: item.line)
                try f.finish()
                sources.append(source)
            }
        }
        guard !sources.isEmpty else { throw filesValue.error("list at least one covariate file") }
        let config = CovariatesConfig(
            grid: grid, sources: sources, categorical: try m.read(K.categorical),
            tileSize: try m.read(K.tileSize))
        try m.finish()
        return config
    }

    private static func parseSites(_ m: YAMLMapping, resolve: (String) -> String) throws -> SitesConfig {
        let config = SitesConfig(
            file: resolve(try m.require(SitesKeys.file)), idColumn: try m.read(SitesKeys.idColumn),
            xColumn: try m.read(SitesKeys.xColumn), yColumn: try m.read(SitesKeys.yColumn),
            crs: try m.read(SitesKeys.crs))
        try m.finish()
        return config
    }

    private static func parseProfiles(
        _ m: YAMLMapping, depths: [DepthInterval], resolve: (String) -> String
    ) throws -> ProfilesConfig {
        typealias K = ProfilesKeys
        let property = try m.read(K.property)
        let unit = try m.read(K.unit)
        let validRange =
            try m.given(K.validRange).map { ValidRange(min: $0[0], max: $0[1], origin: K.validRange.path) }
            ?? ValidRange.default(forUnit: unit, key: K.validRange.path)
        let source: ProfilesSource
        if let h = m.optional("horizons") {
            if m.has("intervals") { throw h.error("give either 'horizons' or 'intervals', not both") }
            let hm = try h.mapping()
            let file = resolve(try hm.require(K.horizonsFile))
            let columns = HorizonColumns(
                id: try hm.read(K.horizonsId), top: try hm.read(K.top),
                bottom: try hm.read(K.bottom), value: try hm.require(K.valueColumn),
                valueScale: try hm.read(K.horizonsScale), depthScale: try hm.read(K.depthScale),
                validRange: validRange, keyPrefix: "profiles.horizons")
            try hm.finish()
            var spline = SplineOptions()
            if let s = m.optional("spline") {
                let sm = try s.mapping()
                spline.lambda = try sm.read(K.lambda)
                spline.minValue = try sm.read(K.min)
                spline.maxValue = try sm.read(K.max)
                if spline.minValue >= spline.maxValue { throw s.error("spline min must be below max") }
                try sm.finish()
            }
            source = .horizons(file: file, columns: columns, spline: spline)
        } else if let i = m.optional("intervals") {
            let im = try i.mapping()
            let file = resolve(try im.require(K.intervalsFile))
            let cols = try im.require(K.columns, hint: "one column per depth interval")
            guard cols.count == depths.count else {
                throw im.optional(K.columns.name)!.error(
                    "give one column per depth interval: \(depths.count) expected, \(cols.count) found")
            }
            let columns = IntervalColumns(
                id: try im.read(K.intervalsId), columns: cols, valueScale: try im.read(K.intervalsScale),
                validRange: validRange, keyPrefix: "profiles.intervals")
            try im.finish()
            if let s = m.optional("spline") { throw s.error("the spline only applies to 'horizons'") }
            source = .intervals(file: file, columns: columns)
        } else {
            throw ConfigError(
                file: m.source.file, key: m.path, line: m.mark?.line, column: m.mark?.column,
                message: "give 'horizons' (a horizon table) or 'intervals' (values per depth interval)")
        }
        try m.finish()
        return ProfilesConfig(property: property, unit: unit, source: source)
    }

    /// The patch size and the network's kernel and pool must give a network that fits: checked once,
    /// here, by the network's own validator (`NetworkConfig.validate`), naming the keys.
    private static func checkNetworkGeometry(
        patches: PatchesConfig, settings s: ModelSettings, root: YAMLMapping
    ) throws {
        if let problem = networkGeometryProblem(patches: patches, settings: s) {
            let patchesNode = root.optional("patches")
            let at =
                (try? patchesNode?.mapping().optional("size")) ?? patchesNode ?? root.optional("train")
                ?? root.optional("covariates")!
            throw at.error(problem)
        }
    }

    /// Nil when the patch size, pool and kernel make a network; else what is wrong and the rule.
    static func networkGeometryProblem(patches: PatchesConfig, settings s: ModelSettings) -> String? {
        let config = NetworkConfig(
            channels: 1, patchSize: patches.size, poolSize: s.poolSize, kernelSize: s.kernelSize,
            convWidths: s.convWidths, fcWidths: s.fcWidths)
        do { try config.validate() } catch {
            return """
                patches.size \(patches.size), train.network.pool \(s.poolSize) and train.network.kernel_size \
                \(s.kernelSize) do not make a network: \(error). With kernel k and pool p the patch size P needs \
                (P - 2(k-1)) to be a multiple of p and (P - 2(k-1))/p >= k; e.g. P 13, p 3, k 3 or P 23, p 3, k 5
                """
        }
        return nil
    }

    /// The `patches` section, and the deprecated `patches.pool` (now `train.network.pool`) when given.
    private static func parsePatches(_ m: YAMLMapping?) throws -> (PatchesConfig, poolAlias: PoolAlias?) {
        guard let m else {
            return (PatchesConfig(size: PatchesKeys.size.defaultValue!, file: PatchesKeys.file.defaultValue!), nil)
        }
        let size = try m.read(PatchesKeys.size)
        let poolAlias = try m.given(PatchesKeys.pool).map {
            PoolAlias(value: $0, node: m.optional(PatchesKeys.pool.name)!)
        }
        let file = try m.read(PatchesKeys.file)
        try m.finish()
        return (PatchesConfig(size: size, file: file), poolAlias)
    }
}

/// The deprecated `patches.pool` key: its value and where it stands (for the note and for errors).
struct PoolAlias {
    /// The pool size given.
    let value: Int
    /// The YAML value, for its line and column.
    let node: YAMLValue
}
