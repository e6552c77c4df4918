import Configuration
import Foundation
import RasterIO

/// A map write that ran out of space, told in the terms of the output folder: maps are written in the
/// run's staging folder, which is removed (with every partial file) when the process exits, so the
/// message names the file relative to the folder and the output folder itself, which stays.
public enum FullDisk {
    /// `error` as a `StageError` of the `write` stage naming the output folder `output`, when it is a
    /// raster write inside `staging` that failed for want of space (`RasterError.systemReason`); else nil.
    public static func error(_ error: Error, staging: String, output: String) -> StageError? {
        guard let e = error as? RasterError, let reason = e.systemReason, let path = e.path,
            path.hasPrefix(staging + "/")
        else { return nil }
        let file = String(path.dropFirst(staging.count + 1))
        return StageError(
            stage: .write, file: output,
            message: """
                \(reason) while writing \(file) (in the staging folder '\(staging)', which is removed with \
                every partial file when socmap exits); nothing in the output folder was changed. Free space on \
                the disk that holds it (df -h '\(output)'), or set `output:` to a folder on another disk, and run \
                the command again
                """)
    }
}
