import FileIO
import Foundation

/// Finished tiles on disk, one file per tile, so an interrupted run resumes where it stopped and
/// shards written by several processes can be merged. A manifest ties the folder to one run
/// (`TileManifest`: grid, tiling, models, depths): a folder from another run is refused, never mixed in.
/// Each tile carries its SHA-256 (`FileIO.Checksums`), written when the tile is complete and verified
/// before it is reused or read: a damaged tile is never assembled into a map.
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

    /// The folder of a tile (`tile_000042`): its maps (`maps.f32`) and their checksum (`SHA256SUMS`).
    public func tileFolder(_ tile: Int) -> String {
        (folder as NSString).appendingPathComponent(String(format: "tile_%06d", tile))
    }

    /// The file of a tile's maps inside its folder.
    static let mapsFile = "maps.f32"

    func path(_ tile: Int) -> String { (tileFolder(tile) as NSString).appendingPathComponent(Self.mapsFile) }

    /// Whether a tile is stored, complete and intact (tiles appear only when fully written, with their
    /// checksum; a damaged one counts as not stored and is predicted again).
    public func has(_ tile: Int) -> Bool { exists(tile) && damage(tile) == nil }

    /// Whether anything is stored under a tile, intact or not.
    public func exists(_ tile: Int) -> Bool { FileManager.default.fileExists(atPath: tileFolder(tile)) }

    /// Why the stored tile cannot be used (its checksum does not verify: bytes changed, truncated, or the
    /// checksum missing), or nil when it is intact or absent.
    public func damage(_ tile: Int) -> String? {
        guard exists(tile) else { return nil }
        if case .damaged(let reason) = Checksums.verify(in: tileFolder(tile), required: [Self.mapsFile]) {
            return reason
        }
        return nil
    }

    /// Stores the maps of a tile (`layers` arrays of equal length): written with their checksum into a
    /// hidden folder, renamed into place when complete (a damaged tile of the same number is replaced).
    public func write(_ tile: Int, maps: [[Float]]) throws {
        precondition(maps.count == layers, "TileStore: \(maps.count) maps for \(layers) layers")
        var data = Data(capacity: maps.reduce(0) { $0 + $1.count * 4 })
        for m in maps { m.withUnsafeBytes { data.append(contentsOf: $0) } }
        let fm = FileManager.default
        let target = tileFolder(tile)
        let partial = (folder as NSString).appendingPathComponent(
            String(format: ".tile_%06d.partial-%d", tile, ProcessInfo.processInfo.processIdentifier))
        do {
            try? fm.removeItem(atPath: partial)
            try fm.createDirectory(atPath: partial, withIntermediateDirectories: false)
            try AtomicFile.write(data, to: (partial as NSString).appendingPathComponent(Self.mapsFile))
            try Checksums.write(in: partial, files: [Self.mapsFile])
            // A damaged tile in the way goes first; a kill between the two steps leaves the tile
            // missing, and it is predicted again.
            if fm.fileExists(atPath: target) { try fm.removeItem(atPath: target) }
            try fm.moveItem(atPath: partial, toPath: target)
        } catch let e as FileWriteError {
            throw MappingError("cannot write tile file '\(e.path)': \(e.message)")
        } catch {
            throw MappingError(
                "cannot write tile \(tile) ('\(target)'): \(SystemError.reason(error))",
                hint: "Check the output folder's permissions and free space")
        }
    }

    /// Reads the maps of a tile of `cells` cells per layer once its checksum verifies; a missing or
    /// damaged tile is an error naming it, never read.
    public func read(_ tile: Int, cells: Int) throws -> [[Float]] {
        if let reason = damage(tile) {
            throw MappingError(
                "tile \(tile) is damaged (\(reason))", path: tileFolder(tile),
                hint: "Predict it again: run the same `socmap predict` without --merge")
        }
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

    /// The file recording how many shards predict into the folder (`socmap predict --shard i/n`).
    static let shardsFile = "shards"

    /// Records that the tiles are predicted by `count` shards, so a merge can name the shard of a tile.
    public func recordShards(_ count: Int) throws {
        let path = (folder as NSString).appendingPathComponent(Self.shardsFile)
        guard shards != count else { return }
        do { try AtomicFile.write("\(count)\n", to: path) } catch let e as FileWriteError {
            throw MappingError("cannot write '\(e.path)': \(e.message)")
        }
    }

    /// The number of shards the tiles were last predicted by (nil: not recorded, whole runs).
    public var shards: Int? {
        let path = (folder as NSString).appendingPathComponent(Self.shardsFile)
        guard let data = FileManager.default.contents(atPath: path),
            let n = Int(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)),
            n >= 1
        else { return nil }
        return n
    }

    /// Tiles of `all` not yet stored, or damaged (to be predicted again).
    public func missing(_ all: [Int]) -> [Int] { all.filter { !has($0) } }
}
