/// Writes a GeoTIFF top to bottom in strips of any height, holding one row of tiles in memory.
///
/// Rows are collected until a whole row of tiles (`profile.tileSize` rows, fewer at the bottom) is
/// complete; that row goes to GDAL in one window write and, unless it is the last, is flushed to the
/// file and freed (`GeoTIFFWriter.flushBlocks`). Every tile is therefore written once and whole, in
/// row-major order, so the file's bytes do not depend on the strip heights the caller appends, and
/// a raster that fits in one row of tiles gets the very calls of a single full-window write.
///
/// Memory: one row of tiles of every band (width x tileSize x 4 bytes each), in this writer's buffer
/// until the row is complete and then briefly in GDAL's block cache.
public final class GeoTIFFRowWriter {
    /// The writer that owns the file (set its descriptions, units and metadata through it).
    public let writer: GeoTIFFWriter
    /// Rows appended so far.
    public private(set) var rowsAppended = 0
    /// First row of the tile row being collected.
    private var pendingRow = 0
    /// Row-major values of rows `pendingRow ..< rowsAppended`, one array per band.
    private var pending: [[Float]]

    /// Takes over `writer`, which must not have been written to yet.
    public init(_ writer: GeoTIFFWriter) {
        self.writer = writer
        pending = Array(repeating: [], count: writer.bandCount)
    }

    /// Rows of the raster.
    public var height: Int { writer.grid.height }
    /// Columns of the raster.
    public var width: Int { writer.grid.width }
    /// True once every row has been appended.
    public var isComplete: Bool { rowsAppended == height }

    /// Appends the next rows of every band: `bands[b]` holds band b + 1's values, row-major, a whole
    /// number of rows (the same number for every band) that must not run past the bottom.
    public func append(_ bands: [[Float]]) throws {
        precondition(
            bands.count == writer.bandCount,
            "GeoTIFFRowWriter.append: \(bands.count) bands for a \(writer.bandCount)-band raster")
        let count = bands[0].count
        precondition(count % width == 0, "GeoTIFFRowWriter.append: \(count) values are not whole rows of \(width)")
        precondition(bands.allSatisfy { $0.count == count }, "GeoTIFFRowWriter.append: bands of different lengths")
        let rows = count / width
        precondition(
            rowsAppended + rows <= height,
            "GeoTIFFRowWriter.append: rows \(rowsAppended)..<\(rowsAppended + rows) run past the \(height) rows")
        let tile = writer.profile.tileSize
        var offset = 0
        while offset < rows {
            // Fill the tile row being collected, then write it when it is complete.
            let tileEnd = min(pendingRow + tile, height)
            let take = min(rows - offset, tileEnd - rowsAppended)
            for b in 0..<bands.count {
                if pending[b].isEmpty { pending[b].reserveCapacity(width * (tileEnd - pendingRow)) }
                pending[b].append(contentsOf: bands[b][(offset * width)..<((offset + take) * width)])
            }
            offset += take
            rowsAppended += take
            if rowsAppended == tileEnd { try writePending(isLast: tileEnd == height) }
        }
    }

    /// Appends the next rows of a single-band raster.
    public func append(_ values: [Float]) throws {
        try append([values])
    }

    /// Completes the file (`GeoTIFFWriter.finish`); every row must have been appended.
    public func finish() throws {
        precondition(isComplete, "GeoTIFFRowWriter.finish after \(rowsAppended) of \(height) rows")
        try writer.finish()
    }

    /// Removes the temporary file (`GeoTIFFWriter.abort`). Idempotent.
    public func abort() {
        writer.abort()
        pending = Array(repeating: [], count: writer.bandCount)
    }

    private func writePending(isLast: Bool) throws {
        let window = PixelWindow(col: 0, row: pendingRow, width: width, height: rowsAppended - pendingRow)
        for b in 0..<pending.count {
            try writer.write(band: b + 1, window: window, values: pending[b])
            pending[b] = []
        }
        // The last row of tiles stays in GDAL's cache for finish(), as after a full-window write.
        if !isLast { try writer.flushBlocks() }
        pendingRow = rowsAppended
    }
}
