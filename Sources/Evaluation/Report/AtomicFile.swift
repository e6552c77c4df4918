import FileIO
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes files atomically: the bytes go to a temporary file beside the target, then one rename.
enum AtomicFile {
    /// Writes `text` as UTF-8 to `path`, replacing any existing file only once the new one is complete.
    static func write(_ text: String, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())").path
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
        } catch {
            throw EvaluationError(.writeFailed, path: path, message:
                "cannot write \(path): \(SystemError.reason(error)); check that the report folder is writable")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw EvaluationError(.writeFailed, path: path, message:
                "cannot move the finished file into place at \(path): \(reason); check that the report folder is writable")
        }
    }

    /// Creates `path` and its parents if missing.
    static func makeFolder(_ path: String) throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
            guard isFolder.boolValue else {
                throw EvaluationError(.writeFailed, path: path, message:
                    "\(path) exists and is not a folder; choose another report folder or remove the file")
            }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw EvaluationError(.writeFailed, path: path, message:
                "cannot create the report folder \(path): \(SystemError.reason(error)); check the output path")
        }
    }
}
