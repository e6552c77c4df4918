import Experiments

/// A failure of training or its assessment, naming the stage, the file and what to do; printed as a
/// `PipelineError` of the same stage is ("<stage>: '<file>': <message>").
public struct AssessmentError: Error, CustomStringConvertible, Sendable {
    /// The stages a failure is reported for.
    public enum Stage: String, Sendable, CaseIterable {
        case train, evaluate, merge, run, write

        /// The stage an experiment's failure of `kind` belongs to.
        public init(_ kind: ExperimentError.Kind) {
            switch kind {
            case .data, .store: self = .train
            case .folds: self = .evaluate
            case .missingUnits, .parts: self = .merge
            }
        }
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
