import CGDAL

/// Owns a GDAL string list (`char **`, NULL-terminated), built from Swift strings.
final class CStringList {
    private(set) var pointer: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?

    /// Builds a list of plain strings (e.g. command-line arguments).
    init(_ items: [String] = []) {
        for item in items { pointer = CSLAddString(pointer, item) }
    }

    /// Builds a list of KEY=VALUE options.
    init(options: [(String, String)]) {
        for (key, value) in options { pointer = CSLSetNameValue(pointer, key, value) }
    }

    deinit { CSLDestroy(pointer) }

    /// The list as `const char * const *`, for the many GDAL functions that want that.
    var constPointer: UnsafePointer<UnsafePointer<CChar>?>? {
        pointer.map { UnsafeRawPointer($0).assumingMemoryBound(to: UnsafePointer<CChar>?.self) }
    }

    /// Reads a NULL-terminated list that GDAL owns into Swift strings.
    static func strings(_ list: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> [String] {
        guard let list else { return [] }
        var result: [String] = []
        var index = 0
        while let item = list[index] {
            result.append(String(cString: item))
            index += 1
        }
        return result
    }
}
