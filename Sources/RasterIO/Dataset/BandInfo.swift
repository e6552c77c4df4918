/// What one raster band says about itself: nodata, description, unit, type and classes.
public struct BandInfo: Sendable {
    /// 1-based band index.
    public var index: Int
    /// The nodata value, nil when the band has none (never assumed 0).
    public var nodata: Double?
    /// The band's description (often the covariate name), "" when unset.
    public var description: String
    /// The band's unit, "" when unset.
    public var unit: String
    /// The closest of our data types.
    public var dataType: RasterDataType
    /// GDAL category names (index = class value), nil when the band has none.
    public var categoryNames: [String]?
    /// Class value -> label, from the band's default raster attribute table, else from category names.
    public var attributeTable: [Int: String]?

    /// Creates band information.
    public init(
        index: Int, nodata: Double?, description: String, unit: String, dataType: RasterDataType,
        categoryNames: [String]? = nil, attributeTable: [Int: String]? = nil
    ) {
        self.index = index
        self.nodata = nodata
        self.description = description
        self.unit = unit
        self.dataType = dataType
        self.categoryNames = categoryNames
        self.attributeTable = attributeTable
    }

    /// True when the band declares classes (a raster attribute table or category names).
    public var isCategorical: Bool { !(attributeTable ?? [:]).isEmpty }
}
