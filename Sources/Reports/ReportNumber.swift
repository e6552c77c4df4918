import Foundation
import TextFormat

/// A number of report.json that may be missing: written as `null` when it is not finite (NaN, ±inf)
/// and read back from `null` as NaN, so the record keeps the wire format of the reports before it.
@propertyWrapper
public struct NullIfNaN: Codable, Equatable, Sendable {
    /// The number; NaN when the report says `null`.
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

extension KeyedDecodingContainer {
    /// A list of numbers where `null` reads as NaN.
    func decodeNumbers(forKey key: Key) throws -> [Double] {
        try decode([Double?].self, forKey: key).map { $0 ?? .nan }
    }
}

extension KeyedEncodingContainer {
    /// A list of numbers, each `null` when it is not finite.
    mutating func encodeNumbers(_ values: [Double], forKey key: Key) throws {
        try encode(values.map { $0.isFinite ? $0 : nil }, forKey: key)
    }
}

/// A compact number for reports: integers plain, others to four significant digits.
func fmt(_ v: Double) -> String { NumberText.compact(v) }

/// A coordinate with three decimals.
func fmtCoord(_ v: Double) -> String { NumberText.fixed(v, 3, nonFinite: "nan") }

/// A share as a percentage with two decimals; "-" when unknown.
func percent(_ share: Double) -> String { share.isFinite ? String(format: "%.2f %%", 100 * share) : "-" }
