import Foundation
import TextFormat

/// Small multiples: panels laid out in a grid of rows and columns, in reading order.
struct PanelGrid {
    /// The number of panels.
    let count: Int
    /// Panels per row.
    let columns: Int
    /// Rows needed.
    var rows: Int { (count + columns - 1) / max(1, columns) }

    /// A grid of `count` panels, at most `maxColumns` wide.
    init(count: Int, maxColumns: Int = 3) {
        self.count = count
        self.columns = max(1, min(maxColumns, count))
    }

    /// (column, row) of panel `index`.
    func cell(_ index: Int) -> (column: Int, row: Int) { (index % columns, index / columns) }
}

/// Labels and helpers shared by the plots.
enum PlotText {
    /// "Observed (g/kg)", or "Observed" without a unit.
    static func withUnit(_ label: String, _ unit: String) -> String {
        unit.isEmpty ? label : "\(label) (\(unit))"
    }

    /// A metric value for a panel annotation: about three significant digits.
    static func short(_ x: Double) -> String {
        NumberText.fixed(x, TextFormatting.decimals(forMagnitude: x), nonFinite: "–")
    }
}
