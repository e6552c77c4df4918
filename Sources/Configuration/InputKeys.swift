import Foundation
import SoilData
import TextFormat
import Workspace
import Yams

/// The top-level keys of the pipeline file (the sections are the other `…Keys` tables).
public enum RunKeys {
    static let version = Key(
        "version", .int, default: 1,
        Allowed(text: "1") { $0 == 1 ? nil : "this socmap reads pipeline version 1; found \($0)" },
        "format version of the file")
    static let name = Key(
        "name", .string, default: nil, defaultText: "the file's name",
        "name of the run, shown in reports")
    static let seed = Key(
        "seed", .int, default: 2025,
        Allowed(text: "0 or more") { $0 >= 0 ? nil : "seed must be zero or positive" },
        "seed of every random choice; the same seed gives the same bytes")
    static let output = Key(
        "output", .path, default: nil, defaultText: "out/<name>",
        "output folder, relative to the pipeline file")
    static let dataFolder = Key(
        "data_folder", .path, default: nil, defaultText: "the pipeline file's folder",
        Allowed(text: "an existing folder") {
            $0.isEmpty ? "give the folder that holds the input data, or remove the key" : nil
        }, "the folder relative input paths start from")
    static let depths = Key(
        "depths", depthList, default: DepthInterval.standard,
        Allowed(text: "in order, not overlapping") {
            if $0.isEmpty { return "list at least one depth interval" }
            for (a, b) in zip($0, $0.dropFirst()) where b.top < a.bottom {
                return "depth intervals must be in order and not overlap (\(a.label) then \(b.label))"
            }
            return nil
        }, "depth intervals in cm")

    /// Every top-level key.
    public static var all: [KeyDeclaration] { declarations(version, name, seed, output, dataFolder, depths) }

    private static var depthList: ValueType<[DepthInterval]> {
        ValueType(
            name: "list of depth intervals like \"0-5\"",
            read: { v in
                try v.list().map { item in
                    do { return try DepthInterval.parse(try item.string()) } catch let e as ConfigError {
                        throw e
                    } catch {
                        throw item.error("not a depth interval like '0-5' (cm): \(error)")
                    }
                }
            }, text: { listText($0.map { "\(NumberText.compact($0.top))-\(NumberText.compact($0.bottom))" }) })
    }
}

/// The keys of `covariates`.
public enum CovariatesKeys {
    static let raster = Key(
        "covariates.grid.raster", .path, default: nil, defaultText: "",
        "a raster whose grid is the reference grid (or crs, resolution and extent)")
    static let crs = Key(
        "covariates.grid.crs", .string, default: nil,
        "CRS of an explicit grid (EPSG code, WKT or PROJ)")
    static let resolution = Key(
        "covariates.grid.resolution", .double, default: nil,
        Allowed(text: "more than 0") {
            $0 > 0 ? nil : "resolution must be positive (in CRS units)"
        },
        "cell size of an explicit grid, in CRS units")
    static let extent = Key(
        "covariates.grid.extent", .doubles, default: nil,
        Allowed(text: "min < max") {
            $0.count == 4 && $0[0] < $0[2] && $0[1] < $0[3]
                ? nil : "extent must be [min_x, min_y, max_x, max_y] with min < max"
        }, "[min_x, min_y, max_x, max_y] of an explicit grid")
    static let files = Key(
        "covariates.files",
        ValueType<String>(name: "list of paths or mappings", read: { try $0.string() }, text: { $0 }),
        default: nil, required: true, "covariate files, globs or folders")
    static let path = Key(
        "covariates.files[].path", .path, default: nil, required: true,
        "a raster file, glob or folder")
    static let name = Key(
        "covariates.files[].name", .string, default: nil, defaultText: "the file name",
        "covariate name (a single file only)")
    static let band = Key(
        "covariates.files[].band", .int, default: nil, defaultText: "every band",
        Allowed(text: "1 or more") { $0 >= 1 ? nil : "bands are numbered from 1" }, "one band")
    static let kind = Key(
        "covariates.files[].kind", .string, default: "auto",
        Allowed(text: "continuous, categorical, auto") {
            ["continuous", "categorical", "auto"].contains($0)
                ? nil : "kind must be continuous, categorical or auto, found '\($0)'"
        }, "categorical: one channel per class; auto: categorical when the band has a class table")
    static let nodata = Key(
        "covariates.files[].nodata", .nodata, default: nil, defaultText: "the file's",
        "nodata value replacing the file's own")
    static let categorical = Key("covariates.categorical", .texts, default: [], "covariates to treat as categorical")
    static let tileSize = Key(
        "covariates.tile_size", .int, default: 512, .range(32...8192),
        "tile edge in cells for reading the stack")

    /// Every key of `covariates`.
    public static var all: [KeyDeclaration] {
        declarations(raster, crs, resolution, extent, files, path, name, band, kind, nodata, categorical, tileSize)
    }
}

/// The keys of `sites`.
public enum SitesKeys {
    static let file = Key("sites.file", .path, default: nil, required: true, "survey sites CSV")
    static let idColumn = Key("sites.id_column", .string, default: "site_id", "site id column")
    static let xColumn = Key("sites.x_column", .string, default: "lon", "x (longitude) column")
    static let yColumn = Key("sites.y_column", .string, default: "lat", "y (latitude) column")
    static let crs = Key("sites.crs", .string, default: "EPSG:4326", "CRS of the x/y columns")

    /// Every key of `sites`.
    public static var all: [KeyDeclaration] { declarations(file, idColumn, xColumn, yColumn, crs) }
}

/// The keys of `profiles`.
public enum ProfilesKeys {
    static let property = Key(
        "profiles.property", .string, default: "SOC",
        "property name, used in reports and map names")
    static let unit = Key("profiles.unit", .string, default: "g/kg", "unit after value_scale")
    static let validRange = Key(
        "profiles.valid_range", .doubles, default: nil, defaultText: "by unit",
        Allowed(text: "[min, max], min < max") {
            $0.count == 2 && $0[0] < $0[1]
                ? nil
                : "valid_range must be [min, max] with min < max, "
                    + "in the unit after value_scale (e.g. [0, 1000] for g/kg)"
        }, "plausible values; others are skipped and counted")
    static let horizonsFile = Key("profiles.horizons.file", .path, default: nil, required: true, "horizon table CSV")
    static let horizonsId = Key("profiles.horizons.id_column", .string, default: "site_id", "site id column")
    static let top = Key("profiles.horizons.top_column", .string, default: "top", "horizon top depth column")
    static let bottom = Key(
        "profiles.horizons.bottom_column", .string, default: "bottom", "horizon bottom depth column")
    static let valueColumn = Key(
        "profiles.horizons.value_column", .string, default: nil, required: true, "value column")
    static let horizonsScale = scale(
        "profiles.horizons.value_scale", example: "0.1 to turn g/kg into %",
        "multiplies every value")
    static let depthScale = scale(
        "profiles.horizons.depth_scale", example: "100 for depths in metres",
        "multiplies every depth to give cm")
    static let lambda = Key(
        "profiles.spline.lambda", .double, default: SplineOptions().lambda, .range(0...1000),
        "equal-area spline smoothing")
    static let min = Key(
        "profiles.spline.min", .double, default: SplineOptions().minValue,
        "lowest value of the spline (below max)")
    static let max = Key(
        "profiles.spline.max", .double, default: SplineOptions().maxValue,
        "highest value of the spline")
    static let intervalsFile = Key(
        "profiles.intervals.file", .path, default: nil, required: true,
        "table of values per depth interval")
    static let intervalsId = Key("profiles.intervals.id_column", .string, default: "site_id", "site id column")
    static let columns = Key(
        "profiles.intervals.columns", .texts, default: nil, required: true,
        "one column per depth interval")
    static let intervalsScale = scale(
        "profiles.intervals.value_scale", example: "0.1 to turn g/kg into %",
        "multiplies every value")

    /// Every key of `profiles`.
    public static var all: [KeyDeclaration] {
        declarations(
            property, unit, validRange, horizonsFile, horizonsId, top, bottom, valueColumn, horizonsScale,
            depthScale, lambda, min, max, intervalsFile, intervalsId, columns, intervalsScale)
    }

    /// A scale factor: 1 when absent, else a finite number > 0.
    private static func scale(_ path: String, example: String, _ doc: String) -> Key<Double> {
        let name = path.split(separator: ".").last.map(String.init) ?? path
        return Key(
            path, .double, default: 1,
            Allowed(text: "more than 0") {
                $0 > 0
                    ? nil : "\(name) must be a number greater than 0 (e.g. \(example)), found \(NumberText.compact($0))"
            }, doc)
    }
}

/// The keys of `patches`.
public enum PatchesKeys {
    static let size = Key(
        "patches.size", .int, default: 13,
        Allowed(text: "odd, 3 to 255") {
            $0 % 2 == 1 && (3...255).contains($0)
                ? nil : "patch size must be odd and between 3 and 255 cells, found \($0)"
        }, "patch edge P in cells")
    static let file = Key(
        "patches.file", .string, default: OutputLayout.defaultPatchesFile,
        Allowed(text: "a plain file name") {
            OutputLayout.problem(withPlainName: $0, reservedToo: true).map { "the patch file name \($0)" }
        }, "file name of the patch data set in the output folder")
    static let pool = Key(
        "patches.pool", .int, default: 3, .range(1...9), deprecated: true,
        "deprecated: train.network.pool")

    /// Every key of `patches`.
    public static var all: [KeyDeclaration] { declarations(size, file, pool) }
}
