import Foundation
import Yams

/// A read-only cursor over a YAML node that knows its key path and source position,
/// so every type error or unknown key names the line and column.
struct YAMLValue {
    let node: Node
    let path: String
    let source: YAMLSource

    var line: Int? { node.mark?.line }
    var column: Int? { node.mark?.column }

    func error(_ message: String) -> ConfigError {
        source.error(at: node.mark, key: path, message)
    }

    var isNull: Bool {
        if case .scalar(let s) = node {
            return s.tag == Tag(.null) || (s.string.isEmpty && s.style == .plain) || s.string == "~"
                || s.string == "null"
        }
        return false
    }

    func string() throws -> String {
        guard case .scalar(let s) = node else { throw error("expected a text value, found \(node.kindName)") }
        return s.string
    }

    func int() throws -> Int {
        guard case .scalar(let s) = node, let v = Int(s.string.replacingOccurrences(of: "_", with: "")) else {
            throw error("expected a whole number, found \(describe())")
        }
        return v
    }

    func double() throws -> Double {
        guard case .scalar(let s) = node, let v = Double(s.string.replacingOccurrences(of: "_", with: "")), v.isFinite
        else {
            throw error("expected a number, found \(describe())")
        }
        return v
    }

    func bool() throws -> Bool {
        guard case .scalar(let s) = node else { throw error("expected true or false, found \(node.kindName)") }
        switch s.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error("expected true or false, found '\(s.string)'")
        }
    }

    func list() throws -> [YAMLValue] {
        guard case .sequence(let seq) = node else { throw error("expected a list, found \(describe())") }
        return seq.enumerated().map { i, node in
            source.recorder.record("\(path)[\(i)]", at: node.mark, in: source.text)
            return YAMLValue(node: node, path: "\(path)[\(i)]", source: source)
        }
    }

    func mapping() throws -> YAMLMapping {
        guard case .mapping(let map) = node else { throw error("expected a mapping of keys, found \(describe())") }
        return try YAMLMapping(map, path: path, source: source, mark: node.mark)
    }

    func describe() -> String {
        if case .scalar(let s) = node { return "'\(s.string)'" }
        return node.kindName
    }
}

/// A YAML mapping whose keys are checked off as they are read; `finish()` rejects the rest.
final class YAMLMapping {
    private var entries: [(key: String, value: Node, mark: Mark?)] = []
    private var used = Set<String>()
    let path: String
    let source: YAMLSource
    let mark: Mark?

    init(_ map: Node.Mapping, path: String, source: YAMLSource, mark: Mark?) throws {
        self.path = path
        self.source = source
        self.mark = mark
        var seen = Set<String>()
        for (k, v) in map {
            guard case .scalar(let s) = k else { throw source.error(at: k.mark, key: path, "keys must be plain text") }
            if !seen.insert(s.string).inserted {
                throw source.error(at: k.mark, key: join(s.string), "key '\(s.string)' appears twice")
            }
            entries.append((s.string, v, k.mark))
        }
    }

    private func join(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The value at `key`, or nil when absent or null.
    func optional(_ key: String) -> YAMLValue? {
        used.insert(key)
        guard let e = entries.first(where: { $0.key == key }) else { return nil }
        source.recorder.record(join(key), at: e.value.mark, in: source.text)
        let v = YAMLValue(node: e.value, path: join(key), source: source)
        return v.isNull ? nil : v
    }

    /// The value at `key`; an error naming the key when absent.
    func required(_ key: String, hint: String = "") throws -> YAMLValue {
        guard let v = optional(key) else {
            throw source.error(at: mark, key: join(key), "required key is missing" + (hint.isEmpty ? "" : "; \(hint)"))
        }
        return v
    }

    func has(_ key: String) -> Bool { entries.contains { $0.key == key } }

    /// The keys in file order.
    var keys: [String] { entries.map(\.key) }

    func string(_ key: String, default d: String) throws -> String { try optional(key)?.string() ?? d }
    func int(_ key: String, default d: Int) throws -> Int { try optional(key)?.int() ?? d }
    func double(_ key: String, default d: Double) throws -> Double { try optional(key)?.double() ?? d }
    func bool(_ key: String, default d: Bool) throws -> Bool { try optional(key)?.bool() ?? d }

    /// A whole number within a range, or an error naming the key and the range.
    func int(_ key: String, default d: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let v = optional(key) else { return d }
        let n = try v.int()
        guard range.contains(n) else {
            throw v.error("must be between \(range.lowerBound) and \(range.upperBound), found \(n)")
        }
        return n
    }

    /// A number within a range, or an error naming the key and the range.
    func double(_ key: String, default d: Double, in range: ClosedRange<Double>) throws -> Double {
        guard let v = optional(key) else { return d }
        let n = try v.double()
        guard range.contains(n) else {
            throw v.error("must be between \(range.lowerBound) and \(range.upperBound), found \(n)")
        }
        return n
    }

    /// One of a fixed set of words.
    func choice(_ key: String, default d: String, among options: [String]) throws -> String {
        guard let v = optional(key) else { return d }
        let s = try v.string()
        guard options.contains(s) else {
            throw v.error("must be one of \(options.joined(separator: ", ")), found '\(s)'")
        }
        return s
    }

    /// Rejects keys that were never read, suggesting the closest known key.
    func finish(known: [String] = []) throws {
        for e in entries where !used.contains(e.key) {
            let candidates = Array(used) + known
            var message = "unknown key '\(e.key)'"
            if let best = candidates.min(by: { editDistance($0, e.key) < editDistance($1, e.key) }),
                editDistance(best, e.key) <= max(2, e.key.count / 3)
            {
                message += "; did you mean '\(best)'?"
            } else if !used.isEmpty {
                message += "; allowed here: \(used.sorted().joined(separator: ", "))"
            }
            throw source.error(at: e.mark, key: join(e.key), message)
        }
    }
}

/// The text and name of a YAML file, for error positions; `recorder` keeps the position of every key read.
struct YAMLSource {
    let file: String
    let text: String
    let recorder = PositionRecorder()

    func error(at mark: Mark?, key: String, _ message: String) -> ConfigError {
        ConfigError(
            file: file, key: key, line: mark?.line, column: mark?.column, message: message,
            snippet: mark.map { $0.snippet(from: text) })
    }

    /// Parses the text into a root node; syntax errors keep libyaml's position.
    func root() throws -> YAMLValue {
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw ConfigError(file: file, key: "", line: nil, column: nil, message: "the pipeline file is empty")
            }
            return YAMLValue(node: node, path: "", source: self)
        } catch YamlError.duplicatedKeysInMapping(let duplicates, let context) {
            let key = duplicates.first ?? "?"
            let first = context.mark
            let at = Self.repeatedKey(key, after: first, in: text) ?? (first.line, first.column)
            let line =
                text.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(at.line - 1).first.map(
                    String.init) ?? ""
            let caret =
                String(
                    repeating: " ",
                    count: line.unicodeScalars.prefix(at.column - 1).map { String($0) }.joined().utf16.count) + "^"
            throw ConfigError(
                file: file, key: key, line: at.line, column: at.column,
                message: "key '\(key)' appears twice (first at line \(first.line)); keep one of them",
                snippet: line + "\n" + caret)
        } catch let e as YamlError {
            throw ConfigError(file: file, key: "", line: nil, column: nil, message: "not valid YAML: \(e)")
        }
    }

    /// Where `key` is written again in the mapping whose first `key` is at `first` (1-based):
    /// later on the same line (a flow mapping), or on a later line at the same indentation
    /// before the mapping ends.
    static func repeatedKey(_ key: String, after first: Mark, in text: String) -> (line: Int, column: Int)? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0.unicodeScalars) }
        guard first.line >= 1, first.line <= lines.count else { return nil }
        let k = Array(key.unicodeScalars)
        func keyStarts(_ line: [Unicode.Scalar], at i: Int) -> Bool {
            guard i >= 0, i + k.count <= line.count, Array(line[i..<(i + k.count)]) == k else { return false }
            var j = i + k.count
            while j < line.count, line[j] == " " { j += 1 }
            return j < line.count && line[j] == ":"
        }
        let row = lines[first.line - 1]
        var i = first.column - 1 + k.count
        while i < row.count {
            if row[i] == "," || row[i] == "{" {
                var j = i + 1
                while j < row.count, row[j] == " " { j += 1 }
                var quoted = j
                if quoted < row.count, row[quoted] == "\"" || row[quoted] == "'" { quoted += 1 }
                if keyStarts(row, at: quoted) || keyStarts(row, at: j) { return (first.line, j + 1) }
            }
            i += 1
        }
        let indent = first.column - 1
        for n in first.line..<lines.count {
            let line = lines[n]
            let content = line.firstIndex { $0 != " " }
            guard let content, line[content] != "#" else { continue }
            if content < indent { return nil }
            if content == indent {
                if keyStarts(line, at: content) { return (n + 1, content + 1) }
                if line[content] == "-" && indent > 0 { return nil }
            }
        }
        return nil
    }
}

extension Node {
    var kindName: String {
        switch self {
        case .scalar: return "a single value"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }
}

public func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var prev = Array(0...b.count)
    var cur = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        cur[0] = i
        for j in 1...b.count {
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&prev, &cur)
    }
    return prev[b.count]
}
