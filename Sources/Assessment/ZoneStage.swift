import Configuration
import Evaluation
import Foundation
import Inputs
import Patches
import RasterIO

/// `evaluate.zones`: the categorical raster whose classes break the cross-validated metrics down
/// by zone. The value names a covariate of the stack (read on the grid as the stack reads it) or,
/// failing that, a raster file (warped onto the grid by nearest neighbour). Zone labels are the
/// raster's class labels (raster attribute table or category names).
public enum ZoneStage {
    /// Where the zones come from, once resolved against the covariates.
    enum Resolved: Equatable {
        /// A covariate of the stack, by name.
        case covariate(String)
        /// Band 1 of a raster file.
        case file(String)
    }

    /// An error naming `evaluate.zones` at its place in the pipeline file.
    static func error(_ settings: AssessmentSettings, _ zones: ZoneSource, _ message: String) -> ConfigError {
        settings.errorAt("evaluate.zones", message)
    }

    /// A covariate name when one matches, else an existing raster file; an error naming the key
    /// otherwise (an unknown name suggests the closest covariate name).
    static func resolve(
        _ settings: AssessmentSettings, _ zones: ZoneSource, covariateNames: [String]
    ) throws -> Resolved {
        if covariateNames.contains(zones.text) { return .covariate(zones.text) }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: zones.path, isDirectory: &isFolder) {
            guard !isFolder.boolValue else {
                throw error(
                    settings, zones,
                    "'\(zones.text)' is a folder; give a covariate name or the path of one categorical raster")
            }
            return .file(zones.path)
        }
        let looksLikePath =
            zones.text.contains("/")
            || CovariateSources.rasterExtensions.contains((zones.text as NSString).pathExtension.lowercased())
        if looksLikePath {
            throw error(
                settings, zones,
                """
                raster '\(zones.path)' does not exist; check the path (relative to the pipeline file), or give \
                the name of a categorical covariate
                """
            )
        }
        var message = "'\(zones.text)' is neither a covariate nor a file"
        if let best = covariateNames.min(by: { editDistance($0, zones.text) < editDistance($1, zones.text) }),
            editDistance(best, zones.text) <= max(2, zones.text.count / 3)
        {
            message += "; did you mean '\(best)'?"
        } else {
            message += "; covariates: \(covariateNames.joined(separator: ", "))"
        }
        throw error(settings, zones, message + " (or give the path of a categorical raster)")
    }

    /// Checks `evaluate.zones` without reading a cell (for `validate`): the covariate is declared
    /// categorical or has a class table; a file opens, has a class table and transforms to the grid.
    public static func check(
        _ settings: AssessmentSettings, specs: [CovariateSpec], covariateNames: [String], grid: Grid
    ) throws -> String? {
        guard let zones = settings.evaluate?.zones else { return nil }
        switch try resolve(settings, zones, covariateNames: covariateNames) {
        case .covariate(let name):
            if let spec = specs.first(where: { $0.name == name }) {
                let declared = spec.kind
                let info = try? RasterDataset(path: spec.path).band(spec.band ?? 1)
                if declared == .continuous || (declared == nil && !(info?.isCategorical ?? false)) {
                    throw notCategorical(settings, zones, covariate: true)
                }
            }
            return "zones: covariate '\(name)' (categorical)"
        case .file(let path):
            let labels = try fileLabels(settings, zones, path: path, grid: grid)
            return "zones: '\(path)' with \(labels.count) classes"
        }
    }

    /// Checks `evaluate.zones` against the built stack before any training, so a wrong value stops
    /// the run at once: the covariate exists and is categorical, or the file is a categorical raster.
    public static func check(_ settings: AssessmentSettings, stack: CovariateStack) throws {
        guard let zones = settings.evaluate?.zones else { return }
        switch try resolve(settings, zones, covariateNames: stack.covariates.map(\.name)) {
        case .covariate(let name):
            guard stack.covariates.first(where: { $0.name == name })?.kind == .categorical else {
                throw notCategorical(settings, zones, covariate: true)
            }
        case .file(let path):
            _ = try fileLabels(settings, zones, path: path, grid: stack.grid)
        }
    }

    private static func notCategorical(
        _ settings: AssessmentSettings, _ zones: ZoneSource, covariate: Bool
    ) -> ConfigError {
        error(
            settings, zones,
            covariate
                ? """
                covariate '\(zones.text)' is continuous; zones need class codes: list it under \
                covariates.categorical (or give it a raster attribute table), or name a categorical covariate
                """
                : """
                raster '\(zones.path)' is not categorical (its band 1 has no raster attribute table or category \
                names); give it class labels (e.g. a .aux.xml attribute table) or name a categorical covariate
                """
        )
    }

    /// The class labels of band 1 of a zone file; errors name the key.
    private static func fileLabels(
        _ settings: AssessmentSettings, _ zones: ZoneSource, path: String, grid: Grid
    ) throws -> [Int: String] {
        let view: WarpedRaster
        do { view = try WarpedRaster(path: path, onto: grid, resampling: .nearest) } catch {
            throw self.error(settings, zones, "\(error)")
        }
        defer { view.close() }
        let info = try view.band(1)
        guard info.isCategorical, let table = info.attributeTable else {
            throw notCategorical(settings, zones, covariate: false)
        }
        return table
    }

    /// The zone of every site of `data` (nil where the zone raster is nodata at the site's cell) and
    /// the raster's labels.
    static func assignment(
        _ settings: AssessmentSettings, _ zones: ZoneSource, stack: CovariateStack, data: PatchDataset
    ) throws -> ZoneAssignment {
        let resolved = try resolve(settings, zones, covariateNames: stack.covariates.map(\.name))
        var labels: [Int: String] = [:]
        let read: (PixelWindow) throws -> RasterBlock
        var view: WarpedRaster?
        defer { view?.close() }
        switch resolved {
        case .covariate(let name):
            let k = stack.covariateIndex(named: name)!
            guard stack.covariates[k].kind == .categorical else {
                throw notCategorical(settings, zones, covariate: true)
            }
            for c in stack.covariates[k].classes { labels[c.value] = c.label }
            read = { try stack.readRaw(covariate: k, window: $0) }
        case .file(let path):
            labels = try fileLabels(settings, zones, path: path, grid: stack.grid)
            let opened: WarpedRaster
            do { opened = try WarpedRaster(path: path, onto: stack.grid, resampling: .nearest) } catch {
                throw self.error(settings, zones, "\(error)")
            }
            view = opened
            read = { try opened.read(band: 1, window: $0) }
        }
        var zoneOfSite: [String: Int?] = [:]
        for site in data.sites {
            let block = try read(PixelWindow(col: site.col, row: site.row, width: 1, height: 1))
            let value = block.values[0]
            zoneOfSite[site.id] = block.valid[0] && value.isFinite ? .some(Int(value.rounded())) : .some(nil)
        }
        return ZoneAssignment(source: zones.text, labels: labels, zoneOfSite: zoneOfSite)
    }
}
