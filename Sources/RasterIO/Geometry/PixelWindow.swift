/// A rectangle of cells: top-left column and row (may be negative) and a non-negative size.
public struct PixelWindow: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Left column.
    public var col: Int
    /// Top row.
    public var row: Int
    /// Number of columns (>= 0).
    public var width: Int { didSet { precondition(width >= 0, "PixelWindow width \(width) < 0") } }
    /// Number of rows (>= 0).
    public var height: Int { didSet { precondition(height >= 0, "PixelWindow height \(height) < 0") } }

    /// Creates a window; width and height must not be negative.
    public init(col: Int, row: Int, width: Int, height: Int) {
        precondition(width >= 0 && height >= 0, "PixelWindow size \(width) x \(height) is negative")
        self.col = col
        self.row = row
        self.width = width
        self.height = height
    }

    /// True when the window holds no cell.
    public var isEmpty: Bool { width == 0 || height == 0 }
    /// width * height.
    public var cellCount: Int { width * height }
    /// One past the right column.
    public var endCol: Int { col + width }
    /// One past the bottom row.
    public var endRow: Int { row + height }

    /// The overlap with `other`, nil when they share no cell.
    public func intersection(_ other: PixelWindow) -> PixelWindow? {
        let c0 = max(col, other.col)
        let r0 = max(row, other.row)
        let c1 = min(endCol, other.endCol)
        let r1 = min(endRow, other.endRow)
        guard c1 > c0, r1 > r0 else { return nil }
        return PixelWindow(col: c0, row: r0, width: c1 - c0, height: r1 - r0)
    }

    /// The window grown by `margin` cells on every side (shrunk when negative, never below empty).
    public func expanded(by margin: Int) -> PixelWindow {
        PixelWindow(
            col: col - margin, row: row - margin,
            width: max(0, width + 2 * margin), height: max(0, height + 2 * margin))
    }

    /// True when the cell lies inside.
    public func contains(col c: Int, row r: Int) -> Bool {
        c >= col && c < endCol && r >= row && r < endRow
    }

    /// True when `other` lies wholly inside.
    public func contains(_ other: PixelWindow) -> Bool {
        other.col >= col && other.row >= row && other.endCol <= endCol && other.endRow <= endRow
    }

    /// "window at col 3, row 5, 10 x 20 cells".
    public var description: String { "window at col \(col), row \(row), \(width) x \(height) cells" }
}
