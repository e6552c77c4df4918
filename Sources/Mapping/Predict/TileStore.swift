import FileIO
import Foundation

/// Finished tiles on disk, one file per tile, so an interrupted run resumes where it stopped and
/// shards written by several processes can be merged. A manifest ties the folder to one run
/// (`TileManifest`: grid, tiling, models, depths): a folder from another run is refused, never mixed in.
public final class TileStore {
    /// The folder holding the tiles.
    public let folder: String
    /// Number of maps per tile (depths, plus uncertainty layers).
    public let layers: Int

    /// Opens (or creates) the tile folder for the run `manifest` describes; a folder holding the
    /// tiles of another run (a manifest not equal to this one) is refused.
    public init(folder: String, layers: Int, manifest: TileManifest) throws {
        self.folder = folder
        self.layers = layers
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        if let existing = try TileManifest.read(folder: folder) {
            guard existing == manifest else {
                throw MappingError(
                    """
                    the tile folder '\(folder)' holds tiles of another run (different grid, models or \
                    settings); delete it or pass --overwrite
                    """
                )
            }
        } else {
            try AtomicFile.write(
                try manifest.json(), to: (folder as NSString).appendingPathComponent(TileManifest.fileName))
        }
    }

    /// Whether `folder` is absent, or holds the tiles of the run `manifest` describes.
    public static func matches(folder: String, manifest: TileManifest) -> Bool {
        guard FileManager.default.fileExists(atPath: folder) else { return true }
        guard let existing = try? TileManifest.read(folder: folder) else { return false }
        return existing == manifest
    }

    func path(_ tile: Int) -> String {
        (folder as NSString).appendingPathComponent(String(format: "tile_%06d.f32", tile))
    }

    /// Whether a tile is complete (tiles are renamed into place only when fully written).
    public func has(_ tile: Int) -> Bool { FileManager.default.fileExists(atPath: path(tile)) }

    /// Stores the maps of a tile (`layers` arrays of equal length) atomically.
    public func write(_ tile: Int, maps: [[Float]]) throws {
        precondition(maps.count == layers, "TileStore: \(maps.count) maps for \(layers) layers")
        var data = Data(capacity: maps.reduce(0) { $0 + $1.count * 4 })
        for m in maps { m.withUnsafeBytes { data.append(contentsOf: $0) } }
        let target = path(tile)
        do {
            try AtomicFile.write(data, to: target)
        } catch let e as FileWriteError {
            throw MappingError("cannot write tile file '\(target)': \(e.message)")
        }
    }

    /// Reads the maps of a tile of `cells` cells per layer.
    public func read(_ tile: Int, cells: Int) throws -> [[Float]] {
        guard let data = FileManager.default.contents(atPath: path(tile)), data.count == layers * cells * 4 else {
            throw MappingError(
                "tile file '\(path(tile))' is missing or has the wrong size; run the missing shards again")
        }
        return data.withUnsafeBytes { raw in
            (0..<layers).map { l in
                Array(
                    UnsafeBufferPointer(
                        start: raw.baseAddress!.assumingMemoryBound(to: Float.self) + l * cells, count: cells))
            }
        }
    }

    /// Tiles of `all` not yet stored.
    public func missing(_ all: [Int]) -> [Int] { all.filter { !has($0) } }
}
