import Foundation

/// A failure while running a stage, naming the stage, the file and what to do.
public struct PipelineError: Error, CustomStringConvertible, Sendable {
    /// Stage that failed.
    public let stage: String
    /// File concerned, if any.
    public let file: String?
    /// What happened and what to do.
    public let message: String

    /// Creates an error.
    public init(stage: String, file: String?, message: String) {
        self.stage = stage; self.file = file; self.message = message
    }

    public var description: String {
        "\(stage): " + (file.map { "'\($0)': " } ?? "") + message
    }
}
