import Foundation

/// A number that may be NaN written as JSON `null` (JSON has no NaN) and read back as NaN: the one rule
/// for every score and coverage figure of the evaluation's JSON files and of the run's report.json. As a
/// property wrapper (`@NullIfNaN`) or through the container helpers below.
@propertyWrapper
public struct NullIfNaN: Codable, Equatable, Sendable {
    /// The number; NaN when the file says `null`.
    public var wrappedValue: Double

    /// Wraps a number.
    public init(wrappedValue: Double) { self.wrappedValue = wrappedValue }

    /// Reads a number, or NaN from `null`.
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        wrappedValue = c.decodeNil() ? .nan : try c.decode(Double.self)
    }

    /// Writes the number, or `null` when it is not finite.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        if wrappedValue.isFinite { try c.encode(wrappedValue) } else { try c.encodeNil() }
    }

    /// Equal when both are the same number or both are not finite.
    public static func == (a: NullIfNaN, b: NullIfNaN) -> Bool {
        a.wrappedValue == b.wrappedValue || (!a.wrappedValue.isFinite && !b.wrappedValue.isFinite)
    }
}

extension KeyedEncodingContainer {
    /// Encodes `value`, or `null` when it is not finite.
    public mutating func encodeNullIfNaN(_ value: Double, forKey key: Key) throws {
        try encode(NullIfNaN(wrappedValue: value), forKey: key)
    }

    /// A list of numbers, each `null` when it is not finite.
    public mutating func encodeNumbers(_ values: [Double], forKey key: Key) throws {
        try encode(values.map(NullIfNaN.init(wrappedValue:)), forKey: key)
    }
}

extension KeyedDecodingContainer {
    /// Decodes a number, NaN for `null` or a missing key.
    public func decodeNaNIfNull(forKey key: Key) throws -> Double {
        try decodeIfPresent(NullIfNaN.self, forKey: key)?.wrappedValue ?? .nan
    }

    /// A list of numbers where `null` reads as NaN.
    public func decodeNumbers(forKey key: Key) throws -> [Double] {
        try decode([NullIfNaN].self, forKey: key).map(\.wrappedValue)
    }
}
