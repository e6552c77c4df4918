import Foundation

/// Colour-blind-safe colours: Okabe-Ito for models, a cut viridis ramp for ordered depths.
enum Palette {
    /// Okabe & Ito (2008) without black, in the order models take them (yellow last: faint on white).
    static let okabeIto = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442"]
    /// Dash patterns that tell lines apart without colour.
    static let dashes: [String?] = [nil, "7 3", "2 2.5", "9 3 2 3"]
    /// The colour of observed values.
    static let observed = "#444444"
    /// The fill of observed-value areas.
    static let observedFill = "#B8B8B8"
    /// Text and axis colour.
    static let ink = "#222222"
    /// Grid line colour.
    static let grid = "#E3E3E3"

    /// The colour of the model at `index`.
    static func model(_ index: Int) -> String { okabeIto[index % okabeIto.count] }

    /// The dash pattern of the model at `index` (nil = solid).
    static func dash(_ index: Int) -> String? { dashes[index % dashes.count] }

    /// Viridis stops from dark purple to green (yellow left out so lines stay visible on white).
    private static let viridis: [(Double, Double, Double)] = [
        (68, 1, 84), (72, 40, 120), (62, 74, 137), (49, 104, 142), (38, 130, 142),
        (31, 158, 137), (53, 183, 121), (109, 205, 89), (180, 222, 44)
    ]

    /// The colour of ordered item `index` of `count` (e.g. depths, shallow to deep): light to dark.
    static func ordered(_ index: Int, of count: Int) -> String {
        let t = count <= 1 ? 0 : 1 - Double(index) / Double(count - 1)
        let position = t * 0.8 * Double(viridis.count - 1)
        let i = min(Int(position), viridis.count - 2)
        let f = position - Double(i)
        let a = viridis[i]
        let b = viridis[i + 1]
        func channel(_ x: Double, _ y: Double) -> Int { Int((x + (y - x) * f).rounded()) }
        return String(format: "#%02X%02X%02X", channel(a.0, b.0), channel(a.1, b.1), channel(a.2, b.2))
    }
}
