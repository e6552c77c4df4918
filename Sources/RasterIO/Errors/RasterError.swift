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
        }
        text = text.trimmingTrailingPeriod() + "."
        if let hint = hint?.trimmingWhitespace(), !hint.isEmpty {
            text += " " + hint.trimmingTrailingPeriod() + "."
        }
        return text
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
