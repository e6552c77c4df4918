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
