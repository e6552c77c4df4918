import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The one way SOCMap writes a finished file: the bytes go to a hidden temporary file in the
/// target's folder (`.NAME.partial-PID`), are flushed to disk (fsync), and the temporary file is
/// renamed over the target in one step. The target is never deleted first: a reader sees the old
/// file or the new one, never a part of either, and an interrupted write leaves the old file.
public enum AtomicFile {
    /// Writes `data` to `path` atomically, replacing any file there once the new one is complete.
    public static func write(_ data: Data, to path: String) throws {
        let temporary = temporaryPath(for: path)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileWriteError(path: path, step: .create, reason: String(cString: strerror(errno))) }
        var failure: Int32 = 0
        var step = FileWriteError.Step.write
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = systemWrite(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                offset += n
            }
        }
        if failure == 0 && fsync(fd) != 0 {
            failure = errno
            step = .flush
        }
        close(fd)
        if failure == 0 {
            do { try moveIntoPlace(temporary, at: path, flush: false) } catch {
                unlink(temporary)
                throw error
            }
            return
        }
        unlink(temporary)
        throw FileWriteError(path: path, step: step, reason: String(cString: strerror(failure)))
    }

    /// Writes `text` as UTF-8 to `path` atomically.
    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }

    /// The hidden temporary name beside `path` that `write` uses: `.NAME.partial-PID`.
    public static func temporaryPath(for path: String, suffix: String = "") -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).partial-\(getpid())\(suffix)").path
    }

    /// Renames the finished file `temporary` over `path` in one step (never deleting `path` first),
    /// with `flush` after flushing it to disk. Writers that make the temporary file themselves
    /// (GDAL's drivers) finish through this.
    public static func moveIntoPlace(_ temporary: String, at path: String, flush: Bool = true) throws {
        if flush {
            let fd = open(temporary, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                throw FileWriteError(path: path, step: .flush, reason: String(cString: strerror(errno)))
            }
            let failed = fsync(fd) != 0
            let reason = String(cString: strerror(errno))
            close(fd)
            if failed { throw FileWriteError(path: path, step: .flush, reason: reason) }
        }
        guard rename(temporary, path) == 0 else {
            throw FileWriteError(path: path, step: .rename, reason: String(cString: strerror(errno)))
        }
    }
}

#if canImport(Glibc)
    private let systemWrite = Glibc.write
#elseif canImport(Darwin)
    private let systemWrite = Darwin.write
#endif

/// A file that could not be written: the file, the step that failed and the system's reason.
public struct FileWriteError: Error, CustomStringConvertible, Sendable {
    /// The steps of an atomic write.
    public enum Step: String, Sendable {
        /// Creating the temporary file beside the target.
        case create = "cannot create a temporary file beside it"
        /// Writing the bytes.
        case write = "cannot write it"
        /// Flushing the bytes to disk.
        case flush = "cannot flush it to disk"
        /// Renaming the finished file over the target.
        case rename = "cannot move the finished file into place"
    }

    /// The file.
    public let path: String
    /// The step that failed.
    public let step: Step
    /// The system's reason ("Permission denied", "No space left on device" ...).
    public let reason: String

    /// The step and the reason, without the path: "cannot write it (No space left on device)".
    public var message: String { "\(step.rawValue) (\(reason))" }

    /// The message a user sees: the file, what failed and why, and what to check.
    public var description: String {
        "cannot write '\(path)': \(message); check that the folder exists and is writable and the disk has room"
    }
}
