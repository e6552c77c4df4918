/// One class of a categorical covariate, as found on the reference grid.
public struct CategoryClass: Sendable, Equatable {
    /// The class code in the raster.
    public var value: Int
    /// The label from the raster attribute table (or category names), else "class <value>".
    public var label: String
    /// Number of reference-grid cells holding this class.
    public var cellCount: Int

    /// Creates a class entry.
    public init(value: Int, label: String, cellCount: Int) {
        self.value = value
        self.label = label
        self.cellCount = cellCount
    }
}

/// A covariate of a stack: where it comes from and its statistics over the reference grid.
public struct Covariate: Sendable, Equatable {
    /// The covariate's name.
    public var name: String
    /// The raster file.
    public var sourcePath: String
    /// The 1-based band of the file.
    public var band: Int
    /// Continuous or categorical.
    public var kind: CovariateKind
    /// The source raster's CRS name.
    public var sourceCRS: String
    /// The source raster's cell width.
    public var sourceResolutionX: Double
    /// The source raster's cell height (positive).
    public var sourceResolutionY: Double
    /// The source band's own nodata value.
    public var sourceNodata: Double?
    /// The nodata value the spec sets in place of the source's (nil: none set).
    public var nodataOverride: Double?
    /// A usual nodata sentinel (-9999, -32768, -FLT_MAX ...) that the covariate's minimum or maximum on the
    /// grid equals while it has no nodata value at all: its missing cells are probably taken as data.
    public var suspectNodata: Double?
    /// Minimum over valid reference-grid cells (smallest class value for a categorical covariate).
    public var min: Double
    /// Maximum over valid reference-grid cells (largest class value for a categorical covariate).
    public var max: Double
    /// Mean over valid reference-grid cells.
    public var mean: Double
    /// Number of reference-grid cells with data.
    public var validCells: Int
    /// Classes sorted by value (categorical only; empty for continuous).
    public var classes: [CategoryClass]
    /// SHA-256 of its values on the reference grid (row by row, NaN where no data): equal for the
    /// same data whatever the file's path, format or compression.
    public var gridSHA256: String

    /// The nodata value in effect: the override, else the source's own.
    public var nodata: Double? { nodataOverride ?? sourceNodata }

    /// The source raster's cell size.
    public var sourceResolution: (x: Double, y: Double) { (sourceResolutionX, sourceResolutionY) }
}

/// One input channel of the network: a continuous covariate, or one class of a categorical one.
public struct Channel: Sendable, Equatable {
    /// Readable name: "clay", or "soiltype=3 (Ferralsols)" for a class.
    public var name: String
    /// Index into the stack's covariates.
    public var covariate: Int
    /// The class value for a one-hot channel, nil for a continuous one.
    public var classValue: Int?
    /// Raw value scaled to 0 (the covariate's minimum; 0 for one-hot).
    public var min: Double
    /// Raw value scaled to 1 (the covariate's maximum; 1 for one-hot).
    public var max: Double
    /// The scaled value used where the covariate has no data: the scaled mean (the class frequency for one-hot).
    public var fill: Float
}
