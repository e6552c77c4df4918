import Assessment
import Cartography
import Configuration
import Foundation
import Inputs
import RasterIO
import SoilData

/// Checks a pipeline without running it: its keys, its files, its CRSs and its CSV columns.
public enum PipelineValidator {
    /// Returns one line per check passed; throws the first problem, located in the file.
    public static func validate(_ config: PipelineConfig) throws -> [String] {
        var done: [String] = []
        let specs = try CovariateSources.specs(for: InputSettings(config))
        for spec in specs {
            do { _ = try RasterDataset(path: spec.path) } catch {
                throw StageError(stage: .validate, file: spec.path, message: "\(error)")
            }
        }
        done.append("\(specs.count) covariate rasters open with GDAL")
        let checked = try StackStage.check(InputSettings(config)).check
        done.append("reference grid defined (\(checked.grid.width) x \(checked.grid.height) cells, north-up)")
        done.append(
            "\(checked.covariateNames.count) covariates with unique names, their bands present, north- or south-up, CRSs transformable to the grid's"
        )
        if let zones = try ZoneStage.check(
            config, specs: specs, covariateNames: checked.covariateNames, grid: checked.grid)
        {
            done.append(zones)
        }
        let siteCRS: CRS
        do { siteCRS = try CRS(config.sites.crs) } catch {
            throw config.error(
                at: "sites.crs", "'\(config.sites.crs)' is not a CRS GDAL knows (\(error)); use e.g. EPSG:4326")
        }
        do { _ = try CoordinateTransformer(from: siteCRS, to: checked.grid.crs) } catch {
            throw config.error(
                at: "sites.crs",
                "\(error); give the CRS the site coordinates are in (e.g. EPSG:4326 for longitude/latitude)")
        }
        done += try ProfileStage.check(config, grid: checked.grid)
        done.append("site coordinates transform from \(siteCRS.name) to the grid's CRS")
        done += try validateTables(config)
        if let s = config.train?.settings {
            done.append(
                "patch size \(config.patches.size), pool \(s.poolSize) and kernel \(s.kernelSize) make a network")
        }
        done += try PreflightChecks.run(InputSettings(config))
        return done
    }

    /// Reads the sites and value tables as a run would (encoding, columns, repeated sites, depth units,
    /// valid range); returns one line per table.
    static func validateTables(_ config: PipelineConfig) throws -> [String] {
        var done: [String] = []
        let sites = try loadSites(
            path: config.sites.file,
            columns: SiteColumns(
                id: config.sites.idColumn, x: config.sites.xColumn, y: config.sites.yColumn))
        done.append("sites table read: \(sites.sites.count) sites" + issueText(sites.issues))
        func rangeText(_ issues: DataIssues) -> String {
            guard let range = config.profiles.validRange else {
                return "no valid range for unit '\(config.profiles.unit)' (set profiles.valid_range)"
            }
            return "values outside \(range.description) skipped: \(issues.count(of: .outOfRange))"
        }
        switch config.profiles.source {
        case .horizons(let file, let columns, _):
            let h = try loadHorizons(path: file, columns: columns)
            try checkDepthUnits(h.horizons, depths: config.depths, path: file, columns: columns)
            let deepest = h.horizons.map(\.bottom).max() ?? 0
            done.append(
                "horizon table read: \(h.horizons.count) horizons down to \(fmt(deepest)) cm"
                    + issueText(h.issues) + "; " + rangeText(h.issues))
        case .intervals(let file, let columns):
            let r = try loadIntervalValues(path: file, columns: columns, depths: config.depths)
            done.append(
                "interval table read: \(r.profiles.count) sites" + issueText(r.issues)
                    + "; " + rangeText(r.issues))
        }
        return done
    }

    /// " (3 rows skipped or repaired, listed in the run report)" or "".
    private static func issueText(_ issues: DataIssues) -> String {
        issues.isEmpty
            ? ""
            : " (" + issues.counts.map { "\($0.count) \($0.kind.rawValue)" }.joined(separator: ", ")
                + ", listed in the run report)"
    }
}
