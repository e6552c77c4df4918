import Foundation

/// A depth interval below the soil surface, in cm, top < bottom.
public struct DepthInterval: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    /// Upper boundary, cm below the surface.
    public var top: Double
    /// Lower boundary, cm below the surface.
    public var bottom: Double

    /// Makes an interval; `top` must be above (less than) `bottom`.
    public init(top: Double, bottom: Double) {
        precondition(top.isFinite && bottom.isFinite, "DepthInterval: depths must be finite (got \(top), \(bottom))")
        precondition(top < bottom, "DepthInterval: top (\(top)) must be less than bottom (\(bottom))")
        self.top = top
        self.bottom = bottom
    }

    /// Thickness in cm.
    public var thickness: Double { bottom - top }

    /// A label such as "0-5cm" or "100-200cm" (no trailing ".0").
    public var label: String { "\(formatNumber(top))-\(formatNumber(bottom))cm" }

    /// The label.
    public var description: String { label }

    /// Reads "0-5", "0-5cm", "0–5 cm" (en dash) or mpspline2's "000_005_cm".
    public static func parse(_ s: String) throws -> DepthInterval {
        func fail(_ why: String) -> SoilDataError {
            SoilDataError(
                .badDepthInterval, path: nil,
                message:
                    "'\(s)' is not a depth interval (\(why)); write it as top-bottom in cm, e.g. 0-5 or 0-5cm")
        }
        var t = s.trimmingCharacters(in: .whitespaces).lowercased()
        t = t.replacingOccurrences(of: "\u{2013}", with: "-").replacingOccurrences(of: "\u{2014}", with: "-")
        if t.hasSuffix("cm") { t.removeLast(2) }
        t = t.trimmingCharacters(in: CharacterSet(charactersIn: " _"))
        let parts: [Substring]
        if t.contains("-") {
            parts = t.split(separator: "-", omittingEmptySubsequences: false)
        } else {
            parts = t.split(separator: "_", omittingEmptySubsequences: false)
        }
        guard parts.count == 2 else { throw fail("expected two depths separated by '-'") }
        let texts = parts.map { $0.trimmingCharacters(in: .whitespaces) }
        guard let top = Double(texts[0]), let bottom = Double(texts[1]), top.isFinite, bottom.isFinite else {
            throw fail("depths must be numbers")
        }
        guard top >= 0 else { throw fail("top must not be negative") }
        guard top < bottom else { throw fail("top must be less than bottom") }
        return DepthInterval(top: top, bottom: bottom)
    }

    private enum CodingKeys: String, CodingKey { case top, bottom }

    /// Decodes either {top, bottom} or a label string such as "0-5cm"; rejects top >= bottom.
    public init(from decoder: Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let text = try? single.decode(String.self) {
            do { self = try DepthInterval.parse(text) } catch {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\(error)"))
            }
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let top = try c.decode(Double.self, forKey: .top)
        let bottom = try c.decode(Double.self, forKey: .bottom)
        guard top.isFinite, bottom.isFinite, top < bottom else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "depth interval top (\(top)) must be less than bottom (\(bottom))"))
        }
        self.init(top: top, bottom: bottom)
    }

    /// Encodes as {top, bottom}.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(top, forKey: .top)
        try c.encode(bottom, forKey: .bottom)
    }
}

extension DepthInterval {
    /// The GlobalSoilMap depths: 0-5, 5-15, 15-30, 30-60, 60-100, 100-200 cm.
    public static let standard: [DepthInterval] = [
        DepthInterval(top: 0, bottom: 5), DepthInterval(top: 5, bottom: 15),
        DepthInterval(top: 15, bottom: 30), DepthInterval(top: 30, bottom: 60),
        DepthInterval(top: 60, bottom: 100), DepthInterval(top: 100, bottom: 200)
    ]
}
