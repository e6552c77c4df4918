/// Whether a covariate holds measurements or class codes.
public enum CovariateKind: String, Sendable, CaseIterable {
    case continuous, categorical
}

/// A covariate as the pipeline file names it: a raster file and optionally one band of it.
public struct CovariateSpec: Sendable, Equatable {
    /// The covariate's name (unique in a stack).
    public var name: String
    /// The raster file.
    public var path: String
    /// The 1-based band; nil makes every band of the file a covariate (a one-band file keeps `name`;
    /// bands of a multi-band file are named by their description, else "<name>_b<k>").
    public var band: Int?
    /// The kind; nil means categorical when the band has a raster attribute table or category names.
    public var kind: CovariateKind?
    /// A nodata value for every band of the file, replacing the file's own (nil: the file's, if any).
    public var nodata: Double?

    /// Creates a spec.
    public init(name: String, path: String, band: Int? = nil, kind: CovariateKind? = nil, nodata: Double? = nil) {
        self.name = name
        self.path = path
        self.band = band
        self.kind = kind
        self.nodata = nodata
    }
}

/// The grid every covariate is brought onto.
public enum ReferenceGrid: Sendable {
    /// The grid of an existing raster (seen north-up when the raster is south-up).
    case raster(path: String)
    /// A north-up grid: CRS, square cell size and extent (snapped outward to whole cells).
    case explicit(crs: CRS, resolution: Double, extent: Extent)

    /// The grid itself, always north-up: a south-up raster gives the north-up grid with the same extent,
    /// cells and CRS; a rotated or sheared one is an error naming the file.
    public func resolve() throws -> Grid {
        switch self {
        case .raster(let path):
            let dataset = try RasterDataset(path: path)
            defer { dataset.close() }
            return try dataset.northUpGrid()
        case .explicit(let crs, let resolution, let extent):
            guard resolution > 0, resolution.isFinite else {
                throw RasterError(
                    "the reference grid's resolution \(resolution) is not a positive number",
                    hint: "Give the cell size in the units of the CRS (metres for a projected CRS)")
            }
            guard extent.width > 0, extent.height > 0 else {
                throw RasterError(
                    "the reference grid's extent (\(extent)) is empty",
                    hint: "Give minX < maxX and minY < maxY in the units of the CRS")
            }
            return Grid(crs: crs, extent: extent, resolution: resolution)
        }
    }
}
