/// A failure of a data stage, naming the stage, the file and what to do; printed as a `PipelineError`
/// of the same stage is ("<stage>: '<file>': <message>").
public struct InputError: Error, CustomStringConvertible, Sendable {
    /// The data stages a failure is reported for.
    public enum Stage: String, Sendable, CaseIterable {
        case stack, profiles, patches
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
