import Foundation

/// Number and text formatting shared by the report files: locale-free, so bytes never vary.
enum TextFormatting {
    /// A CSV number: Swift's shortest round-trip form, `NA` for NaN or infinities.
    static func csvNumber(_ x: Double) -> String {
        x.isFinite ? "\(x)" : "NA"
    }

    /// Decimals that show `x` with about three significant digits (0 to 4 decimals).
    static func decimals(forMagnitude x: Double) -> Int {
        guard x.isFinite, x != 0 else { return 2 }
        let magnitude = Int(log10(abs(x)).rounded(.down))
        return min(4, max(0, 2 - magnitude))
    }

    /// A reader's depth label: "0-5cm" or "0-5" becomes "0–5 cm"; other labels are kept as given.
    static func depthDisplay(_ label: String) -> String {
        if label == EvaluationTable.allDepths { return "Pooled over depths" }
        var core = label.trimmingCharacters(in: .whitespaces)
        if core.hasSuffix("cm") { core = String(core.dropLast(2)).trimmingCharacters(in: .whitespaces) }
        let parts = core.split(separator: "-", omittingEmptySubsequences: false)
        if parts.count == 2, parts.allSatisfy({ !$0.isEmpty && Double($0) != nil }) {
            return "\(parts[0])–\(parts[1]) cm"
        }
        return label
    }

    /// A file-name-safe form of a model name: letters, digits, '-' and '_' kept, others '_'.
    static func fileSafe(_ name: String) -> String {
        let mapped = name.unicodeScalars.map { s -> Character in
            let ok = (s >= "a" && s <= "z") || (s >= "A" && s <= "Z") || (s >= "0" && s <= "9") || s == "-" || s == "_"
            return ok ? Character(s) : "_"
        }
        let text = String(mapped)
        return text.isEmpty ? "model" : text
    }
}
