import Foundation
import RasterIO

/// The tiling of a map: output windows of at most `tileSize` cells, each read with the model's halo
/// (the patch radius P/2, from `TrainedModel.halo`) on every side.
public struct MapPlan: Sendable, Equatable {
    /// The grid the maps are on.
    public let grid: Grid
    /// Tile edge in output cells.
    public let tileSize: Int
    /// Cells read beyond each tile's edge on every side (the model's patch radius).
    public let halo: Int
    /// Output windows in row-major order.
    public let tiles: [PixelWindow]

    /// Tiles a grid for a model that reads `halo` cells around each cell.
    public init(grid: Grid, tileSize: Int, halo: Int) {
        precondition(tileSize >= 1 && halo >= 0, "MapPlan: tile size must be positive and the halo not negative")
        self.grid = grid
        self.tileSize = tileSize
        self.halo = halo
        tiles = grid.tiles(size: tileSize)
    }

    /// The patch edge around each cell, 2 · halo + 1.
    public var patchSize: Int { 2 * halo + 1 }

    /// The tiles of shard `index` (0-based) of `count`: every `count`-th tile, so shards balance.
    public func tiles(shard index: Int, of count: Int) -> [Int] {
        precondition(count >= 1 && (0..<count).contains(index), "MapPlan: shard \(index) of \(count)")
        return tiles.indices.filter { $0 % count == index }
    }
}

/// A shard of a map run: `--shard 2/3` is index 1 of 3 (1-based on the command line).
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    /// 0-based index.
    public let index: Int
    /// Number of shards.
    public let count: Int

    /// Parses "i/n" with 1 <= i <= n.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let i = parts[0], let n = parts[1], n >= 1, (1...n).contains(i) else {
            throw MappingError("shard '\(text)' must be i/n with 1 <= i <= n, e.g. 2/3")
        }
        index = i - 1
        count = n
    }

    /// The whole map as one shard.
    public static let whole = try! Shard(parsing: "1/1")

    public var description: String { "\(index + 1)/\(count)" }
}
