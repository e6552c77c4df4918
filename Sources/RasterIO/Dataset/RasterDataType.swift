import CGDAL

/// Pixel data types the module reads and writes (GDAL's types map to the closest one).
public enum RasterDataType: String, Sendable, CaseIterable {
    case uint8, int16, uint16, int32, float32, float64

    /// True for float32 and float64.
    public var isFloatingPoint: Bool { self == .float32 || self == .float64 }

    /// GDAL's type.
    var gdalType: GDALDataType {
        switch self {
        case .uint8: GDT_Byte
        case .int16: GDT_Int16
        case .uint16: GDT_UInt16
        case .int32: GDT_Int32
        case .float32: GDT_Float32
        case .float64: GDT_Float64
        }
    }

    /// The closest of our types to a GDAL type (complex and 64-bit integer types fall back to float64).
    init(gdal type: GDALDataType) {
        switch type {
        case GDT_Byte: self = .uint8
        case GDT_Int16: self = .int16
        case GDT_UInt16: self = .uint16
        case GDT_Int32: self = .int32
        case GDT_UInt32: self = .float64
        case GDT_Float32: self = .float32
        default: self = .float64
        }
    }
}
