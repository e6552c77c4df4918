import Foundation
import TextFormat

/// A horizontal legend: the colour ramp as a bar from the range's min to max, round tick values
/// below it and the unit to its right.
struct LegendBar {
    let range: ValueRange
    let ramp: ColourRamp
    let unit: String
    let barWidth: Int

    static let barHeight = 18
    static let tickLength = 5
    static let labelScale = 2

    /// Room for the first and last labels, which may stick out past the bar's ends.
    private var overhang: Int { 24 }
    private var unitWidth: Int { unit.isEmpty ? 0 : Canvas.textWidth(unit, scale: Self.labelScale) + 12 }

    /// Total width including label overhang and the unit.
    var width: Int { overhang + barWidth + Swift.max(overhang, unitWidth) }
    /// Total height: bar, ticks and labels.
    var height: Int { Self.barHeight + Self.tickLength + 4 + Canvas.lineHeight(scale: Self.labelScale) }

    /// Decimals for tick labels `step` apart (step 0.5 -> one decimal); 0 for steps of 1 or more
    /// and for a step that is not a positive number.
    static func tickDecimals(_ step: Double) -> Int {
        guard step.isFinite, step > 0, step < 1 else { return 0 }
        return min(6, Int(ceil(-log10(step) - 1e-9)))
    }

    /// The ticks and their label text, thinned so labels do not overlap.
    func ticks() -> [(x: Int, label: String)] {
        let (values, step) = Ticks.values(in: range, target: Swift.max(2, Swift.min(8, barWidth / 70)))
        let all = values.map { v -> (x: Int, label: String) in
            let t = (v - range.min) / (range.max - range.min)
            return (
                Int((t * Double(barWidth - 1)).rounded()),
                NumberText.fixed(v, Self.tickDecimals(step), nonFinite: "nan")
            )
        }
        var every = 1
        while every < all.count {
            let kept = stride(from: 0, to: all.count, by: every).map { all[$0] }
            let fits = zip(kept, kept.dropFirst()).allSatisfy { a, b in
                let half =
                    (Canvas.textWidth(a.label, scale: Self.labelScale)
                        + Canvas.textWidth(b.label, scale: Self.labelScale)) / 2
                return b.x - a.x >= half + 10
            }
            if fits { break }
            every += 1
        }
        return stride(from: 0, to: all.count, by: every).map { all[$0] }
    }

    /// Draws the legend with its top-left at (x, y).
    func draw(on canvas: inout Canvas, x: Int, y: Int) {
        let barX = x + overhang
        for col in 0..<barWidth {
            let c = ramp.colour(at: Double(col) / Double(Swift.max(1, barWidth - 1)))
            canvas.fill(x: barX + col, y: y, width: 1, height: Self.barHeight, c)
        }
        canvas.frame(x: barX - 1, y: y - 1, width: barWidth + 2, height: Self.barHeight + 2, QuickLook.ink)
        for tick in ticks() {
            canvas.fill(x: barX + tick.x, y: y + Self.barHeight, width: 1, height: Self.tickLength, QuickLook.ink)
            canvas.text(
                tick.label, centreX: barX + tick.x + 1, y: y + Self.barHeight + Self.tickLength + 4,
                scale: Self.labelScale, QuickLook.ink)
        }
        if !unit.isEmpty {
            let textY = y + (Self.barHeight - BitmapFont.ascent * Self.labelScale) / 2
            canvas.text(unit, x: barX + barWidth + 12, y: textY, scale: Self.labelScale, QuickLook.ink)
        }
    }
}
