import Configuration
import Foundation
import Patches
import RasterIO
import SoilData

/// Sites in the stack CRS and their values at the depth intervals, with every issue counted.
public struct ProfilesResult: Sendable {
    /// Sites located in the stack CRS.
    public var sites: [LocatedSite]
    /// Sites whose coordinates PROJ could not transform (id, CSV line).
    public var untransformable: [(id: String, line: Int)]
    /// Values per site and depth interval.
    public var profiles: [SiteProfile]
    /// Issues met in the sites table.
    public var siteIssues: DataIssues
    /// Issues met in the horizon or interval table and while harmonising.
    public var valueIssues: DataIssues
    /// Horizons read (0 for interval input).
    public var horizonCount: Int
}

/// The sites and value tables, read and checked before any raster is opened.
struct ProfileTables {
    /// Sites as read (source CRS) and the issues met in the sites table.
    var sites: (sites: [Site], issues: DataIssues)
    /// Values per site and depth interval.
    var profiles: [SiteProfile]
    /// Issues met in the horizon or interval table and while harmonising.
    var issues: DataIssues
    /// Horizons read (0 for interval input).
    var horizonCount: Int
    /// Spline lambda for the note, nil for interval input.
    var lambda: Double?
}

/// Loads sites and soil values and brings them to the stack CRS and the depth intervals.
enum ProfilesStage {
    /// Reads the sites and value tables and harmonises horizons; depths that look like metres are an error here,
    /// before any work on rasters.
    static func read(_ settings: InputSettings) throws -> ProfileTables {
        let sites = try loadSites(
            path: settings.sites.file,
            columns: SiteColumns(id: settings.sites.idColumn, x: settings.sites.xColumn, y: settings.sites.yColumn))
        switch settings.profiles.source {
        case .horizons(let file, let columns, let spline):
            let h = try loadHorizons(path: file, columns: columns)
            try checkDepthUnits(h.horizons, depths: settings.depths, path: file, columns: columns)
            var issues = h.issues
            let profiles = harmonise(
                h.horizons, depths: settings.depths, options: spline, source: file, issues: &issues)
            return ProfileTables(
                sites: sites, profiles: profiles, issues: issues, horizonCount: h.horizons.count,
                lambda: spline.lambda)
        case .intervals(let file, let columns):
            let r = try loadIntervalValues(path: file, columns: columns, depths: settings.depths)
            return ProfileTables(sites: sites, profiles: r.profiles, issues: r.issues, horizonCount: 0, lambda: nil)
        }
    }

    /// Reads the tables (`read`) and locates the sites in the stack CRS.
    static func run(_ settings: InputSettings, stackCRS: CRS, observer: StageObserver) throws -> ProfilesResult {
        try run(settings, tables: try read(settings), stackCRS: stackCRS, observer: observer)
    }

    /// Locates the sites of tables read by `read` in the stack CRS.
    static func run(
        _ settings: InputSettings, tables: ProfileTables, stackCRS: CRS,
        observer: StageObserver
    ) throws -> ProfilesResult {
        observer.stageStarted("profiles")
        let loaded = tables.sites
        let siteCRS: CRS
        do { siteCRS = try CRS(settings.sites.crs) } catch {
            throw settings.errorAt(
                "sites.crs", "'\(settings.sites.crs)' is not a CRS GDAL knows (\(error)); use e.g. EPSG:4326")
        }
        let transformer = try CoordinateTransformer(from: siteCRS, to: stackCRS)
        let points = transformer.transform(loaded.sites.map { (x: $0.x, y: $0.y) })
        var located: [LocatedSite] = []
        var failed: [(id: String, line: Int)] = []
        for (site, p) in zip(loaded.sites, points) {
            guard let p else {
                failed.append((site.id, site.line))
                continue
            }
            located.append(LocatedSite(id: site.id, x: p.x, y: p.y, sourceX: site.x, sourceY: site.y, line: site.line))
        }
        if located.isEmpty {
            throw StageError(
                stage: .profiles, file: settings.sites.file,
                message:
                    """
                    no site coordinate could be transformed from \(siteCRS.name) to \(stackCRS.name); check \
                    sites.crs and the x/y columns
                    """
            )
        }
        observer.note(
            sitesNote(
                read: loaded.sites.count, untransformable: failed.count, issues: loaded.issues,
                file: settings.sites.file))
        if let lambda = tables.lambda {
            observer.note(
                """
                horizons: \(tables.horizonCount) harmonised to \(settings.depths.count) depth intervals by \
                equal-area spline (lambda \(lambda))
                """
            )
        }
        return ProfilesResult(
            sites: located, untransformable: failed, profiles: tables.profiles, siteIssues: loaded.issues,
            valueIssues: tables.issues, horizonCount: tables.horizonCount)
    }

    /// "sites: 24 read from sites.csv (48 repeated rows; 1 row skipped, see the report); 2 with coordinates
    /// that could not be transformed": every site read is counted, located or not.
    static func sitesNote(read: Int, untransformable: Int, issues: DataIssues, file: String) -> String {
        let repeated = issues.count(of: .repeatedSiteRow)
        let skipped = issues.entries.count - repeated
        var extra: [String] = []
        if repeated > 0 { extra.append("\(repeated) repeated \(repeated == 1 ? "row" : "rows")") }
        if skipped > 0 { extra.append("\(skipped) \(skipped == 1 ? "row" : "rows") skipped, see the report") }
        var note = "sites: \(read) read from \(URL(fileURLWithPath: file).lastPathComponent)"
        if !extra.isEmpty { note += " (" + extra.joined(separator: "; ") + ")" }
        if untransformable > 0 { note += "; \(untransformable) with coordinates that could not be transformed" }
        return note
    }
}
