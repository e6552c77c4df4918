import Foundation

/// The prediction points kNNDM and the geodist table compare the sites with: cells of the covariate
/// grid where the covariates have data, sampled with the pipeline's seed, in the grid's CRS.
public struct PredictionDomain: Sendable, Equatable {
    /// The points, with the metric of the grid's CRS.
    public var points: SpatialPoints
    /// The unit of distances: "m" for great-circle distances, else the CRS's unit.
    public var unit: String

    /// Makes a domain from its points and the unit of their distances.
    public init(points: SpatialPoints, unit: String) {
        self.points = points
        self.unit = unit
    }

    /// Site coordinates in the same CRS, with the same metric.
    public func sites(x: [Double], y: [Double]) -> SpatialPoints { SpatialPoints(x: x, y: y, metric: points.metric) }
}
