import Configuration
import FileIO
import Foundation
import Patches
import RasterIO
import Reports
import SoilData
import TextFormat
import Workspace

/// What the data stages put into a run's record and beside it: the grid, covariates, sites, data checks
/// and samples of report.json, and the tables profiles.csv and dropped_sites.csv.
extension RunInputs {
    /// Fills the record's input sections. `sitesFile` is the sites table, `validRange` the text of
    /// `profiles.valid_range` (nil when unset), `patchesFile` the patch file's name and `warnings` the
    /// covariate checks' warnings.
    public func record(
        into r: inout RunRecord, sitesFile: String, validRange: String?, patchesFile: String, warnings: [String]
    ) {
        let g = stack.grid
        r.grid.crs = g.crs.description
        r.grid.crsCode = g.crs.epsg.map { "EPSG:\($0)" } ?? g.crs.displayName
        (r.grid.width, r.grid.height) = (g.width, g.height)
        r.grid.geotransform = g.transform.coefficients
        r.grid.cellSize = [g.resolution.x, abs(g.resolution.y)]
        r.grid.extent = [g.extent.minX, g.extent.minY, g.extent.maxX, g.extent.maxY]
        r.covariates = stack.covariates.map(Self.covariate)
        r.channels = stack.channels.map(\.name)
        r.covariateWarnings = warnings
        r.sites = sites(table: URL(fileURLWithPath: sitesFile).lastPathComponent)
        for (kind, n) in profiles.siteIssues.counts + profiles.valueIssues.counts {
            r.issues[kind.rawValue, default: 0] += n
        }
        r.dataChecks.lines = profiles.siteIssues.summary() + profiles.valueIssues.summary()
        r.dataChecks.validRange = validRange
        r.dataChecks.harmonisedHorizons = profiles.horizonCount
        r.depths = depthSamples()
        r.samples = data.samples.count
        r.patches.file = patchesFile
        (r.patches.sites, r.patches.size) = (data.sites.count, data.patchSize)
    }

    /// One covariate as the record lists it.
    static func covariate(_ c: Covariate) -> RunRecord.Covariate {
        var o = RunRecord.Covariate()
        (o.name, o.kind, o.source, o.band) = (c.name, c.kind.rawValue, c.sourcePath, c.band)
        o.nodata = c.nodata.flatMap { $0.isFinite ? $0 : nil } ?? .nan
        o.nodataFromPipeline = c.nodataOverride != nil
        o.nodataText = CovariateChecks.nodataText(c)
        o.sourceCRS = c.sourceCRS
        o.sourceCellSize = c.sourceResolution.x
        (o.min, o.max, o.mean, o.validCells) = (c.min, c.max, c.mean, c.validCells)
        o.classes = c.classes.map { .init(value: $0.value, label: $0.label, cells: $0.cellCount) }
        return o
    }

    /// The sites read, skipped and used, and why.
    func sites(table: String) -> RunRecord.Sites {
        var s = RunRecord.Sites()
        let patches = patchReport
        let read = profiles.sites.count + profiles.untransformable.count
        let repeated = profiles.siteIssues.count(of: .repeatedSiteRow)
        s.table = table
        s.rows = read + profiles.siteIssues.entries.count
        (s.read, s.repeatedRows, s.skippedRows) = (read, repeated, profiles.siteIssues.entries.count - repeated)
        (s.untransformable, s.withoutValues) = (profiles.untransformable.count, patches.sitesWithoutValues.count)
        (s.outsideGrid, s.centreNodata, s.used) = (
            patches.outsideGrid.count, patches.centreNodata.count, patches.sitesUsed
        )
        (s.paddedAtEdge, s.profilesWithoutSite) = (patches.paddedAtEdge, patches.profilesWithoutSite.count)
        return s
    }

    /// Count, mean, standard deviation, minimum and maximum of the samples at each depth.
    func depthSamples() -> [RunRecord.DepthSamples] {
        var values = [[Double]](repeating: [], count: data.depths.count)
        for s in data.samples { values[s.depth].append(Double(s.value)) }
        return zip(data.depths, values).map { d, v in
            var o = RunRecord.DepthSamples()
            o.depth = d.label
            o.samples = v.count
            guard !v.isEmpty else { return o }
            let mean = v.reduce(0, +) / Double(v.count)
            o.mean = mean
            let squares = v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +)
            o.sd = v.count > 1 ? (squares / Double(v.count - 1)).squareRoot() : 0
            (o.min, o.max) = (v.min()!, v.max()!)
            return o
        }
    }

    /// Writes the patch file (of `data`, the channels the run kept), profiles.csv and dropped_sites.csv into
    /// `layout` (a staging folder); a failed write names the file and `output`, the folder to check.
    public func writeTables(_ data: PatchDataset, property: String, to layout: OutputLayout, output: String) throws {
        try StageError.writing(into: output) {
            try PatchFile.write(data, to: layout.patches)
            try AtomicFile.write(
                Data(profilesCSV(property: property).utf8), to: layout.path(OutputLayout.profiles))
            try AtomicFile.write(Data(droppedSitesCSV().utf8), to: layout.path(OutputLayout.droppedSites))
        }
    }

    /// profiles.csv: the property per site and depth interval.
    func profilesCSV(property: String) -> String {
        var out =
            "site_id,x,y,source_x,source_y,"
            + data.depths.map { "\(property)_\($0.label)" }.joined(separator: ",") + "\n"
        var byID: [String: SiteProfile] = [:]
        for p in profiles.profiles { byID[p.siteID] = p }
        for s in profiles.sites {
            guard let p = byID[s.id] else { continue }
            let coordinates = [s.x, s.y].map { NumberText.fixed($0, 3, nonFinite: "nan") }
            out += ([CSVText.field(s.id)] + coordinates + ["\(s.sourceX)", "\(s.sourceY)"]).joined(separator: ",")
            let values = p.values.map { $0.map { NumberText.fixed($0, 4, nonFinite: "nan") } ?? "" }
            out += "," + values.joined(separator: ",") + "\n"
        }
        return out
    }

    /// dropped_sites.csv: every site left out, with its CSV line and reason: first the sites table's rows
    /// skipped when read (no usable id or coordinates; a repeated row of a kept site is not a dropped site).
    func droppedSitesCSV() -> String {
        var out = "site_id,csv_line,reason\n"
        func add(_ id: String, _ line: String, _ reason: String) {
            out += "\(CSVText.field(id)),\(line),\(CSVText.field(reason))\n"
        }
        let kept = Set(profiles.sites.map(\.id) + profiles.untransformable.map(\.id))
        for e in profiles.siteIssues.entries where e.siteID.map({ !kept.contains($0) }) ?? true {
            add(e.siteID ?? "", e.line.map { "\($0)" } ?? "", e.message)
        }
        for s in profiles.untransformable { add(s.id, "\(s.line)", "coordinates could not be transformed") }
        for s in patchReport.sitesWithoutValues { add(s.id, "\(s.line)", "no soil value at any depth interval") }
        for s in patchReport.outsideGrid { add(s.id, "\(s.line)", "outside the covariate grid") }
        for s in patchReport.centreNodata { add(s.id, "\(s.line)", "centre cell is nodata in a covariate") }
        for id in patchReport.profilesWithoutSite { add(id, "", "values but no row in the sites table") }
        return out
    }
}
