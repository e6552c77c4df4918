/// A file that could not be read: its path and the system's reason.
public struct FileReadError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file.
    public let path: String
    /// Why, e.g. "Permission denied".
    public let reason: String

    /// Creates an error.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "cannot read '\(path)': \(reason); check that the file exists and is readable" }
}
