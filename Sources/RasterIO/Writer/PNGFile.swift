import CGDAL
import FileIO
import Foundation

/// Writes 8-bit RGB or RGBA pictures as PNG through GDAL (a MEM dataset copied by the PNG driver),
/// atomically (hidden temporary file in the same folder, then rename) and reproducibly.
public enum PNGFile {
    /// Writes `pixels` (row-major, interleaved, `channels` bytes per pixel: 3 = RGB, 4 = RGBA) to `path`.
    public static func write(pixels: [UInt8], width: Int, height: Int, channels: Int, to path: String) throws {
        precondition(
            channels == 3 || channels == 4, "PNGFile.write: channels must be 3 (RGB) or 4 (RGBA), got \(channels)")
        precondition(
            width > 0 && height > 0 && pixels.count == width * height * channels,
            "PNGFile.write: \(pixels.count) bytes for \(width) x \(height) x \(channels)")
        try FinishedRaster.requireFolder(of: path, what: "PNG")
        let context = RasterError(
            "cannot write PNG '\(path)'", path: path,
            hint: "Check that the folder is writable and the disk is not full")
        let memDriver = try gdal(context) { GDALGetDriverByName("MEM") }
        let pngDriver = try gdal(context) { GDALGetDriverByName("PNG") }
        let mem = DatasetHandle(
            try gdal(context) {
                GDALCreate(memDriver, "", Int32(width), Int32(height), Int32(channels), GDT_Byte, nil)
            },
            path: path)
        defer { mem.close() }
        let interpretations = [GCI_RedBand, GCI_GreenBand, GCI_BlueBand, GCI_AlphaBand]
        for b in 1...channels {
            let band = try mem.band(b)
            try gdal(context) { GDALSetRasterColorInterpretation(band, interpretations[b - 1]) }
            try pixels.withUnsafeBytes { buffer in
                let start = UnsafeMutableRawPointer(mutating: buffer.baseAddress! + (b - 1))
                try gdal(context) {
                    GDALRasterIO(
                        band, GF_Write, 0, 0, Int32(width), Int32(height), start, Int32(width), Int32(height),
                        GDT_Byte, Int32(channels), Int32(width * channels))
                }
            }
        }
        let temporary = AtomicFile.temporaryPath(for: path, suffix: ".png")
        let leftovers = [temporary, temporary + ".aux.xml"]
        // Level 6: a contact sheet compresses 5x faster than at 9 and only about 6 % larger.
        let options = CStringList(options: [("ZLEVEL", "6")])
        do {
            let h = try mem.get()
            let out = try gdal(context) { GDALCreateCopy(pngDriver, temporary, h, 0, options.pointer, nil, nil) }
            try DatasetHandle(out, path: temporary).closeChecked()
            try FinishedRaster.moveIntoPlace(temporary, path, sideFile: false)
        } catch {
            for file in leftovers { try? FileManager.default.removeItem(atPath: file) }
            throw error
        }
    }
}
