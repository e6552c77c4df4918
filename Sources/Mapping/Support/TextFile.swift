import FileIO
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes text files atomically: a hidden temporary file beside the target, then one rename.
public enum TextFile {
    /// Writes `text` as UTF-8 to `path`, replacing any file there only once the new one is complete.
    public static func write(_ text: String, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).partial-\(getpid())").path
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
        } catch {
            throw MappingError("cannot write '\(path)': \(SystemError.reason(error))", path: path,
                               hint: "Check that the output folder exists and is writable")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw MappingError("cannot move the finished file into place at '\(path)': \(reason)", path: path,
                               hint: "Check that the output folder is writable")
        }
    }
}
