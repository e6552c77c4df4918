import Foundation
import RasterIO

/// Writes the stored tiles of each layer into one GeoTIFF per layer (then made cloud-optimised by the caller).
public enum MapAssembler {
    /// Nodata value of the map GeoTIFFs.
    public static let nodata: Float = -9999

    /// One GeoTIFF per layer at `paths[layer]`, tiles in plan order (so bytes do not depend on
    /// which process or shard computed a tile). Every tile must be in the store. Layers are Float32
    /// with nodata -9999 in `unit` unless `formats` gives a layer another type, nodata or unit.
    public static func write(
        plan: MapPlan, store: TileStore, paths: [String], descriptions: [String], unit: String,
        metadata: [String: String], formats: [LayerFormat]? = nil,
        progress: ((Int, Int) -> Void)? = nil
    ) throws {
        precondition(
            paths.count == store.layers && descriptions.count == store.layers, "MapAssembler: one path per layer")
        let formats = formats ?? [LayerFormat](repeating: LayerFormat(), count: store.layers)
        precondition(formats.count == store.layers, "MapAssembler: one format per layer")
        let missing = store.missing(Array(plan.tiles.indices))
        if !missing.isEmpty {
            throw MappingError(
                """
                \(missing.count) of \(plan.tiles.count) tiles are not predicted yet (first: tile \(missing[0])); \
                run the missing shards, or run without --shard
                """
            )
        }
        let writers = try zip(paths, formats).map {
            try GeoTIFFWriter(
                path: $0, grid: plan.grid, bandCount: 1, dataType: $1.dataType, nodata: $1.nodata,
                profile: .intermediate)
        }
        for (k, w) in writers.enumerated() {
            w.setDescription(band: 1, descriptions[k])
            w.setUnit(band: 1, formats[k].unit ?? unit)
            w.setMetadata(metadata)
        }
        // The layers' files are written on Compute's workers, each file by one thread at a time
        // (GDAL handles are not shared); the staging files hold the same cells on any thread count.
        for (t, window) in plan.tiles.enumerated() {
            let maps = try store.read(t, cells: window.cellCount)
            try EachFile.run(writers.count) { k in
                let fill = Float(formats[k].nodata)
                try writers[k].write(band: 1, window: window, values: maps[k].map { $0.isFinite ? $0 : fill })
            }
            progress?(t + 1, plan.tiles.count)
        }
        try EachFile.run(writers.count) { k in try writers[k].finish() }
    }
}

/// How one map layer is stored: its data type, nodata value, unit (nil: the maps' unit) and overview resampling.
public struct LayerFormat: Sendable, Equatable {
    /// The GeoTIFF's data type.
    public var dataType: RasterDataType
    /// The nodata value.
    public var nodata: Double
    /// The band's unit; nil takes the unit of the maps.
    public var unit: String?
    /// GDAL's overview resampling for the COG ("AVERAGE" for values, "NEAREST" for classes).
    public var overviewResampling: String

    /// A format; the default is a Float32 map with nodata -9999, averaged overviews.
    public init(
        dataType: RasterDataType = .float32, nodata: Double = Double(MapAssembler.nodata), unit: String? = nil,
        overviewResampling: String = "AVERAGE"
    ) {
        self.dataType = dataType
        self.nodata = nodata
        self.unit = unit
        self.overviewResampling = overviewResampling
    }

    /// A mask of classes 0 and 1 stored as Byte, nodata 255, nearest-neighbour overviews.
    public static let mask = LayerFormat(dataType: .uint8, nodata: 255, unit: "", overviewResampling: "NEAREST")
}
