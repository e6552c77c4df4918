import Foundation

/// One scratch file per fuzzing process, rewritten with each input, for readers that take a path.
public enum FuzzInputFile {
    nonisolated(unsafe) private static var folder: String?

    /// Writes the input to `<tmp>/socmap-fuzz-<pid>/<name>` and returns the path.
    public static func write(_ data: UnsafePointer<UInt8>?, _ size: Int, name: String) -> String {
        if folder == nil {
            let f = NSTemporaryDirectory() + "/socmap-fuzz-\(getpid())"
            try? FileManager.default.createDirectory(atPath: f, withIntermediateDirectories: true)
            folder = f
        }
        let path = folder! + "/" + name
        guard let file = fopen(path, "wb") else { fatalError("FuzzInputFile: cannot write \(path)") }
        if let data, size > 0 {
            precondition(fwrite(data, 1, size, file) == size, "FuzzInputFile: short write to \(path)")
        }
        fclose(file)
        return path
    }
}
