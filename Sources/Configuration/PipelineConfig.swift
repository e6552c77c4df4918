import Foundation
import Mapping
import SoilData

/// A parsed pipeline file: every path absolute, every default filled in.
public struct PipelineConfig: Sendable {
    /// Absolute path of the YAML file.
    public var file: String
    /// Folder that relative paths in the file are resolved against.
    public var baseDirectory: String
    /// Run name shown in reports.
    public var name: String
    /// Seed of every random choice in the run.
    public var seed: UInt64
    /// Output folder (absolute).
    public var output: String
    /// Covariate stack settings.
    public var covariates: CovariatesConfig
    /// Survey sites.
    public var sites: SitesConfig
    /// Soil property values: horizons or per-interval values.
    public var profiles: ProfilesConfig
    /// Standard depth intervals.
    public var depths: [DepthInterval]
    /// Patch extraction settings.
    public var patches: PatchesConfig
    /// Model training (nil: the run stops after the patches).
    public var train: TrainConfig?
    /// Covariate selection before evaluation and training (nil: every covariate is used).
    public var select: SelectConfig? = nil
    /// Cross-validation (nil: no evaluation).
    public var evaluate: EvaluateConfig?
    /// Maps (nil: no maps).
    public var predict: PredictConfig?
    /// Carbon stocks from the maps (nil: none; needs `predict`).
    public var stocks: StocksConfig? = nil
    /// Notes on the file that do not stop it (a deprecated key, with file, line and column); the CLI prints them.
    public var warnings: [String] = []
    /// Where each key the file gives stands, by key path: `error(at:_:)` names it after loading.
    public var positions: [String: KeyPosition] = [:]
}

/// Where the reference grid comes from.
public enum GridConfig: Sendable, Equatable {
    /// The grid of a named raster.
    case raster(path: String)
    /// An explicit CRS, cell size and extent.
    case explicit(crs: String, resolution: Double, extent: [Double])
}

/// One covariate source: a file, a glob or a folder.
public struct CovariateSourceConfig: Sendable, Equatable {
    /// The path as written (absolute after resolution).
    public var path: String
    /// Name override (only for a single file).
    public var name: String?
    /// Band to use (nil: every band).
    public var band: Int?
    /// `continuous`, `categorical`, or nil for automatic.
    public var kind: String?
    /// Nodata value replacing the files' own (nil: the files' own, if any).
    public var nodata: Double? = nil
    /// Line in the pipeline file, for errors.
    public var line: Int?
}

/// Covariate stack settings.
public struct CovariatesConfig: Sendable {
    /// Reference grid.
    public var grid: GridConfig
    /// Sources in order.
    public var sources: [CovariateSourceConfig]
    /// Covariate names declared categorical.
    public var categorical: [String]
    /// Tile edge in cells for reading the stack.
    public var tileSize: Int
}

/// Survey sites CSV.
public struct SitesConfig: Sendable {
    /// CSV path.
    public var file: String
    /// Site id column.
    public var idColumn: String
    /// X (longitude) column.
    public var xColumn: String
    /// Y (latitude) column.
    public var yColumn: String
    /// CRS of the coordinates.
    public var crs: String
}

/// Soil values: a horizon table harmonised by spline, or values per interval.
public enum ProfilesSource: Sendable {
    /// A horizon table.
    case horizons(file: String, columns: HorizonColumns, spline: SplineOptions)
    /// Values per depth interval.
    case intervals(file: String, columns: IntervalColumns)
}

/// The soil property being mapped.
public struct ProfilesConfig: Sendable {
    /// Property name, e.g. SOC.
    public var property: String
    /// Unit after scaling, e.g. g/kg.
    public var unit: String
    /// The values.
    public var source: ProfilesSource

    /// Plausible values (profiles.valid_range or the unit's default); nil: any finite value.
    public var validRange: ValidRange? {
        switch source {
        case .horizons(_, let columns, _): return columns.validRange
        case .intervals(_, let columns): return columns.validRange
        }
    }

    /// The horizon or interval table.
    public var file: String {
        switch source {
        case .horizons(let file, _, _), .intervals(let file, _): return file
        }
    }
}

/// Patch extraction settings. The network's kernel and pool, which the patch size must fit, are
/// `train.network` settings (`ModelSettings`).
public struct PatchesConfig: Sendable {
    /// Patch edge P (odd).
    public var size: Int
    /// Output file name inside the output folder.
    public var file: String
}

/// The `stocks` section: SOC stocks (t/ha) per depth interval and summed to 0-30 and 0-100 cm, from the
/// SOC maps, a bulk density raster and coarse fragments (`Mapping.CarbonStock`).
public struct StocksConfig: Sendable, Equatable {
    /// The bulk density raster (absolute path), warped onto the grid.
    public var bulkDensity: String
    /// Its unit (`stocks.bulk_density_unit`).
    public var bulkDensityUnit: CarbonStock.BulkDensityUnit
    /// A constant volume fraction (default 0) or a raster (`stocks.coarse_fragments`), as a fraction after
    /// `stocks.coarse_fragments_unit` for a constant.
    public var coarseFragments: ProfileProducts.CoarseFragments
    /// The unit of the SOC maps (`profiles.unit`, g/kg or %).
    public var socUnit: CarbonStock.SOCUnit
    /// Nodata value replacing the bulk density raster's own (`stocks.bulk_density.nodata`; nil: the file's).
    public var bulkDensityNodata: Double? = nil
    /// Nodata value replacing the coarse-fragment raster's own (`stocks.coarse_fragments.nodata`; nil: the file's).
    public var coarseFragmentsNodata: Double? = nil
}

extension PipelineConfig {
    /// The cells of an explicit grid (`covariates.grid.resolution` over `extent`); an error naming the
    /// key when there are more than a raster can hold.
    public static func explicitGridSize(
        resolution: Double, extent e: [Double], file: String
    ) throws -> (width: Int, height: Int) {
        let w = ((e[2] - e[0]) / resolution).rounded(.up)
        let h = ((e[3] - e[1]) / resolution).rounded(.up)
        let limit = Double(Int32.max)
        guard w.isFinite, h.isFinite, w <= limit, h <= limit, w * h <= 1e12 else {
            throw ConfigError(
                file: file, key: "covariates.grid.resolution", line: nil, column: nil,
                message: """
                    resolution \(resolution) over the extent gives \
                    \(w.isFinite ? String(format: "%.3g", w) : "infinitely many") x \
                    \(h.isFinite ? String(format: "%.3g", h) : "infinitely many") cells, more than a raster can \
                    hold; give the cell size in the grid CRS's units (metres for a projected CRS, degrees for \
                    EPSG:4326)
                    """)
        }
        return (max(1, Int(w)), max(1, Int(h)))
    }

}
