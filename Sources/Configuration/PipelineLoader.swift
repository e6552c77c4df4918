import Foundation
import TextFormat
import Workspace
import Models
import NeuralNet
import SoilData

extension PipelineConfig {
    /// Reads and checks a pipeline file; errors carry the file, key, line and column.
    public static func load(path: String) throws -> PipelineConfig {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ConfigError(file: path, key: "", line: nil, column: nil,
                              message: "cannot read the pipeline file; check the path")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, key: "", line: nil, column: nil, message: "the pipeline file is not UTF-8 text")
        }
        return try parse(text: text, file: url.path)
    }

    /// Parses pipeline YAML text; `file` names it in errors and anchors relative paths.
    public static func parse(text: String, file: String) throws -> PipelineConfig {
        let source = YAMLSource(file: file, text: text)
        let base = URL(fileURLWithPath: file).deletingLastPathComponent().path
        let root = try source.root().mapping()
        let resolveAgainst = { (folder: String, p: String) -> String in
            let expanded = (p as NSString).expandingTildeInPath
            return expanded.hasPrefix("/") ? expanded : URL(fileURLWithPath: folder).appendingPathComponent(expanded).standardizedFileURL.path
        }
        // `data_folder`: the folder relative input paths start from (default: the pipeline file's);
        // the output folder stays relative to the file.
        var dataFolder = base
        if let d = root.optional("data_folder") {
            let text = try d.string()
            guard !text.isEmpty else { throw d.error("give the folder that holds the input data, or remove the key") }
            dataFolder = resolveAgainst(base, text)
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dataFolder, isDirectory: &isFolder), isFolder.boolValue else {
                throw d.error("the data folder '\(dataFolder)' does not exist; set data_folder to the folder with the covariates and survey tables (relative to this file)")
            }
        }
        let resolve = { (p: String) -> String in resolveAgainst(dataFolder, p) }

        let version = try root.int("version", default: 1)
        if version != 1, let v = root.optional("version") {
            throw v.error("this socmap reads pipeline version 1; found \(version)")
        }
        let name = try root.string("name", default: URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent)
        let seedValue = try root.int("seed", default: 2025)
        if seedValue < 0, let v = root.optional("seed") { throw v.error("seed must be zero or positive") }
        let output = resolveAgainst(base, try root.string("output", default: "out/\(name)"))

        let depthList: [DepthInterval]
        if let d = root.optional("depths") {
            depthList = try d.list().map { item in
                do { return try DepthInterval.parse(try item.string()) } catch let e as ConfigError { throw e } catch {
                    throw item.error("not a depth interval like '0-5' (cm): \(error)")
                }
            }
            guard !depthList.isEmpty else { throw d.error("list at least one depth interval") }
            for (a, b) in zip(depthList, depthList.dropFirst()) where b.top < a.bottom {
                throw d.error("depth intervals must be in order and not overlap (\(a.label) then \(b.label))")
            }
        } else {
            depthList = DepthInterval.standard
        }

        let covariates = try parseCovariates(try root.required("covariates", hint: "name the covariate rasters").mapping(), resolve: resolve)
        let sites = try parseSites(try root.required("sites", hint: "name the survey sites CSV").mapping(), resolve: resolve)
        let profiles = try parseProfiles(try root.required("profiles", hint: "name the horizon or interval table").mapping(),
                                         depths: depthList, resolve: resolve)
        let (patches, poolAlias) = try parsePatches(root.optional("patches")?.mapping())
        let train = try parseTrain(root.optional("train")?.mapping(), poolAlias: poolAlias)
        var warnings: [String] = []
        if let poolAlias {
            let e = poolAlias.node.error("deprecated: the pool belongs to the network, give it as 'train.network.pool'"
                                         + (train == nil ? " (without a 'train' section it is not used)" : ""))
            warnings.append(ConfigError(file: e.file, key: e.key, line: e.line, column: e.column, message: e.message).description)
        }
        if let train { try checkNetworkGeometry(patches: patches, settings: train.settings, root: root) }
        let evaluate = try parseEvaluate(root.optional("evaluate")?.mapping(), resolve: resolve)
        if evaluate != nil && train == nil, let e = root.optional("evaluate") {
            throw e.error("'evaluate' needs a 'train' section naming the models to cross-validate")
        }

        var predict = try parsePredict(root.optional("predict")?.mapping(), property: profiles.property, unit: profiles.unit)
        if let p = predict, p.aoa, evaluate == nil, let v = (try? root.optional("predict")?.mapping())??.optional("aoa") {
            throw v.error("'predict.aoa' takes its threshold from the cross-validation folds: add an 'evaluate' section, or set aoa: false")
        }
        if let p = predict, p.aoa {
            let trainsRF = train?.models.contains(.rf) ?? false
            if p.aoaWeights == .rf, !trainsRF, let v = (try? root.optional("predict")?.mapping())??.optional("aoa_weights") {
                throw v.error("'predict.aoa_weights: rf' needs the random forest: add 'rf' to train.models, or use aoa_weights: equal")
            }
            if p.aoaWeights == .auto { predict?.aoaWeights = trainsRF ? .rf : .equal }
        }
        if let predict, predict.uncertainty, evaluate == nil, let v = root.optional("predict") {
            throw v.error("'uncertainty' maps prediction intervals calibrated on the cross-validation's held-out residuals: add an 'evaluate' section")
        }
        if let predict, let train, !train.models.contains(predict.model), let v = root.optional("predict") {
            throw v.error("predict.model '\(predict.model.rawValue)' is not among train.models (\(train.models.map(\.rawValue).joined(separator: ", ")))")
        }

        let select = try parseSelect(root.optional("select"), hasTrain: train != nil, hasEvaluate: evaluate != nil, predict: predict)

        let unitNode = (try? root.optional("profiles")?.mapping())??.optional("unit")
        let stocks = try parseStocks(root.optional("stocks"), unit: profiles.unit, unitNode: unitNode, hasPredict: predict != nil,
                                     resolve: resolve)

        try root.finish()
        return PipelineConfig(file: file, baseDirectory: base, name: name, seed: UInt64(seedValue), output: output,
                              covariates: covariates, sites: sites, profiles: profiles, depths: depthList, patches: patches,
                              train: train, select: select, evaluate: evaluate, predict: predict, stocks: stocks, warnings: warnings)
    }

    private static func parseCovariates(_ m: YAMLMapping, resolve: (String) -> String) throws -> CovariatesConfig {
        let gridValue = try m.required("grid", hint: "give 'raster: <file>' or 'crs', 'resolution' and 'extent'")
        let g = try gridValue.mapping()
        let grid: GridConfig
        if let r = g.optional("raster") {
            grid = .raster(path: resolve(try r.string()))
            if g.has("crs") || g.has("resolution") || g.has("extent") {
                throw gridValue.error("give either 'raster' or 'crs' + 'resolution' + 'extent', not both")
            }
        } else {
            let crs = try g.required("crs", hint: "or give 'raster: <file>' to use a raster's grid").string()
            let res = try g.required("resolution").double()
            guard res > 0 else { throw g.optional("resolution")!.error("resolution must be positive (in CRS units)") }
            let extentValue = try g.required("extent", hint: "[min_x, min_y, max_x, max_y] in the grid CRS")
            let extent = try extentValue.list().map { try $0.double() }
            guard extent.count == 4, extent[0] < extent[2], extent[1] < extent[3] else {
                throw extentValue.error("extent must be [min_x, min_y, max_x, max_y] with min < max")
            }
            do { _ = try PipelineConfig.explicitGridSize(resolution: res, extent: extent, file: m.source.file) } catch let e as ConfigError {
                throw g.optional("resolution")!.error(e.message)
            }
            grid = .explicit(crs: crs, resolution: res, extent: extent)
        }
        try g.finish()

        let filesValue = try m.required("files", hint: "list covariate files, globs or folders")
        var sources: [CovariateSourceConfig] = []
        // An empty item ('-' alone, '~', '') would resolve to the pipeline's own folder: refuse it.
        func path(_ v: YAMLValue) throws -> String {
            guard !v.isNull else {
                throw v.error("an empty covariates.files item; give a raster file, a glob or a folder (or remove the '-' line)")
            }
            let text = try v.string()
            guard !text.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw v.error("an empty path in covariates.files; give a raster file, a glob or a folder")
            }
            return resolve(text)
        }
        for item in try filesValue.list() {
            if case .scalar = item.node {
                sources.append(CovariateSourceConfig(path: try path(item), name: nil, band: nil, kind: nil, line: item.line))
            } else {
                let f = try item.mapping()
                guard let pathValue = f.optional("path") else {
                    throw item.error("this covariates.files entry has no path; give 'path: <raster file, glob or folder>'")
                }
                let path = try path(pathValue)
                let name = try f.optional("name")?.string()
                let band = try f.optional("band").map { v -> Int in
                    let b = try v.int(); guard b >= 1 else { throw v.error("bands are numbered from 1") }; return b
                }
                let kind = try f.optional("kind").map { v -> String in
                    let k = try v.string()
                    guard ["continuous", "categorical", "auto"].contains(k) else {
                        throw v.error("kind must be continuous, categorical or auto, found '\(k)'")
                    }
                    return k
                }
                let nodata = try f.optional("nodata").map { v -> Double in
                    if case .scalar(let s) = v.node, s.string.lowercased() == "nan" { return .nan }
                    return try v.double()
                }
                try f.finish()
                sources.append(CovariateSourceConfig(path: path, name: name, band: band, kind: kind == "auto" ? nil : kind,
                                                     nodata: nodata, line: item.line))
            }
        }
        guard !sources.isEmpty else { throw filesValue.error("list at least one covariate file") }
        let categorical = try m.optional("categorical")?.list().map { try $0.string() } ?? []
        let tile = try m.int("tile_size", default: 512, in: 32...8192)
        try m.finish()
        return CovariatesConfig(grid: grid, sources: sources, categorical: categorical, tileSize: tile)
    }

    private static func parseSites(_ m: YAMLMapping, resolve: (String) -> String) throws -> SitesConfig {
        let file = resolve(try m.required("file").string())
        let config = SitesConfig(file: file,
                                 idColumn: try m.string("id_column", default: "site_id"),
                                 xColumn: try m.string("x_column", default: "lon"),
                                 yColumn: try m.string("y_column", default: "lat"),
                                 crs: try m.string("crs", default: "EPSG:4326"))
        try m.finish()
        return config
    }

    private static func parseProfiles(_ m: YAMLMapping, depths: [DepthInterval], resolve: (String) -> String) throws -> ProfilesConfig {
        let property = try m.string("property", default: "SOC")
        let unit = try m.string("unit", default: "g/kg")
        let validRange = try parseValidRange(m, unit: unit)
        let source: ProfilesSource
        if let h = m.optional("horizons") {
            if m.has("intervals") { throw h.error("give either 'horizons' or 'intervals', not both") }
            let hm = try h.mapping()
            let file = resolve(try hm.required("file").string())
            let columns = HorizonColumns(id: try hm.string("id_column", default: "site_id"),
                                         top: try hm.string("top_column", default: "top"),
                                         bottom: try hm.string("bottom_column", default: "bottom"),
                                         value: try hm.required("value_column").string(),
                                         valueScale: try scaleFactor(hm, "value_scale", example: "0.1 to turn g/kg into %"),
                                         depthScale: try scaleFactor(hm, "depth_scale", example: "100 for depths in metres"),
                                         validRange: validRange, keyPrefix: "profiles.horizons")
            try hm.finish()
            var spline = SplineOptions()
            if let s = m.optional("spline") {
                let sm = try s.mapping()
                spline.lambda = try sm.double("lambda", default: 0.1, in: 0...1000)
                spline.minValue = try sm.double("min", default: 0)
                spline.maxValue = try sm.double("max", default: 1000)
                if spline.minValue >= spline.maxValue { throw s.error("spline min must be below max") }
                try sm.finish()
            }
            source = .horizons(file: file, columns: columns, spline: spline)
        } else if let i = m.optional("intervals") {
            let im = try i.mapping()
            let file = resolve(try im.required("file").string())
            let colsValue = try im.required("columns", hint: "one column per depth interval")
            let cols = try colsValue.list().map { try $0.string() }
            guard cols.count == depths.count else {
                throw colsValue.error("give one column per depth interval: \(depths.count) expected, \(cols.count) found")
            }
            let columns = IntervalColumns(id: try im.string("id_column", default: "site_id"), columns: cols,
                                          valueScale: try scaleFactor(im, "value_scale", example: "0.1 to turn g/kg into %"),
                                          validRange: validRange, keyPrefix: "profiles.intervals")
            try im.finish()
            if let s = m.optional("spline") { throw s.error("the spline only applies to 'horizons'") }
            source = .intervals(file: file, columns: columns)
        } else {
            throw ConfigError(file: m.source.file, key: m.path, line: m.mark?.line, column: m.mark?.column,
                              message: "give 'horizons' (a horizon table) or 'intervals' (values per depth interval)")
        }
        try m.finish()
        return ProfilesConfig(property: property, unit: unit, source: source)
    }

    /// The patch size and the network's kernel and pool must give a network that fits: checked once,
    /// here, by the network's own validator (`NetworkConfig.validate`), naming the keys.
    private static func checkNetworkGeometry(patches: PatchesConfig, settings s: ModelSettings, root: YAMLMapping) throws {
        if let problem = networkGeometryProblem(patches: patches, settings: s) {
            let patchesNode = root.optional("patches")
            let at = (try? patchesNode?.mapping().optional("size")) ?? patchesNode ?? root.optional("train") ?? root.optional("covariates")!
            throw at.error(problem)
        }
    }

    /// Nil when the patch size, pool and kernel make a network; else what is wrong and the rule.
    static func networkGeometryProblem(patches: PatchesConfig, settings s: ModelSettings) -> String? {
        let config = NetworkConfig(channels: 1, patchSize: patches.size, poolSize: s.poolSize, kernelSize: s.kernelSize,
                                   convWidths: s.convWidths, fcWidths: s.fcWidths)
        do { try config.validate() } catch {
            return "patches.size \(patches.size), train.network.pool \(s.poolSize) and train.network.kernel_size \(s.kernelSize) do not make a network: \(error). With kernel k and pool p the patch size P needs (P - 2(k-1)) to be a multiple of p and (P - 2(k-1))/p >= k; e.g. P 13, p 3, k 3 or P 23, p 3, k 5"
        }
        return nil
    }

    /// A scale factor (`value_scale`, `depth_scale`): 1 when absent, else a finite number > 0.
    private static func scaleFactor(_ m: YAMLMapping, _ key: String, example: String) throws -> Double {
        guard let v = m.optional(key) else { return 1 }
        let x = try v.double()
        guard x > 0 else { throw v.error("\(key) must be a number greater than 0 (e.g. \(example)), found \(NumberText.compact(x))") }
        return x
    }

    /// `profiles.valid_range: [min, max]`, or the default for the unit (`ValidRange.default(forUnit:)`).
    private static func parseValidRange(_ m: YAMLMapping, unit: String) throws -> ValidRange? {
        guard let v = m.optional("valid_range") else { return ValidRange.default(forUnit: unit, key: "profiles.valid_range") }
        let bounds = try v.list().map { try $0.double() }
        guard bounds.count == 2, bounds[0] < bounds[1] else {
            throw v.error("valid_range must be [min, max] with min < max, in the unit after value_scale (e.g. [0, 1000] for g/kg)")
        }
        return ValidRange(min: bounds[0], max: bounds[1], origin: "profiles.valid_range")
    }

    /// The `patches` section, and the deprecated `patches.pool` (now `train.network.pool`) when given.
    private static func parsePatches(_ m: YAMLMapping?) throws -> (PatchesConfig, poolAlias: PoolAlias?) {
        guard let m else { return (PatchesConfig(size: 13, file: OutputLayout.defaultPatchesFile), nil) }
        let sizeValue = m.optional("size")
        let size = try sizeValue?.int() ?? 13
        let poolAlias = try m.optional("pool").map { PoolAlias(value: try m.int("pool", default: 3, in: 1...9), node: $0) }
        if let sizeValue {
            guard size % 2 == 1, (3...255).contains(size) else {
                throw sizeValue.error("patch size must be odd and between 3 and 255 cells, found \(size)")
            }
        }
        let fileValue = m.optional("file")
        let file = try fileValue?.string() ?? OutputLayout.defaultPatchesFile
        if let fileValue, let problem = OutputLayout.problem(withPlainName: file, reservedToo: true) {
            throw fileValue.error("the patch file name \(problem)")
        }
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
