import Foundation

/// A failure of the experiment engine: its kind (what callers and tests branch on), the file
/// concerned and what happened, with what to do.
public struct ExperimentError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What failed.
    public enum Kind: String, Sendable, Equatable {
        /// The data cannot be trained on (non-finite patches or values).
        case data
        /// The folds cannot be dealt (too few sites, bad block size).
        case folds
        /// A unit could not be saved, read or copied.
        case store
        /// A saved unit is missing or does not match the run (a merge before every part ran).
        case missingUnits
        /// Parts of one experiment disagree (another pipeline file).
        case parts
    }

    /// What failed.
    public let kind: Kind
    /// The file or folder concerned, if any.
    public let path: String?
    /// What happened and what to do.
    public let message: String

    /// An error of `kind`.
    public init(_ kind: Kind, path: String? = nil, message: String) {
        self.kind = kind
        self.path = path
        self.message = message
    }

    /// The stage a reader knows the failure by, as messages name it.
    public var stage: String {
        switch kind {
        case .data: return "train"
        case .folds: return "evaluate"
        case .store: return "train"
        case .missingUnits, .parts: return "merge"
        }
    }

    public var description: String { "\(stage): " + (path.map { "'\($0)': " } ?? "") + message }
}
