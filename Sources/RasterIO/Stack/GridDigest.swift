import FileIO
import Foundation

/// SHA-256 of one covariate's values on the reference grid: each row's values (little-endian Float32,
/// NaN where the cell has no data) hashed left to right, then the rows' digests hashed top to bottom.
/// It is what a model reads of the covariate, so it changes when the data do and not when only the
/// file's path, format or compression does; and it does not depend on the tile size the grid is read
/// in, as long as tiles come row band by row band, left to right (`Grid.tiles`).
struct GridDigest {
    private var whole = SHA256Hasher()
    /// The rows of the current band of tiles.
    private var rows: [SHA256Hasher] = []
    private var bandTop = -1

    /// Adds a block read in `Grid.tiles` order.
    mutating func add(_ block: RasterBlock) {
        let window = block.window
        if window.row != bandTop {
            flush()
            bandTop = window.row
            rows = Array(repeating: SHA256Hasher(), count: window.height)
        }
        precondition(rows.count == window.height, "GridDigest: blocks of one band must have the same height")
        var row = [Float](repeating: .nan, count: window.width)
        for r in 0..<window.height {
            let start = r * window.width
            for c in 0..<window.width { row[c] = block.valid[start + c] ? block.values[start + c] : .nan }
            row.withUnsafeBytes { rows[r].update(raw: $0) }
        }
    }

    /// The digest as 64 hex digits.
    mutating func finish() -> String {
        flush()
        return whole.hexDigest()
    }

    private mutating func flush() {
        for row in rows { whole.update(row.hexDigest()) }
        rows = []
    }
}
