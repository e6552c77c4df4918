import Foundation

/// The plausible values of the mapped property (after `value_scale`): values outside are skipped and counted.
///
/// Defaults by unit (`ValidRange.default(forUnit:)`): g/kg 0-1000, mg/g 0-1000, % 0-100, mg/kg and ppm
/// 0-1,000,000, g/cm3 and t/m3 (bulk density) 0-3, pH 0-14; any other unit has no default, and only
/// non-finite values are rejected.
public struct ValidRange: Sendable, Equatable, CustomStringConvertible {
    /// The smallest plausible value.
    public var min: Double
    /// The largest plausible value.
    public var max: Double
    /// Where the range came from, for messages: e.g. "profiles.valid_range" or "the default for g/kg".
    public var origin: String

    /// Makes a range; `min` must be below `max`, both finite.
    public init(min: Double, max: Double, origin: String) {
        precondition(
            min.isFinite && max.isFinite && min < max, "ValidRange: need finite min < max (got \(min), \(max))")
        self.min = min
        self.max = max
        self.origin = origin
    }

    /// True when `v` lies within [min, max].
    public func contains(_ v: Double) -> Bool { v >= min && v <= max }

    /// "[0, 1000] (the default for g/kg)".
    public var description: String { "[\(formatShort(min)), \(formatShort(max))] (\(origin))" }

    /// The default range for a unit (compared lower-cased, spaces removed), or nil when there is none;
    /// `key` is the setting that overrides it, named in messages.
    public static func `default`(forUnit unit: String, key: String = "valid_range") -> ValidRange? {
        let u = unit.lowercased().replacingOccurrences(of: " ", with: "")
        let r: (Double, Double)
        switch u {
        case "g/kg", "mg/g", "‰", "permille": r = (0, 1000)
        case "%", "percent", "pct", "wt%": r = (0, 100)
        case "mg/kg", "ppm": r = (0, 1_000_000)
        case "g/cm3", "g/cm³", "g/cc", "t/m3", "t/m³", "mg/m3", "mg/m³": r = (0, 3)
        case "ph": r = (0, 14)
        default: return nil
        }
        return ValidRange(min: r.0, max: r.1, origin: "the default for unit \(unit); set \(key) to change it")
    }
}
