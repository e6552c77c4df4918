import Evaluation
import Foundation
import Models
import Workspace

/// The output folder's models and metrics by `ModelKind`, as the map stage reads them (the layout of a
/// configuration and the entries a run writes are the `Inputs` module's, which the preflight checks use).
extension OutputLayout {
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
