import Foundation

/// An error making folds or writing a report; its message says what is wrong and what to change.
public struct EvaluationError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// What went wrong, for callers that branch on it.
    public enum Kind: String, Sendable, CaseIterable {
        case tooFewSites, tooFewBlocks, duplicateSite, invalidInput, writeFailed
    }

    /// The category of the error.
    public let kind: Kind
    /// The file or folder concerned, if any.
    public let path: String?
    /// The full message: what is wrong and what to do.
    public let message: String

    /// Makes an error; `message` should already name the key or file to fix.
    public init(_ kind: Kind, path: String? = nil, message: String) {
        self.kind = kind
        self.path = path
        self.message = message
    }

    /// The message.
    public var description: String { message }
    /// The message, for Foundation's error reporting.
    public var errorDescription: String? { message }
}
