import FileIO
import Foundation

/// The report folder: created when missing, its files written through `FileIO.AtomicFile`.
enum ReportFolder {
    /// Writes `text` as UTF-8 to `path` atomically; a failure names the file and the report folder.
    static func write(_ text: String, to path: String) throws {
        do {
            try AtomicFile.write(text, to: path)
        } catch let e as FileWriteError {
            throw EvaluationError(
                .writeFailed, path: path,
                message:
                    "cannot write \(path): \(e.message); check that the report folder is writable")
        }
    }

    /// Creates `path` and its parents if missing.
    static func make(_ path: String) throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
            guard isFolder.boolValue else {
                throw EvaluationError(
                    .writeFailed, path: path,
                    message:
                        "\(path) exists and is not a folder; choose another report folder or remove the file")
            }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw EvaluationError(
                .writeFailed, path: path,
                message:
                    "cannot create the report folder \(path): \(SystemError.reason(error)); check the output path")
        }
    }
}

/// A report folder being written: created with its plots/ subfolder, each file put atomically
/// and its path remembered in order.
struct ReportFiles {
    /// The folder.
    let folder: String
    /// Absolute paths written so far, in order.
    private(set) var written: [String] = []

    /// Creates `folder` and `folder/plots` when missing.
    init(folder: String) throws {
        self.folder = folder
        try ReportFolder.make(folder)
        try ReportFolder.make((folder as NSString).appendingPathComponent("plots"))
    }

    /// Writes `text` to `relative` inside the folder.
    mutating func put(_ text: String, _ relative: String) throws {
        let path = (folder as NSString).appendingPathComponent(relative)
        try ReportFolder.write(text, to: path)
        written.append(path)
    }
}
