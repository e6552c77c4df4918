import Foundation

/// An error from reading, warping or writing rasters, carrying GDAL's message and our context.
public struct RasterError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, as the start of a sentence (usually naming the raster path).
    public var message: String
    /// The raster file involved, if any.
    public var path: String?
    /// The 1-based band involved, if any.
    public var band: Int?
    /// The pixel window involved, if any.
    public var window: PixelWindow?
    /// GDAL's (or PROJ's) own error message, if it gave one.
    public var gdalMessage: String?
    /// The system's reason behind a failed write ("No space left on device"), when known.
    public var systemReason: String?
    /// What the user can do about it.
    public var hint: String?

    /// Creates an error; `message` should read as the start of a sentence.
    public init(
        _ message: String, path: String? = nil, band: Int? = nil, window: PixelWindow? = nil,
        gdalMessage: String? = nil, hint: String? = nil
    ) {
        self.message = message
        self.path = path
        self.band = band
        self.window = window
        self.gdalMessage = gdalMessage
        self.hint = hint
    }

    /// One readable sentence: message, context, GDAL's message and the hint.
    public var description: String {
        var text = message
        var context: [String] = []
        if let path, !message.contains(path) { context.append("raster '\(path)'") }
        if let band { context.append("band \(band)") }
        if let window { context.append(window.description) }
        if !context.isEmpty { text += " (" + context.joined(separator: ", ") + ")" }
        if let gdal = gdalMessage?.trimmingWhitespace(), !gdal.isEmpty {
            text += ": " + gdal.trimmingTrailingPeriod()
            if let systemReason, !gdal.lowercased().contains(systemReason.lowercased()) { text += " (\(systemReason))" }
        } else if let systemReason {
            text += ": " + systemReason
        }
        text = text.trimmingTrailingPeriod() + "."
        if let hint = hint?.trimmingWhitespace(), !hint.isEmpty {
            text += " " + hint.trimmingTrailingPeriod() + "."
        }
        return text
    }
}

extension RasterError {
    /// A write that failed for want of space (`systemReason` known), told by the file being written
    /// (`path`, not its hidden temporary name) with what to do; any other error as it is.
    static func onFullDisk(_ error: Error, writing path: String) -> Error {
        guard var e = error as? RasterError, let reason = e.systemReason else { return error }
        let folder = (path as NSString).deletingLastPathComponent
        e.message = "cannot write raster '\(path)'"
        e.path = path
        e.gdalMessage = nil
        e.systemReason = reason
        e.hint =
            "The partial file was removed. Free space on the disk that holds '\(folder)' (df -h shows it), "
            + "or write the outputs elsewhere, and run the command again"
        return e
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }

    func trimmingTrailingPeriod() -> String {
        var text = trimmingWhitespace()
        while text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
