import Foundation

/// An error in a pipeline file, located by file, key path, line and column.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    /// The pipeline file.
    public let file: String
    /// Dotted key path, e.g. `sites.x_column`.
    public let key: String
    /// 1-based line, when known.
    public let line: Int?
    /// 1-based column, when known.
    public let column: Int?
    /// What is wrong and what to do.
    public let message: String
    /// The offending source line with a caret, when known.
    public let snippet: String?

    /// Creates an error at a position.
    public init(file: String, key: String, line: Int?, column: Int?, message: String, snippet: String? = nil) {
        self.file = file
        self.key = key
        self.line = line
        self.column = column
        self.message = message
        self.snippet = snippet
    }

    public var description: String {
        var place = file
        if let line { place += ":\(line)" }
        if let column { place += ":\(column)" }
        var text = "\(place): " + (key.isEmpty ? "" : "key '\(key)': ") + message
        if let snippet { text += "\n" + snippet }
        return text
    }
}
