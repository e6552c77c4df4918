import Foundation
import TextFormat
import Workspace

extension MarkdownReport {
    /// The area of applicability: the index, the threshold, the share of cells inside, the maps.
    static func applicability(_ a: RunRecord.Applicability) -> String {
        let rf = a.weights == "rf"
        var md = "\n## Area of applicability\n\n"
        md += """
            Dissimilarity index (Meyer & Pebesma 2021, as CAST's trainDI/aoa): distance in the standardised, \
            \(rf ? "random-forest-importance-weighted" : "equally weighted") centre-cell covariates to the nearest of \
            the \(a.trainingSites) training sites, divided by their mean pairwise distance (\(fmt(a.meanDistance))).\n\n
            """
        let rule =
            a.rule == "cast"
            ? "Q3 + 1.5 IQR of the training sites' cross-validation DIs, at most their maximum"
            : "largest training DI not above Q3 + 1.5 IQR"
        md += """
            - Threshold: DI <= \(fmt(a.threshold)) (\(rule)); \(a.trainingSitesAbove) of \
            \(a.trainingSites) training sites lie above it\n
            """
        md +=
            "- Inside the area of applicability: "
            + (a.shareInside.isFinite ? String(format: "%.1f %%", 100 * a.shareInside) : "-")
            + " of the mapped cells (\(a.cellsInside) of \(a.cellsMapped))\n"
        md += """
            - Weights: \(rf ? "the random forest's impurity importance, averaged over the depths" : "equal") \
            (`predict.aoa_weights`)\n
            """
        if !a.constantChannels.isEmpty {
            md += "- Left out (the same at every training site): \(a.constantChannels.joined(separator: ", "))\n"
        }
        md += """
            - Maps: `\(OutputLayout.maps)/\(a.dissimilarityMap)` (DI) and `\(a.applicabilityMap)` (1 inside, 0 \
            outside), one pair for all depths\n
            """
        if !a.errorProfiles.isEmpty {
            md += """
                \nExpected error from the DI (after CAST's errorProfiles): the held-out samples of each depth sorted by \
                their site's cross-validation DI, cut into groups of equal count, each group's RMSE at its mean DI, \
                made non-decreasing in the DI; linear between points, constant beyond the ends. Maps: \
                `\(a.expectedErrorMaps.first ?? "")` ... one per depth.\n\n
                """
            md += "| depth | n | expected RMSE at the lowest DI | at the AOA threshold | at the highest DI (DI) |\n"
            md += "|---|---|---|---|---|\n"
            for p in a.errorProfiles {
                md += "| \(p.depth) | \(p.samples) | \(fmt(p.rmse.first ?? .nan)) | \(fmt(p.rmseAtThreshold)) | "
                md += "\(fmt(p.rmse.last ?? .nan)) (\(fmt(p.di.last ?? .nan))) |\n"
            }
        }
        md += groupCoverageTable(
            a.intervalCoverage,
            caption: """
                Interval coverage (PICP, n) of the held-out samples of training sites inside and outside the area, \
                by each site's cross-validation DI (the other folds' sites); intervals calibrated on the other folds:
                """)
        return md
    }

    /// A table of PICP and n per depth (rows) and group (columns), after `caption`; empty without rows.
    static func groupCoverageTable(_ rows: [RunRecord.PredictionIntervals.Coverage], caption: String) -> String {
        guard !rows.isEmpty else { return "" }
        var groups: [String] = []
        var depths: [String] = []
        for c in rows {
            if let g = c.group, !groups.contains(g) { groups.append(g) }
            if let d = c.depth, !depths.contains(d) { depths.append(d) }
        }
        var md = "\n" + caption + "\n\n| depth | " + groups.joined(separator: " | ") + " |\n|---|"
        md += String(repeating: "---|", count: groups.count) + "\n"
        for depth in depths {
            let cells = groups.map { g -> String in
                guard let c = rows.first(where: { $0.depth == depth && $0.group == g }), (c.n ?? 0) > 0 else {
                    return "-"
                }
                return NumberText.fixed(c.picp, 3, nonFinite: "-") + " (\(c.n ?? 0))"
            }
            md += "| \(depth) | " + cells.joined(separator: " | ") + " |\n"
        }
        return md
    }

    /// Per adjacent pair of depths: cells with both values, the share where the deeper one exceeds the
    /// upper one by more than the threshold, the largest rise; then the largest rises with their cells.
    static func depthConsistency(_ c: RunRecord.DepthConsistency, _ r: RunRecord) -> String {
        let unit = r.unit
        var md = "\n## Depth consistency\n\n"
        md +=
            "Cells of the \(c.model) maps where a deeper depth's \(r.property) exceeds the depth above it by more than "
            + "\(fmt(c.threshold)) \(unit) (`predict.depth_consistency.threshold`). "
            + (c.monotone == nil
                ? "Nothing was corrected: the maps are the model's predictions. "
                : "Counted on the model's predictions, before the monotone correction below. ")
            + "`\(c.inversionsMap)` counts the inverted pairs per cell (0 to \(c.pairs.count), 255 nodata).\n\n"
        md += """
            - Cells with at least one inverted pair: \(percent(c.shareCellsInverted)) \
            (\(c.cellsInverted) of \(c.cellsValid))\n\n
            """
        md += "| upper | deeper | cells | inverted | share | largest rise (\(unit)) |\n|---|---|---|---|---|---|\n"
        for p in c.pairs {
            md += """
                | \(p.upper) | \(p.lower) | \(p.cells) | \(p.inverted) | \(percent(p.share)) | \(fmt(p.largestRise)) |\n
                """
        }
        if !c.largest.isEmpty {
            md += """
                \nLargest rises (cell centres in the grid's CRS):\n\n\
                | pair | upper | deeper | rise | column | row | x | y |\n|---|---|---|---|---|---|---|---|\n
                """
            for j in c.largest {
                md += """
                    | \(j.upperDepth)/\(j.lowerDepth) | \(fmt(j.upper)) | \(fmt(j.lower)) | \(fmt(j.rise)) | \(j.col) \
                    | \(j.row) | \(fmtCoord(j.x)) | \(fmtCoord(j.y)) |\n
                    """
            }
        }
        if let m = c.monotone {
            let share = m.cellsValid > 0 ? Double(m.cellsChanged) / Double(m.cellsValid) : .nan
            md += "\n### Monotone profile enforced\n\n"
            md += """
                `predict.depth_consistency.enforce_monotone: true`: the depth maps were rewritten so that no value \
                exceeds the (corrected) value of the depth above it (every rise capped, whatever the threshold); \
                each changed map says so in its metadata (`\(m.metadataKey)`). The interval bounds and the other maps \
                were not changed; the stocks use the corrected values. \(m.cellsChanged) of \(m.cellsValid) cells \
                (\(percent(share))) were lowered at some depth.\n\n
                """
            md +=
                "| depth | cells lowered | mean decrease (\(unit)) | largest decrease (\(unit)) |\n|---|---|---|---|\n"
            for change in m.depths {
                md += """
                    | \(change.depth) | \(change.cells) | \(fmt(change.meanDecrease)) | \
                    \(fmt(change.largestDecrease)) |\n
                    """
            }
        }
        return md
    }

    /// The stocks: how they were computed, the total, area and mean per layer, the cells left out.
    static func stocks(_ st: RunRecord.Stocks, _ r: RunRecord) -> String {
        guard let bd = st.bulkDensity else { return "" }
        var md = "\n## Carbon stocks\n\n"
        md +=
            "\(st.formula) (\(r.unit == "%" ? "SOC in % is 10 g/kg per %" : "SOC in g/kg"); "
            + "per hectare a layer t cm thick holds BD x t x (1 - CF) x 100 t of fine earth, SOC/1000 of it carbon). "
        md +=
            "Bulk density: `\(bd.raster)` (\(bd.unit)"
            + (bd.nodata.map { ", nodata \($0) as the pipeline gives it" } ?? "")
            + ", warped onto the grid bilinearly, the same raster at every depth); coarse fragments: "
        if let f = st.coarseFragments?.constantFraction {
            md += "a constant volume fraction of \(fmt(f))"
        } else if let cf = st.coarseFragments, let path = cf.raster {
            md +=
                "`\(path)` (\(cf.unit ?? "")" + (cf.nodata.map { ", nodata \($0) as the pipeline gives it" } ?? "")
                + ")"
        }
        md +=
            ". Totals are the maps' values times the cell area, summed over the mapped cells; 1 Tg = 1 Mt = 10^6 t.\n\n"
        let hasBounds = st.bounds != nil
        if let bounds = st.bounds { md += "Interval bounds: " + bounds + ".\n\n" }
        md +=
            "| layer | map | cells | area (km²) | mean (t/ha) | total (Tg) |"
            + (hasBounds ? " lower (Tg) | upper (Tg) |" : "")
        md += "\n|---|---|---|---|---|---|" + (hasBounds ? "---|---|" : "") + "\n"
        for t in st.layers {
            md +=
                "| \(t.depth)\(t.sum ? " (sum)" : "") | `\((t.map as NSString).lastPathComponent)` | \(t.cells) "
                + "| \(fmt(t.areaKm2)) | \(fmt(t.meanTHa)) | \(fmt(t.totalTg)) |"
            if hasBounds { md += " \(fmt(t.lowerTg ?? .nan)) | \(fmt(t.upperTg ?? .nan)) |" }
            md += "\n"
        }
        if !st.sumsNotCovered.isEmpty {
            md += """
                \nNot summed (the depths do not tile them from the surface): \
                \(st.sumsNotCovered.joined(separator: ", ")).\n
                """
        }
        let plausible = st.plausibleBulkDensity + [.nan, .nan]
        md += """
            \nCells with a SOC value left without a stock: \(st.cellsWithoutBulkDensity) without bulk density, \
            \(st.cellsImplausibleBulkDensity) with a bulk density outside \(fmt(plausible[0]))-\(fmt(plausible[1])) \
            g/cm3, \(st.cellsWithoutCoarseFragments) without a coarse-fragment value in [0, 1).\n
            """
        return md
    }
}
