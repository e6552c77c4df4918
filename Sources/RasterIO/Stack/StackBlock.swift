/// Scaled channels over a window: what the network sees.
public struct StackBlock: Sendable {
    /// The window read (may extend outside the grid).
    public var window: PixelWindow
    /// Number of channels.
    public var channelCount: Int
    /// Channel-major values [channel][row][col], scaled to [0, 1]; nodata and outside cells hold the channel's fill.
    public var values: [Float]
    /// Per cell: true when every covariate has data there (false outside the grid).
    public var valid: [Bool]
    /// Per cell: how many covariates have data there.
    public var validCount: [UInt8]?

    /// Creates a block; sizes must match the window and channel count.
    public init(window: PixelWindow, channelCount: Int, values: [Float], valid: [Bool], validCount: [UInt8]? = nil) {
        precondition(
            values.count == channelCount * window.cellCount,
            "StackBlock: \(values.count) values for \(channelCount) channels of \(window)")
        precondition(valid.count == window.cellCount, "StackBlock: \(valid.count) flags for \(window)")
        precondition(validCount.map { $0.count == window.cellCount } ?? true, "StackBlock: validCount size")
        self.window = window
        self.channelCount = channelCount
        self.values = values
        self.valid = valid
        self.validCount = validCount
    }

    /// The value of a channel at a cell (col/row relative to the window).
    public func value(channel: Int, col: Int, row: Int) -> Float {
        precondition(channel >= 0 && channel < channelCount, "StackBlock: channel \(channel) of \(channelCount)")
        precondition(
            col >= 0 && col < window.width && row >= 0 && row < window.height,
            "StackBlock: (\(col), \(row)) outside \(window)")
        return values[(channel * window.height + row) * window.width + col]
    }
}
