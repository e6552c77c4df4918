/// A rectangle in map coordinates (units of the grid's CRS).
public struct Extent: Sendable, Equatable, CustomStringConvertible {
    /// West edge.
    public var minX: Double
    /// South edge.
    public var minY: Double
    /// East edge.
    public var maxX: Double
    /// North edge.
    public var maxY: Double

    /// Creates an extent; max must not be below min.
    public init(minX: Double, minY: Double, maxX: Double, maxY: Double) {
        precondition(maxX >= minX && maxY >= minY, "Extent: max (\(maxX), \(maxY)) below min (\(minX), \(minY))")
        self.minX = minX
        self.minY = minY
        self.maxX = maxX
        self.maxY = maxY
    }

    /// East-west size.
    public var width: Double { maxX - minX }
    /// North-south size.
    public var height: Double { maxY - minY }

    /// True when the point lies inside or on the edge.
    public func contains(x: Double, y: Double) -> Bool {
        x >= minX && x <= maxX && y >= minY && y <= maxY
    }

    /// The overlap of two extents, nil when they do not overlap.
    public func intersection(_ other: Extent) -> Extent? {
        let lo = (Swift.max(minX, other.minX), Swift.max(minY, other.minY))
        let hi = (Swift.min(maxX, other.maxX), Swift.min(maxY, other.maxY))
        guard hi.0 > lo.0, hi.1 > lo.1 else { return nil }
        return Extent(minX: lo.0, minY: lo.1, maxX: hi.0, maxY: hi.1)
    }

    /// "x 100..200, y 300..400".
    public var description: String { "x \(minX)..\(maxX), y \(minY)..\(maxY)" }
}
