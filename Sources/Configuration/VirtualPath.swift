import Foundation

/// Paths GDAL reads through its virtual file systems (`/vsizip/`, `/vsigzip/`, `/vsitar/`, `/vsicurl/`, ...): the
/// one place that says which input paths are GDAL's, so they are opened by GDAL rather than refused as missing
/// files.
public enum VirtualPath {
    /// The archive file systems whose inner path starts with the archive's own path (resolved like a file's).
    public static let archivePrefixes = ["/vsizip/", "/vsigzip/", "/vsitar/"]

    /// Whether `path` names a GDAL virtual file ("/vsi" then a file system name and "/").
    public static func isVirtual(_ path: String) -> Bool {
        guard path.hasPrefix("/vsi"), let slash = path.dropFirst(4).firstIndex(of: "/") else { return false }
        return slash > path.index(path.startIndex, offsetBy: 4)
    }
}
