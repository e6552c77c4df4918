/// Resampling methods for warping (GDAL's -r names).
public enum Resampling: String, Sendable, CaseIterable {
    case nearest, bilinear, cubic, average, mode

    /// GDAL's name for the method.
    var gdalName: String {
        switch self {
        case .nearest: "near"
        case .bilinear: "bilinear"
        case .cubic: "cubic"
        case .average: "average"
        case .mode: "mode"
        }
    }
}
