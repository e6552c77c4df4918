import Foundation

/// One key as a table row: what `PipelineKeys.all` and `StudyKeys.all` list and the key tests check.
public struct KeyDeclaration: Sendable, Equatable {
    /// Full dotted path, e.g. `train.network.conv_widths`; `[]` marks the items of a list (`covariates.files[].path`).
    /// `<name>` stands for a key the file chooses (a study's variant: `variants.<name>.model`).
    public let path: String
    /// The value's type in words, e.g. "whole number".
    public let type: String
    /// The default as text; "" for a required key.
    public let defaultText: String
    /// The allowed range or choices as text; "" when any value of the type is allowed.
    public let allowed: String
    /// What the key does, in one line.
    public let doc: String
    /// Whether the file must give the key (when its section is given).
    public let required: Bool
    /// Whether the key is still read but replaced by another (not in pipelines/sample.yaml).
    public let deprecated: Bool

    /// The last component of the path: what the YAML file writes.
    public var name: String { String(path.split(separator: ".").last ?? "") }
}

/// How a key's value is read from YAML and written as text.
public struct ValueType<Value: Sendable>: Sendable {
    /// The type in words, e.g. "whole number".
    public let name: String
    /// Reads a YAML value; errors name the key, line and column.
    let read: @Sendable (YAMLValue) throws -> Value
    /// The value as a reader writes it in the pipeline file, e.g. "[32, 64, 128]".
    public let text: @Sendable (Value) -> String
}

/// The values a key allows beyond its type: a range, choices or a rule, with the message for a value outside.
public struct Allowed<Value: Sendable>: Sendable {
    /// The allowed values as text, e.g. "1 to 7"; "" for any value of the type.
    public let text: String
    /// What is wrong with a value, or nil when it is allowed.
    let problem: @Sendable (Value) -> String?

    /// Any value of the type.
    static var any: Allowed { Allowed(text: "", problem: { _ in nil }) }
}

extension Allowed where Value: Comparable {
    /// A closed range: "must be between a and b, found x" outside it.
    static func range(_ r: ClosedRange<Value>) -> Allowed {
        Allowed(text: "\(r.lowerBound) to \(r.upperBound)") { v in
            r.contains(v) ? nil : "must be between \(r.lowerBound) and \(r.upperBound), found \(v)"
        }
    }
}

/// One key of the pipeline or study file: its path, how its value is read, its default, what it allows and a doc line.
/// The parsers read through it (`YAMLMapping.read`), so no name, default or range is written twice.
public struct Key<Value: Sendable>: Sendable {
    /// Full dotted path, e.g. `train.epochs`.
    public let path: String
    /// How the value is read and written.
    public let type: ValueType<Value>
    /// The default (nil: required, or computed from other keys as `defaultText` says).
    public let defaultValue: Value?
    /// The default as text (the default's text when not given).
    public let defaultText: String
    /// The allowed values.
    public let allowed: Allowed<Value>
    /// What the key does, in one line.
    public let doc: String
    /// Whether the file must give the key.
    public let required: Bool
    /// Whether the key is replaced by another and only still read.
    public let deprecated: Bool

    /// A key that allows any value of its type.
    init(
        _ path: String, _ type: ValueType<Value>, default value: Value?, defaultText: String? = nil,
        required: Bool = false, deprecated: Bool = false, _ doc: String
    ) {
        self.init(
            path, type, default: value, defaultText: defaultText, .any, required: required,
            deprecated: deprecated, doc)
    }

    /// A key whose values are limited by `allowed`.
    init(
        _ path: String, _ type: ValueType<Value>, default value: Value?, defaultText: String? = nil,
        _ allowed: Allowed<Value>, required: Bool = false, deprecated: Bool = false, _ doc: String
    ) {
        self.path = path
        self.type = type
        self.defaultValue = value
        self.defaultText = defaultText ?? value.map(type.text) ?? ""
        self.allowed = allowed
        self.doc = doc
        self.required = required
        self.deprecated = deprecated
    }

    /// The name the YAML file writes (the last component of the path).
    public var name: String { String(path.split(separator: ".").last ?? "") }

    /// The key as a table row.
    public var declaration: KeyDeclaration {
        KeyDeclaration(
            path: path, type: type.name, defaultText: defaultText, allowed: allowed.text, doc: doc,
            required: required, deprecated: deprecated)
    }

    /// Checks a value that is not read through `YAMLMapping.given` (a mapping's own key, e.g. a study
    /// variant's name) against what the key allows; the error stands at `place`.
    func check(_ value: Value, at place: YAMLValue) throws {
        if let problem = allowed.problem(value) { throw place.error(problem) }
    }
}

/// A declared key of any value type, for the tables.
protocol DeclaredKey: Sendable {
    /// The key as a table row.
    var declaration: KeyDeclaration { get }
}

extension Key: DeclaredKey {}

/// The table rows of keys of different value types, in the order given.
func declarations(_ keys: any DeclaredKey...) -> [KeyDeclaration] { keys.map(\.declaration) }

extension YAMLMapping {
    /// The key's value when given (null counts as not given), checked against what it allows.
    func given<V>(_ key: Key<V>) throws -> V? {
        guard let v = optional(key.name) else { return nil }
        let value = try key.type.read(v)
        if let problem = key.allowed.problem(value) { throw v.error(problem) }
        return value
    }

    /// The key's value, or `fallback` (default: the declared default) when not given.
    func read<V>(_ key: Key<V>, default fallback: V? = nil) throws -> V {
        guard let d = fallback ?? key.defaultValue else {
            preconditionFailure("\(key.path) has no declared default; pass one")
        }
        return try given(key) ?? d
    }

    /// The key's value; an error naming the key when it is missing.
    func require<V>(_ key: Key<V>, hint: String = "") throws -> V {
        _ = try required(key.name, hint: hint)
        guard let value = try given(key) else { preconditionFailure("present after required()") }
        return value
    }

    /// The mapping of a section key (one whose keys its own parser reads) when given, checked against
    /// what the key allows.
    func section(_ key: Key<KeyMapping>) throws -> YAMLMapping? {
        guard try given(key) != nil else { return nil }
        return try optional(key.name)?.mapping()
    }
}

// MARK: - Value types

extension ValueType where Value == Int {
    /// A whole number.
    static var int: ValueType { ValueType(name: "whole number", read: { try $0.int() }, text: { "\($0)" }) }
}

extension ValueType where Value == Double {
    /// A finite number.
    static var double: ValueType { ValueType(name: "number", read: { try $0.double() }, text: { "\($0)" }) }
    /// A raster's nodata value: a finite number or `nan`.
    static var nodata: ValueType {
        ValueType(
            name: "number or nan",
            read: { v in
                if case .scalar(let s) = v.node, s.string.lowercased() == "nan" { return .nan }
                return try v.double()
            }, text: { "\($0)" })
    }
}

extension ValueType where Value == Float {
    /// A finite number kept as a Float (the network's rates and dropouts).
    static var float: ValueType { ValueType(name: "number", read: { Float(try $0.double()) }, text: { "\($0)" }) }
}

extension ValueType where Value == Bool {
    /// true or false (also yes/no, on/off).
    static var bool: ValueType { ValueType(name: "true or false", read: { try $0.bool() }, text: { "\($0)" }) }
}

extension ValueType where Value == String {
    /// A text value.
    static var string: ValueType { ValueType(name: "text", read: { try $0.string() }, text: { $0 }) }
    /// A file or folder path, relative to the pipeline file (or `data_folder` for inputs).
    static var path: ValueType { ValueType(name: "path", read: { try $0.string() }, text: { $0 }) }
}

/// The keys of a mapping whose own parser reads them (a section such as a study's `train`), as written.
struct KeyMapping: Sendable {
    /// The keys in file order.
    var keys: [String]
}

extension ValueType where Value == KeyMapping {
    /// A mapping of keys that its own parser reads; `name` says which, e.g. "mapping of train keys".
    static func mapping(_ name: String) -> ValueType {
        ValueType(name: name, read: { KeyMapping(keys: try $0.mapping().keys) }, text: { listText($0.keys) })
    }
}

extension ValueType where Value == [Int] {
    /// A list of whole numbers.
    static var ints: ValueType {
        ValueType(name: "list of whole numbers", read: { try $0.list().map { try $0.int() } }, text: listText)
    }
}

extension ValueType where Value == [Double] {
    /// A list of numbers.
    static var doubles: ValueType {
        ValueType(name: "list of numbers", read: { try $0.list().map { try $0.double() } }, text: listText)
    }
}

extension ValueType where Value == [String] {
    /// A list of names.
    static var texts: ValueType {
        ValueType(name: "list of names", read: { try $0.list().map { try $0.string() } }, text: listText)
    }
}

extension ValueType where Value: RawRepresentable & CaseIterable, Value.RawValue == String {
    /// One of an enumeration's raw values; "unknown <noun> 'x'; choose from a, b" otherwise.
    static func choice(_: Value.Type, noun: String = "value") -> ValueType {
        let names = Value.allCases.map(\.rawValue).joined(separator: ", ")
        return ValueType(
            name: "one of " + names,
            read: { v in
                let text = try v.string()
                guard let value = Value(rawValue: text) else {
                    throw v.error("unknown \(noun) '\(text)'; choose from \(names)")
                }
                return value
            }, text: { $0.rawValue })
    }
}

extension ValueType {
    /// A list of an enumeration's raw values.
    static func choices<T: RawRepresentable & CaseIterable & Sendable>(_: T.Type, noun: String) -> ValueType
    where T.RawValue == String, Value == [T] {
        let one = ValueType<T>.choice(T.self, noun: noun)
        return ValueType(
            name: "list of " + T.allCases.map(\.rawValue).joined(separator: ", "),
            read: { try $0.list().map(one.read) }, text: { listText($0.map(\.rawValue)) })
    }

    /// A value that may stay unset; `none` is the text of the unset value (what it falls back to).
    static func optional<T: Sendable>(_ type: ValueType<T>, none: String) -> ValueType where Value == T? {
        ValueType(name: type.name, read: { try type.read($0) }, text: { $0.map(type.text) ?? none })
    }
}

extension Allowed {
    /// A closed range for a value that may stay unset.
    static func range<T: Comparable & Sendable>(_ r: ClosedRange<T>) -> Allowed where Value == T? {
        let inner = Allowed<T>.range(r)
        return Allowed(text: inner.text) { $0.flatMap(inner.problem) }
    }
}

/// "[a, b, c]", as lists are written in the pipeline file.
func listText<T>(_ values: [T]) -> String { "[" + values.map { "\($0)" }.joined(separator: ", ") + "]" }
