import CGDAL

/// A whole band read at reduced size (for quick-looks and range estimates): row-major, NaN = invalid.
public struct DecimatedBand: Sendable {
    /// Columns of the reduced array.
    public var width: Int
    /// Rows of the reduced array.
    public var height: Int
    /// Values row by row; nodata and NaN cells hold NaN.
    public var values: [Float]
    /// Full-resolution columns per reduced column (>= 1).
    public var factor: Double

    /// Creates a reduced band; `values` must hold width * height elements.
    public init(width: Int, height: Int, values: [Float], factor: Double) {
        precondition(
            width > 0 && height > 0 && values.count == width * height,
            "DecimatedBand: \(values.count) values for \(width) x \(height)")
        self.width = width
        self.height = height
        self.values = values
        self.factor = factor
    }
}

extension RasterDataset {
    /// Reads a whole 1-based band shrunk to fit `maxWidth` x `maxHeight` (aspect kept, never enlarged).
    /// GDAL reads from the closest overview and averages the rest (nodata-aware), so a large map
    /// costs little when it has overviews (as COGs do).
    public func readDecimated(band index: Int, maxWidth: Int, maxHeight: Int? = nil) throws -> DecimatedBand {
        precondition(
            maxWidth > 0 && (maxHeight ?? 1) > 0, "readDecimated: maxWidth \(maxWidth) and maxHeight must be positive")
        let limitH = maxHeight ?? Int.max
        let factor = Swift.max(1, Double(width) / Double(maxWidth), Double(height) / Double(limitH))
        let outW = Swift.max(1, Swift.min(maxWidth, Int((Double(width) / factor).rounded())))
        let outH = Swift.max(1, Swift.min(limitH, Int((Double(height) / factor).rounded())))
        let band = try handle.band(index)
        let nodata = try self.band(index).nodata
        var values = [Float](repeating: .nan, count: outW * outH)
        var extra = GDALRasterIOExtraArg()
        extra.nVersion = 1  // RASTERIO_EXTRA_ARG_CURRENT_VERSION
        extra.eResampleAlg = factor > 1 ? GRIORA_Average : GRIORA_NearestNeighbour
        let (w, h) = (width, height)
        try values.withUnsafeMutableBytes { buffer in
            try gdal(RasterError("cannot read a reduced copy of raster '\(path)'", path: path, band: index)) {
                GDALRasterIOEx(
                    band, GF_Read, 0, 0, Int32(w), Int32(h), buffer.baseAddress, Int32(outW), Int32(outH),
                    GDT_Float32, 0, 0, &extra)
            }
        }
        if let nodata {
            let nd = Float(nodata)
            values.withUnsafeMutableBufferPointer { v in
                for i in v.indices where v[i] == nd { v[i] = .nan }
            }
        }
        return DecimatedBand(width: outW, height: outH, values: values, factor: factor)
    }
}
