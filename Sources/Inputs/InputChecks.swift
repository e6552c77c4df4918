import Configuration
import RasterIO
import SoilData
import TextFormat

/// What `socmap validate` checks of the data stages' inputs without running them: the covariate rasters,
/// the site CRS and the soil tables. Each returns one line per check passed and throws the first problem,
/// located in the pipeline file or naming the file.
public enum InputChecks {
    /// The covariates: every raster opens with GDAL, the reference grid is defined, and the stack's checks
    /// (`StackStage.check`) pass; the specs and the check for later stages (zones, stocks).
    public static func covariates(
        _ settings: InputSettings
    ) throws -> (lines: [String], specs: [CovariateSpec], check: CovariateStack.Check) {
        let specs = try CovariateSources.specs(for: settings)
        for spec in specs {
            do { try RasterDataset(path: spec.path).checkLastRows() } catch {
                throw StageError(stage: .validate, file: spec.path, message: "\(error)")
            }
        }
        let checked = try StackStage.check(settings).check
        let lines = [
            "\(specs.count) covariate rasters open with GDAL and read to their last row",
            "reference grid defined (\(checked.grid.width) x \(checked.grid.height) cells, north-up)",
            """
            \(checked.covariateNames.count) covariates with unique names, their bands present, north- or \
            south-up, CRSs transformable to the grid's
            """
        ]
        return (lines, specs, checked)
    }

    /// The site coordinates' CRS is one GDAL knows and transforms to `grid`'s; returns the line saying so.
    public static func siteCRS(_ settings: InputSettings, grid: Grid) throws -> String {
        let crs: CRS
        do { crs = try CRS(settings.sites.crs) } catch {
            throw settings.errorAt(
                "sites.crs", "'\(settings.sites.crs)' is not a CRS GDAL knows (\(error)); use e.g. EPSG:4326")
        }
        do { _ = try CoordinateTransformer(from: crs, to: grid.crs) } catch {
            throw settings.errorAt(
                "sites.crs",
                "\(error); give the CRS the site coordinates are in (e.g. EPSG:4326 for longitude/latitude)")
        }
        return "site coordinates transform from \(crs.name) to the grid's CRS"
    }

    /// Reads the sites and value tables as a run would (encoding, columns, repeated sites, depth units,
    /// valid range); returns one line per table.
    public static func tables(_ settings: InputSettings) throws -> [String] {
        var done: [String] = []
        let sites = try loadSites(
            path: settings.sites.file,
            columns: SiteColumns(id: settings.sites.idColumn, x: settings.sites.xColumn, y: settings.sites.yColumn))
        done.append("sites table read: \(sites.sites.count) sites" + issueText(sites.issues))
        let profiles = settings.profiles
        func rangeText(_ issues: DataIssues) -> String {
            guard let range = profiles.validRange else {
                return "no valid range for unit '\(profiles.unit)' (set profiles.valid_range)"
            }
            return "values outside \(range.description) skipped: \(issues.count(of: .outOfRange))"
        }
        switch profiles.source {
        case .horizons(let file, let columns, _):
            let h = try loadHorizons(path: file, columns: columns)
            try checkDepthUnits(h.horizons, depths: settings.depths, path: file, columns: columns)
            let deepest = h.horizons.map(\.bottom).max() ?? 0
            done.append(
                "horizon table read: \(h.horizons.count) horizons down to \(NumberText.compact(deepest)) cm"
                    + issueText(h.issues) + "; " + rangeText(h.issues))
        case .intervals(let file, let columns):
            let r = try loadIntervalValues(path: file, columns: columns, depths: settings.depths)
            done.append(
                "interval table read: \(r.profiles.count) sites" + issueText(r.issues) + "; " + rangeText(r.issues))
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
