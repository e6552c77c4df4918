import Foundation

/// Depth/values in messages and labels: integers without ".0", others in Swift's shortest form.
func formatNumber(_ x: Double) -> String {
    if x.isFinite, x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
    return "\(x)"
}

/// A short form for messages: at most 6 significant digits (189.999997615814 → "190").
func formatShort(_ x: Double) -> String {
    let s = String(format: "%.6g", x)
    return s
}

/// Outcome of reading one numeric CSV field.
enum ParsedNumber: Equatable {
    case value(Double)
    case missing
    case invalid(String)
}

/// Field texts that mean "not measured" (compared trimmed and lower-cased).
let missingTokens: Set<String> = ["", "na", "n/a", "#n/a", "nan", "null", "none"]

/// Reads a CSV field as a finite number; NA, empty and NaN are `.missing`, anything else unreadable is `.invalid`.
func parseNumber(_ text: String) -> ParsedNumber {
    let t = text.trimmingCharacters(in: .whitespaces)
    if missingTokens.contains(t.lowercased()) { return .missing }
    guard let v = Double(t), v.isFinite else { return .invalid(text) }
    return .value(v)
}
