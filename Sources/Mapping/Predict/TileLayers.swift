import Foundation

/// The layers of a map tile, in their one order: the depth maps, then (with the CV spread) each depth's
/// SD, then (with an interval) each depth's lower bound, each depth's upper bound, each depth's median (Q0.5)
/// and each depth's uncertainty ((upper − lower) / median), then (with the area of applicability) the
/// dissimilarity index and the AOA mask, then (with an error profile) each depth's expected RMSE. The predictor writes tiles in this order,
/// the catalogue names the maps in it, and the map stage reads layers back by it.
public struct TileLayers: Sendable, Hashable {
    /// Number of depth maps.
    public let depths: Int
    /// Whether each depth's CV spread (SD) is mapped.
    public let spread: Bool
    /// Whether each depth's interval bounds, median and uncertainty are mapped.
    public let bounds: Bool
    /// Whether the DI and the AOA are mapped.
    public let applicability: Bool
    /// Whether each depth's expected RMSE from the DI is mapped (with the DI only).
    public let expectedError: Bool

    /// The layout of a tile with these layers.
    public init(depths: Int, spread: Bool, bounds: Bool, applicability: Bool, expectedError: Bool = false) {
        precondition(depths >= 1, "TileLayers: at least one depth, got \(depths)")
        precondition(!expectedError || applicability, "TileLayers: the expected error comes from the DI")
        self.depths = depths
        self.spread = spread
        self.bounds = bounds
        self.applicability = applicability
        self.expectedError = expectedError
    }

    /// Layers per tile.
    public var count: Int { applicabilityStart + (applicability ? 2 : 0) + (expectedError ? depths : 0) }

    /// The layer of depth `d`'s map.
    public func prediction(_ d: Int) -> Int { checked(d) }
    /// The layer of depth `d`'s CV spread; nil without the spread.
    public func spread(_ d: Int) -> Int? { spread ? depths + checked(d) : nil }
    /// The layer of depth `d`'s lower bound; nil without bounds.
    public func lower(_ d: Int) -> Int? { bounds ? boundsStart + checked(d) : nil }
    /// The layer of depth `d`'s upper bound; nil without bounds.
    public func upper(_ d: Int) -> Int? { bounds ? boundsStart + depths + checked(d) : nil }
    /// The layer of depth `d`'s median (Q0.5); nil without bounds.
    public func median(_ d: Int) -> Int? { bounds ? boundsStart + 2 * depths + checked(d) : nil }
    /// The layer of depth `d`'s uncertainty ((upper − lower) / median); nil without bounds.
    public func uncertainty(_ d: Int) -> Int? { bounds ? boundsStart + 3 * depths + checked(d) : nil }
    /// The dissimilarity index layer; nil without the area of applicability.
    public var dissimilarity: Int? { applicability ? applicabilityStart : nil }
    /// The AOA mask layer; nil without the area of applicability.
    public var aoa: Int? { applicability ? applicabilityStart + 1 : nil }
    /// The layer of depth `d`'s expected RMSE; nil without the error profile.
    public func expectedError(_ d: Int) -> Int? { expectedError ? applicabilityStart + 2 + checked(d) : nil }

    private var applicabilityStart: Int { depths * (1 + (spread ? 1 : 0) + (bounds ? 4 : 0)) }

    private var boundsStart: Int { depths * (spread ? 2 : 1) }

    private func checked(_ d: Int) -> Int {
        precondition((0..<depths).contains(d), "TileLayers: depth \(d) of \(depths)")
        return d
    }
}
