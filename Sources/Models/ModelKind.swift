/// The models compared in the study.
public enum ModelKind: String, CaseIterable, Codable, Sendable {
    /// Pre-trained on all depths, then fine-tuned per depth with blocks 1..F frozen.
    case transfer
    /// The same network trained from scratch on one depth.
    case cnn
    /// A shared trunk with one head per depth.
    case mtcnn
    /// A random forest per depth on centre-cell covariates.
    case rf
    /// Other models of the run combined with per-depth weights (`train.combine`, `CombinedModel`); trains nothing itself.
    case combined

    /// The kinds that are trained, every one but `combined`.
    public static var trained: [ModelKind] { allCases.filter { $0 != .combined } }
}
