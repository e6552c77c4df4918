import FileIO
import Foundation

/// The end of every raster write: GDAL writes a hidden temporary file beside the target
/// (`FileIO.AtomicFile.temporaryPath`, ending in the format's extension), which is flushed to
/// disk and renamed over the target by `FileIO.AtomicFile.moveIntoPlace`.
enum FinishedRaster {
    /// Throws unless the folder that will hold `path` exists (`what`: "raster", "PNG" ...).
    static func requireFolder(of path: String, what: String) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw RasterError(
                "cannot write \(what) '\(path)': the folder '\(folder)' does not exist", path: path,
                hint: "Create the output folder first")
        }
    }

    /// Renames `temporary` over `path`. With `sideFile`, also the `.aux.xml` GDAL wrote beside it
    /// (or, when it wrote none, removes a stale one of an older raster); without, GDAL's side file
    /// is dropped and the target's left alone.
    static func moveIntoPlace(_ temporary: String, _ path: String, sideFile: Bool = true) throws {
        let fm = FileManager.default
        let side = temporary + ".aux.xml"
        if !sideFile { try? fm.removeItem(atPath: side) }
        do {
            try AtomicFile.moveIntoPlace(temporary, at: path)
        } catch let e as FileWriteError {
            throw RasterError(
                "cannot move '\(temporary)' to '\(path)'", path: path, gdalMessage: e.reason,
                hint: "Check that the output path is writable")
        }
        guard sideFile else { return }
        if fm.fileExists(atPath: side) {
            do {
                try AtomicFile.moveIntoPlace(side, at: path + ".aux.xml")
            } catch let e as FileWriteError {
                throw RasterError("cannot move '\(side)' to '\(path).aux.xml'", path: path, gdalMessage: e.reason)
            }
        } else {
            // A stale side file would describe an older raster.
            try? fm.removeItem(atPath: path + ".aux.xml")
        }
    }
}
