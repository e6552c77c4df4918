import Foundation

/// Every path a run reads or writes inside its output folder. Names that come from the pipeline
/// (`patches.file`, `predict.name`) are plain file names checked by `problem(withPlainName:)`; no
/// stage builds an output path any other way. It knows files, not science: models are named by
/// their kind's name (the pipeline adds `ModelKind` overloads).
public struct OutputLayout: Sendable, Equatable {
    /// The folder the paths are in: the output folder, or a run's staging folder inside it.
    public let root: String
    /// File name of the patch data set (`patches.file`).
    public let patchesFile: String

    /// The patch data set's name unless `patches.file` names another.
    public static let defaultPatchesFile = "patches.socp"
    /// Profiles per site and depth.
    public static let profiles = "profiles.csv"
    /// Sites left out, with reason and CSV line.
    public static let droppedSites = "dropped_sites.csv"
    /// The Markdown report.
    public static let reportMarkdown = "report.md"
    /// The JSON report.
    public static let reportJSON = "report.json"
    /// The self-contained HTML report (report.md, the evaluation summary and every figure).
    public static let reportHTML = "report.html"
    /// Cross-validation results.
    public static let evaluation = "evaluation"
    /// Saved models.
    public static let models = "models"
    /// Map products.
    public static let maps = "maps"
    /// Covariate selection (`select`): its table, report and the selected covariates.
    public static let selection = "selection"
    /// RMSE per depth per subset size of the covariate selection (the paper's Table 2).
    public static let selectionCSV = "selection/selection.csv"
    /// The covariate selection's report.
    public static let selectionMarkdown = "selection/selection.md"
    /// The selected covariates, one a line.
    public static let selectedCovariates = "selection/selected.txt"
    /// SOCMap's own bookkeeping: lock, record of the outputs, staging, resumable map tiles.
    public static let control = ".socmap"

    /// Names a pipeline-given name may not take (every fixed output and the control folder).
    public static let reserved: Set<String> = [
        profiles, droppedSites, reportMarkdown, reportJSON, reportHTML, selection, evaluation, models, maps,
        control
    ]

    /// A layout rooted at `root`.
    public init(root: String, patchesFile: String) {
        self.root = root
        self.patchesFile = patchesFile
    }

    /// The same names inside another folder (a staging folder).
    public func moved(to folder: String) -> OutputLayout { OutputLayout(root: folder, patchesFile: patchesFile) }

    /// A path inside the root.
    public func path(_ name: String) -> String { (root as NSString).appendingPathComponent(name) }

    /// The patch data set.
    public var patches: String { path(patchesFile) }
    /// The covariate selection folder.
    public var selectionFolder: String { path(Self.selection) }
    /// The evaluation folder.
    public var evaluationFolder: String { path(Self.evaluation) }
    /// The folder of the final models.
    public var modelsFolder: String { path(Self.models) }
    /// The maps folder.
    public var mapsFolder: String { path(Self.maps) }
    /// The control folder.
    public var controlFolder: String { path(Self.control) }
    /// Resumable map tiles (kept between processes: resume and shards).
    public var tilesFolder: String { (controlFolder as NSString).appendingPathComponent("tiles") }
    /// Saved training units (kept between processes: a killed run continues, `--part` shares them).
    public var unitsFolder: String { (controlFolder as NSString).appendingPathComponent("units") }
    /// The covariate statistics of the last stack built for this folder, with their inputs (kept
    /// between processes: parts, shards and later predictions on unchanged covariates reuse them).
    public var stackStatisticsFile: String {
        (controlFolder as NSString).appendingPathComponent("stack-statistics.json")
    }
    /// The saved final model named `model` (a model kind's name).
    public func model(named model: String) -> String { (modelsFolder as NSString).appendingPathComponent(model) }
    /// A file of the saved final model `model`, relative to the output folder: "models/<model>/<file>".
    public static func modelFile(named model: String, _ file: String) -> String {
        ((models as NSString).appendingPathComponent(model) as NSString).appendingPathComponent(file)
    }
    /// The cross-validation models of `model`, one folder per fold.
    public func cvModels(named model: String) -> String {
        (modelsFolder as NSString).appendingPathComponent("cv/\(model)")
    }
    /// The model of one cross-validation fold (1-based): "fold_01", "fold_02", ...
    public func cvModel(named model: String, fold: Int) -> String {
        precondition(fold >= 1, "OutputLayout.cvModel: folds are numbered from 1, got \(fold)")
        return (cvModels(named: model) as NSString).appendingPathComponent(Self.foldFolderName(fold))
    }
    /// The cross-validation models of `model` saved on disk (`cvModel(named:fold:)` folders), in
    /// fold order; empty when there are none. The one place that lists them (`socmap predict`).
    public func cvModelFolders(named model: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: cvModels(named: model))) ?? []
        let folds = names.compactMap { name -> Int? in
            guard name.hasPrefix(Self.foldPrefix), let fold = Int(name.dropFirst(Self.foldPrefix.count)), fold >= 1,
                name == Self.foldFolderName(fold)
            else { return nil }
            return fold
        }
        return folds.sorted().map { cvModel(named: model, fold: $0) }
    }
    /// A map file relative to the output folder: "maps/<base>.tif" (bases from `Mapping.MapNames`, e.g.
    /// "soc_depth_inversions", "soc_stock_0-30cm"). The analyses of the maps (`ProfileProducts`) write
    /// into the maps folder, so the staging, publishing and `--overwrite` of `maps/` cover them.
    public static func mapFile(_ base: String) -> String { (maps as NSString).appendingPathComponent(base + ".tif") }

    /// The held-out sites of cross-validation with every model's prediction, residual and relative
    /// bias, one point layer per depth (inside the evaluation folder).
    public static let heldOutSites = "evaluation/heldout_sites.gpkg"
    /// The QGIS style beside it (graduated on the mapped model's relative bias).
    public static let heldOutSitesStyle = "evaluation/heldout_sites.qml"
    /// The quick-look of the first depth's relative bias per model: "evaluation/plots/relative_bias_0-5cm.png".
    public static func relativeBiasPicture(depth: String) -> String { "evaluation/plots/relative_bias_\(depth).png" }
    /// The GeoPackage layer of one depth: "heldout_0-5cm".
    public static func heldOutLayer(depth: String) -> String { "heldout_\(depth)" }

    private static let foldPrefix = "fold_"
    private static func foldFolderName(_ fold: Int) -> String { foldPrefix + String(format: "%02d", fold) }

    /// Why `name` cannot be a file name inside the output folder, or nil when it can: it must be
    /// plain (no folder separators, not "." or "..", not hidden, no control characters) and
    /// must not be one of the run's other outputs.
    public static func problem(withPlainName name: String, reservedToo: Bool) -> String? {
        if name.isEmpty { return "is empty; give a plain file name such as 'patches.socp'" }
        if name.contains("/") || name.contains("\\") {
            return "'\(name)' has a folder separator; give a plain file name (it is written inside the output folder)"
        }
        if name == "." || name == ".." { return "'\(name)' is a folder, not a file name; give a plain file name" }
        if name.hasPrefix(".") { return "'\(name)' starts with '.'; hidden names are reserved for SOCMap's own files" }
        if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "'\(name.debugDescription)' holds a control character; give a plain file name"
        }
        if name.utf8.count > 200 { return "is longer than 200 bytes; give a shorter file name" }
        if reservedToo && reserved.contains(name) {
            return """
                '\(name)' is the name of another output of the run \
                (\(reserved.filter { !$0.hasPrefix(".") }.sorted().joined(separator: ", "))); choose another name
                """
        }
        return nil
    }
}
