import Experiments

/// What a stage of a run throws: the stage, the file concerned and what happened with what to do;
/// printed "<stage>: '<file>': <message>". One type for every stage module (Inputs, Selection,
/// Assessment, Pipeline); the map stage's `MapStageError` adds its own kinds.
public struct StageError: Error, CustomStringConvertible, Sendable {
    /// The stages a failure is reported for (what callers and tests branch on).
    public enum Stage: String, Sendable, CaseIterable {
        case stack, profiles, patches, select, train, evaluate, predict, write, run, merge, study, validate

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
