import Configuration
import Foundation
import Inputs
import Patches
import SoilData
import TextFormat

/// The run's two tables beside the report: profiles.csv (the property per site and depth interval) and
/// dropped_sites.csv (every site left out, with its reason and CSV line).
enum RunTables {
    /// profiles.csv.
    static func profilesCSV(config: PipelineConfig, profiles: ProfilesResult, data: PatchDataset) -> String {
        var out =
            "site_id,x,y,source_x,source_y,"
            + data.depths.map { "\(config.profiles.property)_\($0.label)" }.joined(separator: ",") + "\n"
        var byID: [String: SiteProfile] = [:]
        for p in profiles.profiles { byID[p.siteID] = p }
        for s in profiles.sites {
            guard let p = byID[s.id] else { continue }
            out += [CSVText.field(s.id), fmtCoord(s.x), fmtCoord(s.y), "\(s.sourceX)", "\(s.sourceY)"].joined(
                separator: ",")
            out +=
                "," + p.values.map { $0.map { NumberText.fixed($0, 4, nonFinite: "nan") } ?? "" }.joined(separator: ",")
                + "\n"
        }
        return out
    }

    /// dropped_sites.csv.
    static func droppedSitesCSV(profiles: ProfilesResult, patches: PatchReport) -> String {
        var out = "site_id,csv_line,reason\n"
        for s in profiles.untransformable {
            out += "\(CSVText.field(s.id)),\(s.line),coordinates could not be transformed\n"
        }
        for s in patches.sitesWithoutValues {
            out += "\(CSVText.field(s.id)),\(s.line),no soil value at any depth interval\n"
        }
        for s in patches.outsideGrid { out += "\(CSVText.field(s.id)),\(s.line),outside the covariate grid\n" }
        for s in patches.centreNodata {
            out += "\(CSVText.field(s.id)),\(s.line),centre cell is nodata in a covariate\n"
        }
        for id in patches.profilesWithoutSite { out += "\(CSVText.field(id)),,values but no row in the sites table\n" }
        return out
    }
}

/// A compact number for reports: integers plain, others to four significant digits.
func fmt(_ v: Double) -> String { NumberText.compact(v) }

/// A coordinate with three decimals.
func fmtCoord(_ v: Double) -> String { NumberText.fixed(v, 3, nonFinite: "nan") }
