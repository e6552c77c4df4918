import Yams

/// Where a key's value stands in the pipeline file: what a check after loading needs for its error.
public struct KeyPosition: Sendable, Equatable {
    /// 1-based line.
    public var line: Int
    /// 1-based column.
    public var column: Int
    /// The line with a caret under the column.
    public var snippet: String
}

/// The positions of the keys a parse has read, by key path (`evaluate.zones`, `covariates.files[0]`).
final class PositionRecorder {
    private(set) var positions: [String: KeyPosition] = [:]

    /// Records a value's position, the first time its path is read.
    func record(_ path: String, at mark: Mark?, in text: String) {
        guard !path.isEmpty, positions[path] == nil, let mark else { return }
        positions[path] = KeyPosition(line: mark.line, column: mark.column, snippet: mark.snippet(from: text))
    }
}

extension PipelineConfig {
    /// The position of `key`'s value, else of the nearest enclosing key the file gives (`stocks` for an
    /// absent `stocks.coarse_fragments_unit`); nil when none is given.
    public func position(of key: String) -> KeyPosition? {
        var path = Substring(key)
        while !path.isEmpty {
            if let p = positions[String(path)] { return p }
            guard let cut = path.lastIndex(where: { $0 == "." || $0 == "[" }) else { break }
            path = path[..<cut]
        }
        return nil
    }

    /// An error found after loading, naming `key` at its line and column (or its section's, when the
    /// file leaves the key out).
    public func error(at key: String, _ message: String) -> ConfigError {
        let p = position(of: key)
        return ConfigError(
            file: file, key: key, line: p?.line, column: p?.column, message: message, snippet: p?.snippet)
    }
}

/// Makes the error of a pipeline key (`stocks.bulk_density`) at its line and column, with `message`
/// (`PipelineConfig.error(at:_:)`).
public typealias KeyErrorMaker = @Sendable (_ key: String, _ message: String) -> ConfigError
