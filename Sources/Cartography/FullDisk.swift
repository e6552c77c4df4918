import Configuration
import FileIO
import Foundation
import RasterIO

/// A map write that ran out of space, told in the terms of the output folder: maps are written in the
/// run's staging folder, which is removed (with every partial file) when the process exits, so the
/// message names the file relative to the folder and the output folder itself, which stays.
public enum FullDisk {
    /// `error` as a `StageError` of the `write` stage naming the output folder `output`, when it is a
    /// write inside `staging` that failed for want of space (a raster's `RasterError.systemReason`, or an
    /// atomic file write's `FileWriteError.reason`); else nil.
    public static func error(_ error: Error, staging: String, output: String) -> StageError? {
        let failed: (reason: String, path: String)?
        if let e = error as? RasterError, let reason = e.systemReason, let path = e.path {
            failed = (reason, path)
        } else if let e = error as? FileWriteError, e.reason == String(cString: strerror(ENOSPC)) {
            failed = (e.reason, e.path)
        } else {
            failed = nil
        }
        guard let failed, failed.path.hasPrefix(staging + "/") else { return nil }
        let reason = failed.reason
        let file = String(failed.path.dropFirst(staging.count + 1))
        return StageError(
            stage: .write, file: output,
            message: """
                \(reason) while writing \(file) (in the staging folder '\(staging)', which is removed with \
                every partial file when socmap exits); no output was published. Free space on the disk that \
                holds the output folder (df -h '\(output)'), or set `output:` to a folder on another disk, and \
                run the command again
                """)
    }
}
