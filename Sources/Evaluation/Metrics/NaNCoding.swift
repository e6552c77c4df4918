import Foundation

/// A number that may be NaN written as JSON `null` (JSON has no NaN) and read back as NaN: the one rule
/// for every score and coverage figure of the evaluation's JSON files.
extension KeyedEncodingContainer {
    /// Encodes `value`, or `null` when it is not finite.
    mutating func encodeNullIfNaN(_ value: Double, forKey key: Key) throws {
        if value.isFinite { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
}

extension KeyedDecodingContainer {
    /// Decodes a number, NaN for `null` or a missing key.
    func decodeNaNIfNull(forKey key: Key) throws -> Double {
        try decodeIfPresent(Double.self, forKey: key) ?? .nan
    }
}
