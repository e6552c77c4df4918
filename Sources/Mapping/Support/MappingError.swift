/// An error while writing map products: what went wrong, the file involved and what to do.
public struct MappingError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, as the start of a sentence.
    public var message: String
    /// The file or folder involved, if any.
    public var path: String?
    /// What the user can do about it.
    public var hint: String?

    /// Creates an error.
    public init(_ message: String, path: String? = nil, hint: String? = nil) {
        self.message = message
        self.path = path
        self.hint = hint
    }

    /// One readable sentence with the path and the hint.
    public var description: String {
        var text = message
        if let path, !message.contains(path) { text += " ('\(path)')" }
        text += "."
        if let hint, !hint.isEmpty { text += " " + hint + "." }
        return text
    }
}
