import Foundation

/// Where a site lies: in the grid's CRS (`x`, `y`) and in WGS84 longitude and latitude (degrees).
/// The pipeline transforms the coordinates (OSR); Evaluation only writes them.
public struct SiteLocation: Sendable, Equatable {
    /// Easting (or longitude) in the grid's CRS.
    public var x: Double
    /// Northing (or latitude) in the grid's CRS.
    public var y: Double
    /// WGS84 longitude in degrees (NaN when the point could not be transformed).
    public var lon: Double
    /// WGS84 latitude in degrees (NaN when the point could not be transformed).
    public var lat: Double

    /// Makes a location.
    public init(x: Double, y: Double, lon: Double, lat: Double) {
        self.x = x
        self.y = y
        self.lon = lon
        self.lat = lat
    }
}
