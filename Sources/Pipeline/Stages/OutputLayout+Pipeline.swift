import Configuration
import Evaluation
import Foundation
import Models
import Workspace

/// What a pipeline adds to the output folder's layout: the layout of a configuration, the entries a run
/// writes (which `InputSettings` hands the preflight checks) and model paths by `ModelKind`.
extension OutputLayout {
    /// The layout of `config`'s output folder.
    public init(_ config: PipelineConfig) {
        self.init(root: config.output, patchesFile: config.patches.file)
    }

    /// The top-level entries a run of `config` writes, in the order the summary lists them.
    public static func entries(for config: PipelineConfig) -> [String] {
        var names = [config.patches.file, profiles, droppedSites, reportMarkdown, reportHTML, reportJSON]
        if config.select != nil { names.append(selection) }
        if config.evaluate != nil { names.append(evaluation) }
        if config.train != nil { names.append(models) }
        if config.predict != nil { names.append(maps) }
        return names
    }

    /// The saved final model of one kind.
    public func model(_ kind: ModelKind) -> String { model(named: kind.rawValue) }
    /// A file of the saved final model of one kind, relative to the output folder: "models/<kind>/<file>".
    public static func modelFile(_ kind: ModelKind, _ file: String) -> String { modelFile(named: kind.rawValue, file) }
    /// The cross-validation models of one kind, one folder per fold.
    public func cvModels(_ kind: ModelKind) -> String { cvModels(named: kind.rawValue) }
    /// The model of one cross-validation fold (1-based) of one kind.
    public func cvModel(_ kind: ModelKind, fold: Int) -> String { cvModel(named: kind.rawValue, fold: fold) }
    /// The cross-validation models of one kind saved on disk, in fold order.
    public func cvModelFolders(_ kind: ModelKind) -> [String] { cvModelFolders(named: kind.rawValue) }
    /// The cross-validated metrics (the evaluation report's metrics.json).
    public var metricsJSON: String {
        (evaluationFolder as NSString).appendingPathComponent(EvaluationReport.metricsJSONFile)
    }
}
