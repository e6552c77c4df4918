import Foundation

/// An error reading or checking soil data; its message names the file, line and key to fix.
public struct SoilDataError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// What went wrong, for callers that branch on it.
    public enum Kind: String, Sendable, CaseIterable {
        case unreadableFile, emptyFile, malformedCSV, raggedRow, missingColumn, ambiguousColumn
        case duplicateSite, noUsableSites, noUsableHorizons, noUsableProfiles, badDepthInterval
        /// The file is not UTF-8 text (e.g. UTF-16, Latin-1) or holds NUL bytes.
        case badEncoding
        /// The file has a header but no data rows.
        case noRows
        /// The horizon depths look like metres rather than cm.
        case depthsNotInCentimetres
    }

    /// The category of the error.
    public let kind: Kind
    /// The file concerned, if any.
    public let path: String?
    /// The 1-based line of the file concerned, if any.
    public let line: Int?
    /// The full message: what is wrong, where, and what to do.
    public let message: String

    /// Makes an error; `message` should already name the file and line.
    public init(_ kind: Kind, path: String?, line: Int? = nil, message: String) {
        self.kind = kind
        self.path = path
        self.line = line
        self.message = message
    }

    /// The message.
    public var description: String { message }
    /// The message, for Foundation's error reporting.
    public var errorDescription: String? { message }
}
