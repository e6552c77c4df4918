import Foundation
import RasterIO

/// Writes the stored tiles of each layer into one GeoTIFF per layer (then made cloud-optimised by the caller).
public enum MapAssembler {
    /// Nodata value of the map GeoTIFFs.
    public static let nodata: Float = -9999

    /// One Float32 GeoTIFF per layer at `paths[layer]`, tiles in plan order (so bytes do not depend on
    /// which process or shard computed a tile). Every tile must be in the store.
    public static func write(plan: MapPlan, store: TileStore, paths: [String], descriptions: [String], unit: String,
                             metadata: [String: String], progress: ((Int, Int) -> Void)? = nil) throws {
        precondition(paths.count == store.layers && descriptions.count == store.layers, "MapAssembler: one path per layer")
        let missing = store.missing(Array(plan.tiles.indices))
        if !missing.isEmpty {
            throw MappingError("\(missing.count) of \(plan.tiles.count) tiles are not predicted yet (first: tile \(missing[0])); run the missing shards, or run without --shard")
        }
        let writers = try paths.map {
            try GeoTIFFWriter(path: $0, grid: plan.grid, bandCount: 1, dataType: .float32, nodata: Double(nodata))
        }
        for (k, w) in writers.enumerated() {
            w.setDescription(band: 1, descriptions[k])
            w.setUnit(band: 1, unit)
            w.setMetadata(metadata)
        }
        for (t, window) in plan.tiles.enumerated() {
            let maps = try store.read(t, cells: window.cellCount)
            for (k, w) in writers.enumerated() {
                try w.write(band: 1, window: window, values: maps[k].map { $0.isFinite ? $0 : nodata })
            }
            progress?(t + 1, plan.tiles.count)
        }
        for w in writers { try w.finish() }
    }
}
