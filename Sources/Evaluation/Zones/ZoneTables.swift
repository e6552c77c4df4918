import Foundation
import TextFormat

/// The zone breakdown as text: zones.csv, and the Markdown section summary.md and the run's
/// report.md share (per depth, zones as rows, models side by side, n per zone, too-few rows marked).
public enum ZoneTables {
    /// File name of the table in the evaluation folder.
    public static let csvFile = "zones.csv"
    /// File name of the plot in the evaluation folder's plots/.
    public static let plotFile = "rmse_by_zone.svg"

    /// zones.csv: model, depth, zone, zone_label, n, every metric of `Metrics.definitions`, too_few
    /// (true when n < the breakdown's minimum); rows depth by depth, zone by zone, model by model.
    public static func csv(_ b: ZoneBreakdown) -> String {
        var lines = [
            (["model", "depth", "zone", "zone_label", "n"] + Metrics.definitions.map(\.key) + ["too_few"])
                .joined(separator: ",")
        ]
        for row in b.rows {
            lines.append(
                ([
                    CSVText.field(row.model), CSVText.field(row.depth), String(row.zone), CSVText.field(row.label),
                    String(row.metrics.n)
                ]
                    + Metrics.definitions.map { TextFormatting.csvNumber(row.metrics[keyPath: $0.value]) }
                    + [row.tooFew ? "true" : "false"]).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The Markdown section: one table per depth, a row per zone with its held-out samples n and each
    /// model's R² / RMSE / ME side by side; zones under the minimum are marked "(too few)". Every metric
    /// is in zones.csv and metrics.json.
    public static func markdown(_ b: ZoneBreakdown, unit: String, heading: String = "##") -> String {
        let decimals = TextFormatting.decimals(
            forMagnitude: Statistics.quantile(
                sorted: b.rows.map(\.metrics.rmse).filter { $0.isFinite && $0 > 0 }.sorted(), 0.5))
        var out = "\(heading) Accuracy by zone (\(b.source))\n\n"
        out += """
            Held-out predictions of cross-validation grouped by the zone of each site's cell in `\(b.source)`: \
            R² / RMSE / ME per model\(unit.isEmpty ? "" : " (RMSE and ME in \(unit))"); \
            n is the number of held-out samples in the zone. Zones with fewer than \(b.minimumCount) held-out samples \
            are marked **(too few)**: their figures are unreliable. Every metric is in `evaluation/\(csvFile)`.\n\n
            """
        let sitesWord = b.nodataSites == 1 ? "site" : "sites"
        out +=
            b.nodataSites == 0
            ? "Every held-out site lies in a zone.\n\n"
            : """
            \(b.nodataSites) held-out \(sitesWord) (\(b.nodataSamples) samples) lie on nodata in the zone raster: \
            in no zone, left out of this table only.\n\n
            """
        for (d, depth) in b.depthLabels.enumerated() {
            out += "\(TextFormatting.depthDisplay(depth)):\n\n"
            out += "| Zone | n | " + b.models.map { ScoreTables.escape($0) }.joined(separator: " | ") + " |\n"
            out += "|---|---:|" + String(repeating: "---|", count: b.models.count) + "\n"
            for (z, zone) in b.zones.enumerated() {
                let n = b.samples[d][z]
                let few = n < b.minimumCount
                var cells = [
                    "\(zone.code) \(ScoreTables.escape(zone.label))", String(n) + (few ? " **(too few)**" : "")
                ]
                for model in b.models {
                    guard let m = b.row(model: model, depth: depth, zone: zone.code)?.metrics, m.n > 0 else {
                        cells.append("–")
                        continue
                    }
                    let meText = NumberText.fixed(m.me, decimals, nonFinite: "–")
                    let me = m.me.isFinite && !meText.hasPrefix("-") ? "+" + meText : meText
                    cells.append(
                        """
                        \(NumberText.fixed(m.r2, 3, nonFinite: "–")) / \
                        \(NumberText.fixed(m.rmse, decimals, nonFinite: "–")) / \(me)
                        """
                    )
                }
                out += "| " + cells.joined(separator: " | ") + " |\n"
            }
            out += "\n"
        }
        return out
    }
}
