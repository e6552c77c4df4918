/// A failure of the map stage (or of its analyses), naming the file and what to do; printed as the
/// pipeline prints a failed stage: "predict: '<file>': <message>".
public struct MapStageError: Error, CustomStringConvertible, Sendable {
    /// What failed.
    public enum Kind: String, Sendable, CaseIterable {
        /// The pipeline's sections do not allow the maps asked for (no `predict`, `predict.aoa` without `evaluate`).
        case settings
        /// The saved model is missing or does not fit the covariate stack.
        case model
        /// The evaluation's outputs (metrics, fold models, prediction intervals) are missing or do not fit.
        case evaluation
        /// The area of applicability cannot be fitted (`predict.aoa`).
        case applicability
        /// The analyses of the maps (depth consistency, stocks) cannot be set up.
        case analyses
        /// Stored map tiles are missing or damaged (their checksum does not verify) at a merge.
        case tiles
        /// A map holds values the property cannot take (outside `profiles.valid_range`, or not finite).
        case values
    }

    /// What failed.
    public let kind: Kind
    /// File concerned, if any.
    public let file: String?
    /// What happened and what to do.
    public let message: String

    /// Creates an error.
    public init(_ kind: Kind, file: String?, message: String) {
        self.kind = kind
        self.file = file
        self.message = message
    }

    /// The stage the pipeline reports it under.
    public static let stage = "predict"

    public var description: String {
        "\(Self.stage): " + (file.map { "'\($0)': " } ?? "") + message
    }
}
