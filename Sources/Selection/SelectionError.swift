/// A failure of the covariate selection, naming the file and what to do; printed as a `PipelineError`
/// of the `select` stage is ("select: '<file>': <message>").
public struct SelectionError: Error, CustomStringConvertible, Sendable {
    /// The stage a failure is reported for (the selection has one).
    public enum Stage: String, Sendable, CaseIterable {
        case select
    }

    /// Stage that failed.
    public let stage: Stage
    /// File concerned, if any.
    public let file: String?
    /// What happened and what to do.
    public let message: String

    /// Creates an error.
    public init(stage: Stage, file: String?, message: String) {
        self.stage = stage
        self.file = file
        self.message = message
    }

    public var description: String {
        "\(stage.rawValue): " + (file.map { "'\($0)': " } ?? "") + message
    }
}
