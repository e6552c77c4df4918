import Foundation
import RasterIO
import SoilData

/// Checks a pipeline without running it: its keys, its files, its CRSs and its CSV columns.
public enum PipelineValidator {
    /// Returns one line per check passed; throws the first problem, located in the file.
    public static func validate(_ config: PipelineConfig) throws -> [String] {
        var done: [String] = []
        let specs = try CovariateSources.specs(for: config)
        for spec in specs {
            do { _ = try RasterDataset(path: spec.path) } catch {
                throw PipelineError(stage: "validate", file: spec.path, message: "\(error)")
            }
        }
        done.append("\(specs.count) covariate rasters open with GDAL")
        let checked = try StackStage.check(config).check
        done.append("reference grid defined (\(checked.grid.width) x \(checked.grid.height) cells, north-up)")
        done.append("\(checked.covariateNames.count) covariates with unique names, their bands present, north- or south-up, CRSs transformable to the grid's")
        do { _ = try CRS(config.sites.crs) } catch {
            throw ConfigError(file: config.file, key: "sites.crs", line: nil, column: nil,
                              message: "'\(config.sites.crs)' is not a CRS GDAL knows (\(error)); use e.g. EPSG:4326")
        }
        let sites = try CSVTable(path: config.sites.file)
        _ = try sites.column(config.sites.idColumn, role: "site id column, key sites.id_column")
        _ = try sites.column(config.sites.xColumn, role: "site x column, key sites.x_column")
        _ = try sites.column(config.sites.yColumn, role: "site y column, key sites.y_column")
        done.append("sites table has its columns (\(sites.rows.count) rows)")
        switch config.profiles.source {
        case let .horizons(file, columns, _):
            let t = try CSVTable(path: file)
            _ = try t.column(columns.id, role: "site id column, key profiles.horizons.id_column")
            _ = try t.column(columns.top, role: "horizon top column, key profiles.horizons.top_column")
            _ = try t.column(columns.bottom, role: "horizon bottom column, key profiles.horizons.bottom_column")
            _ = try t.column(columns.value, role: "value column, key profiles.horizons.value_column")
            done.append("horizon table has its columns (\(t.rows.count) rows)")
        case let .intervals(file, columns):
            let t = try CSVTable(path: file)
            _ = try t.column(columns.id, role: "site id column, key profiles.intervals.id_column")
            for c in columns.columns { _ = try t.column(c, role: "interval column, key profiles.intervals.columns") }
            done.append("interval table has its columns (\(t.rows.count) rows)")
        }
        done.append("patch size \(config.patches.size), pool \(config.patches.pool) and kernel \(config.train?.settings.kernelSize ?? 3) make a network")
        done += try PreflightChecks.run(config)
        return done
    }
}
