import Evaluation
import Configuration
import Foundation
import Workspace
import Mapping
import NeuralNet
import Patches
import RasterIO
import SoilData
import TextFormat

/// The human-readable and machine-readable account of a run: what went in, what was kept, what was dropped.
struct RunReport {
    let config: PipelineConfig
    let stack: CovariateStack
    let profiles: ProfilesResult
    let data: PatchDataset
    let patches: PatchReport
    let evaluation: EvaluationResult?
    let modelFiles: [String]
    let maps: MapResult?
    /// What this run cleared or finished for an interrupted earlier run in the output folder.
    let recovered: [String]
    /// The covariate selection (`select`), if any.
    var selection: SelectionResult? = nil
    /// The pipeline has a 'predict' section but this run left the maps to `socmap predict` (`--no-maps`).
    var mapsLeftToPredict = false

    /// Sites read from the sites table, whether or not their coordinates could be transformed.
    var sitesRead: Int { profiles.sites.count + profiles.untransformable.count }

    /// Count, mean, standard deviation, minimum and maximum of the samples at each depth.
    func depthStatistics() -> [(count: Int, mean: Double, sd: Double, min: Double, max: Double)] {
        var values = [[Double]](repeating: [], count: data.depths.count)
        for s in data.samples { values[s.depth].append(Double(s.value)) }
        return values.map { v in
            guard !v.isEmpty else { return (0, .nan, .nan, .nan, .nan) }
            let mean = v.reduce(0, +) / Double(v.count)
            let sd = v.count > 1 ? (v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(v.count - 1)).squareRoot() : 0
            return (v.count, mean, sd, v.min()!, v.max()!)
        }
    }

    func markdown() -> String {
        var md = "# SOCMap run: \(config.name)\n\n"
        md += "Pipeline `\(config.file)`, seed \(config.seed). Property: \(config.profiles.property) (\(config.profiles.unit)).\n\n"
        md += crossValidationSection()
        let g = stack.grid
        md += "## Grid\n\n"
        md += "- CRS: \(g.crs)\n"
        md += "- Cell size: \(fmt(g.resolution.x)) x \(fmt(abs(g.resolution.y))) (CRS units)\n"
        md += "- Size: \(g.width) x \(g.height) cells; extent \(fmt(g.extent.minX)), \(fmt(g.extent.minY)) to \(fmt(g.extent.maxX)), \(fmt(g.extent.maxY))\n\n"

        md += "## Covariates: \(stack.covariates.count) rasters, \(stack.channels.count) input channels\n\n"
        md += "| name | kind | source | source CRS | source cell size | nodata | min | max | mean | valid cells |\n"
        md += "|---|---|---|---|---|---|---|---|---|---|\n"
        let gridCRS = g.crs.epsg.map { "EPSG:\($0)" } ?? g.crs.displayName
        for c in stack.covariates {
            let file = URL(fileURLWithPath: c.sourcePath).lastPathComponent + (c.band > 1 ? " band \(c.band)" : "")
            md += "| \(c.name) | \(c.kind.rawValue) | \(file) | \(c.sourceCRS == gridCRS ? "grid CRS" : c.sourceCRS) | \(fmt(c.sourceResolution.x)) | \(nodataText(c)) | \(fmt(c.min)) | \(fmt(c.max)) | \(fmt(c.mean)) | \(c.validCells) |\n"
        }
        let categorical = stack.covariates.filter { $0.kind == .categorical }
        if !categorical.isEmpty {
            md += "\nClasses of the categorical covariates (one input channel each):\n\n"
            for c in categorical {
                md += "- \(c.name): " + c.classes.map { "\($0.value) \($0.label) (\($0.cellCount) cells)" }.joined(separator: "; ") + "\n"
            }
        }

        let warnings = CovariateChecks.warnings(stack.covariates, config: config)
        md += "\n## Covariate checks\n\n"
        md += warnings.isEmpty
            ? "No problem found: no covariate without a nodata value has a range ending on a usual nodata marker.\n"
            : "\(warnings.count) \(warnings.count == 1 ? "warning" : "warnings"):\n\n" + warnings.map { "- Warning: \($0).\n" }.joined()

        md += "\n## Sites\n\n"
        md += "| | count |\n|---|---|\n"
        let repeatedRows = profiles.siteIssues.count(of: .repeatedSiteRow)
        let skippedRows = profiles.siteIssues.entries.count - repeatedRows
        md += "| rows in \(URL(fileURLWithPath: config.sites.file).lastPathComponent) | \(sitesRead + profiles.siteIssues.entries.count) |\n"
        md += "| repeated rows of a site (same coordinates) | \(repeatedRows) |\n"
        md += "| rows skipped (no id or coordinates, see Data checks) | \(skippedRows) |\n"
        md += "| sites read | \(sitesRead) |\n"
        md += "| coordinates not transformable | \(profiles.untransformable.count) |\n"
        md += "| without soil values | \(patches.sitesWithoutValues.count) |\n"
        md += "| outside the grid | \(patches.outsideGrid.count) |\n"
        md += "| centre cell nodata | \(patches.centreNodata.count) |\n"
        md += "| **used** | **\(patches.sitesUsed)** |\n"
        md += "| of which padded at the grid edge | \(patches.paddedAtEdge) |\n"
        md += "| value profiles with no site row | \(patches.profilesWithoutSite.count) |\n\n"
        md += "Every dropped site is listed with its reason and CSV line in `dropped_sites.csv`.\n\n"

        md += "## Data checks\n\n"
        let lines = profiles.siteIssues.summary() + profiles.valueIssues.summary()
        md += lines.isEmpty ? "No problem found in the tables.\n" : lines.map { "- \($0)" }.joined(separator: "\n") + "\n"
        md += config.profiles.validRange.map { "\nValues outside \($0) were skipped (outOfRange).\n" }
            ?? "\nNo valid range for unit \(config.profiles.unit): only non-numbers were rejected; set profiles.valid_range.\n"
        if profiles.horizonCount > 0 {
            md += "\n\(profiles.horizonCount) horizons were harmonised to the depth intervals with the equal-area quadratic spline.\n"
        }

        if let selection {
            md += "\n## Covariate selection\n\n" + SelectionReport.markdown(selection, unit: data.unit, heading: "##")
                + "\nThe models, maps and `\(config.patches.file)` read only the selected covariates' \(data.channels.count) channels; files in `\(OutputLayout.selection)/`.\n"
        }
        md += "\n## Samples per depth\n\n| depth | samples | mean | sd | min | max |\n|---|---|---|---|---|---|\n"
        for (d, s) in zip(data.depths, depthStatistics()) {
            md += "| \(d.label) | \(s.count) | \(fmt(s.mean)) | \(fmt(s.sd)) | \(fmt(s.min)) | \(fmt(s.max)) |\n"
        }
        md += "| all | \(data.samples.count) | | | | |\n"

        if let a = maps?.applicability {
            md += "\n## Area of applicability\n\n"
            md += "Dissimilarity index (Meyer & Pebesma 2021, as CAST's trainDI/aoa): distance in the standardised, "
                + (a.weights == .rf ? "random-forest-importance-weighted" : "equally weighted")
                + " centre-cell covariates to the nearest of the \(a.sites) training sites, divided by their mean pairwise distance (\(fmt(a.meanDistance))).\n\n"
            md += "- Threshold: DI <= \(fmt(a.threshold)) (\(a.rule == .cast ? "Q3 + 1.5 IQR of the training sites' cross-validation DIs, at most their maximum" : "largest training DI not above Q3 + 1.5 IQR")); \(a.sitesAbove) of \(a.sites) training sites lie above it\n"
            md += "- Inside the area of applicability: " + (a.shareInside.isFinite ? String(format: "%.1f %%", 100 * a.shareInside) : "-")
                + " of the mapped cells (\(a.cellsInside) of \(a.cellsMapped))\n"
            md += "- Weights: \(a.weights == .rf ? "the random forest's impurity importance, averaged over the depths" : "equal") (`predict.aoa_weights`)\n"
            if !a.constantChannels.isEmpty {
                md += "- Left out (the same at every training site): \(a.constantChannels.joined(separator: ", "))\n"
            }
            md += "- Maps: `\(OutputLayout.maps)/\(MapNames.dissimilarity(config.predict?.name ?? "")).tif` (DI) and `\(MapNames.applicability(config.predict?.name ?? "")).tif` (1 inside, 0 outside), one pair for all depths\n"
        }
        if let c = maps?.profiles?.consistency { md += depthConsistencySection(c, monotone: maps?.profiles?.monotone) }
        if let st = maps?.profiles?.stocks { md += stocksSection(st) }
        md += "\n## Outputs\n\n"
        md += "- `\(config.patches.file)`: \(data.sites.count) patches of \(data.channels.count) x \(data.patchSize) x \(data.patchSize) (scaled to [0, 1]) and \(data.samples.count) samples (site, depth, value)\n"
        md += "- `\(OutputLayout.profiles)`: \(config.profiles.property) per site and depth interval\n"
        md += "- `\(OutputLayout.droppedSites)`: sites left out, with reason and CSV line\n"
        if selection != nil {
            md += "- `\(OutputLayout.selection)/`: the covariate selection: `selection.csv` (RMSE per depth per subset size), `selection.md`, `selected.txt`\n"
        }
        if evaluation != nil {
            md += "- `\(OutputLayout.evaluation)/`: metrics (CSV, JSON), held-out predictions, `summary.md` and plots"
                + (evaluation?.zones != nil ? "; metrics per zone in `\(ZoneTables.csvFile)`" : "") + "\n"
            md += "- `\(OutputLayout.heldOutSites)`: the held-out sites, one point layer per depth with each model's prediction, residual and relative bias (style `\(OutputLayout.heldOutSitesStyle)`; quick-look `\(OutputLayout.relativeBiasPicture(depth: data.depths[0].label))`)\n"
        }
        if !modelFiles.isEmpty {
            md += "- `\(OutputLayout.models)/`: the final models fitted on all samples (\(modelFiles.count) files)\n"
        }
        if let m = maps {
            md += "- `\(OutputLayout.maps)/`: \(m.files.filter { $0.hasSuffix(".tif") }.count) cloud-optimised GeoTIFFs with QGIS styles, a QGIS project and quick-looks"
            md += " (\(m.tilesTotal) \(m.tilesTotal == 1 ? "tile" : "tiles")"
            md += String(format: ", %.0f cells/s, peak memory %.0f MB",
                         m.seconds > 0 ? Double(m.cells) / m.seconds : 0, Double(m.peakMemory) / 1e6)
            md += m.sharedBlocks > 0 ? "; \(DenseMapper.describe(sharedBlocks: m.sharedBlocks)) computed once per tile for all depths)\n" : ")\n"
            if let r = m.profiles, !r.files.isEmpty {
                md += "  - of which \(r.files.count) from the analyses of the maps: " + r.files.prefix(3).map { "`\(OutputLayout.mapFile(($0 as NSString).deletingPathExtension))`" }.joined(separator: ", ")
                    + (r.files.count > 3 ? ", ..." : "") + "\n"
            }
        } else if mapsLeftToPredict {
            md += "- `\(OutputLayout.maps)/`: not made by this run (`--no-maps`); `socmap predict \(config.file)` (or its shards and `--merge`) maps the final models\n"
        }
        if !recovered.isEmpty {
            md += "\nLeft by an interrupted earlier run in the output folder:\n\n" + recovered.map { "- \($0)\n" }.joined()
        }
        return md
    }

    /// Per adjacent pair of depths: cells with both values, the share where the deeper one exceeds the
    /// upper one by more than the threshold, the largest rise; then the largest rises with their cells.
    func depthConsistencySection(_ c: DepthConsistency, monotone: MonotoneProfile?) -> String {
        let unit = config.profiles.unit, name = config.predict?.name ?? ""
        var md = "\n## Depth consistency\n\n"
        md += "Cells of the \(config.predict?.model.rawValue ?? "") maps where a deeper depth's \(config.profiles.property) exceeds the depth above it by more than \(fmt(c.threshold)) \(unit) "
            + "(`predict.depth_consistency.threshold`). "
            + (monotone == nil ? "Nothing was corrected: the maps are the model's predictions. "
                               : "Counted on the model's predictions, before the monotone correction below. ")
            + "`\(OutputLayout.mapFile(MapNames.depthInversions(name)))` counts the inverted pairs per cell (0 to \(c.labels.count - 1), 255 nodata).\n\n"
        md += "- Cells with at least one inverted pair: \(ProfileStage.percent(c.shareOfCellsInverted)) (\(c.cellsInverted) of \(c.cellsValid))\n\n"
        md += "| upper | deeper | cells | inverted | share | largest rise (\(unit)) |\n|---|---|---|---|---|---|\n"
        for p in c.pairs {
            md += "| \(p.upper) | \(p.lower) | \(p.valid) | \(p.inverted) | \(ProfileStage.percent(p.share)) | \(fmt(p.largestRise ?? .nan)) |\n"
        }
        if !c.largest.isEmpty {
            md += "\nLargest rises (cell centres in the grid's CRS):\n\n| pair | upper | deeper | rise | column | row | x | y |\n|---|---|---|---|---|---|---|---|\n"
            for j in c.largest {
                md += "| \(c.labels[j.pair])/\(c.labels[j.pair + 1]) | \(fmt(Double(j.upper))) | \(fmt(Double(j.lower))) | \(fmt(j.rise)) | \(j.col) | \(j.row) | \(fmtCoord(j.x)) | \(fmtCoord(j.y)) |\n"
            }
        }
        if let m = monotone {
            md += "\n### Monotone profile enforced\n\n"
            md += "`predict.depth_consistency.enforce_monotone: true`: the depth maps were rewritten so that no value exceeds the (corrected) value of the depth above it "
                + "(every rise capped, whatever the threshold); each changed map says so in its metadata (`\(ProfileProducts.monotoneKey)`). "
                + "The interval bounds and the other maps were not changed; the stocks use the corrected values. "
                + "\(m.cellsChanged) of \(m.cellsValid) cells (\(ProfileStage.percent(m.cellsValid > 0 ? Double(m.cellsChanged) / Double(m.cellsValid) : .nan))) were lowered at some depth.\n\n"
            md += "| depth | cells lowered | mean decrease (\(unit)) | largest decrease (\(unit)) |\n|---|---|---|---|\n"
            for change in m.changes.dropFirst() {
                md += "| \(change.label) | \(change.cells) | \(fmt(change.mean)) | \(fmt(change.largest)) |\n"
            }
        }
        return md
    }

    /// The stocks: how they were computed, the total, area and mean per layer, the cells left out.
    func stocksSection(_ st: ProfileProducts.StockResult) -> String {
        guard let s = config.stocks else { return "" }
        var md = "\n## Carbon stocks\n\n"
        md += "\(ProfileProducts.formula) (\(config.profiles.unit == "%" ? "SOC in % is 10 g/kg per %" : "SOC in g/kg"); "
            + "per hectare a layer t cm thick holds BD x t x (1 - CF) x 100 t of fine earth, SOC/1000 of it carbon). "
        md += "Bulk density: `\(s.bulkDensity)` (\(s.bulkDensityUnit.rawValue), warped onto the grid bilinearly, the same raster at every depth); coarse fragments: "
        switch s.coarseFragments {
        case let .constant(f): md += "a constant volume fraction of \(fmt(f))"
        case let .raster(path, unit): md += "`\(path)` (\(unit.rawValue))"
        }
        md += ". Totals are the maps' values times the cell area, summed over the mapped cells; 1 Tg = 1 Mt = 10^6 t.\n\n"
        if st.hasBounds {
            md += "Interval bounds: " + ProfileProducts.boundsNote + ".\n\n"
        }
        md += "| layer | map | cells | area (km²) | mean (t/ha) | total (Tg) |" + (st.hasBounds ? " lower (Tg) | upper (Tg) |" : "")
        md += "\n|---|---|---|---|---|---|" + (st.hasBounds ? "---|---|" : "") + "\n"
        for t in st.totals {
            md += "| \(t.label)\(t.isSum ? " (sum)" : "") | `\(t.map).tif` | \(t.cells) | \(fmt(t.hectares / 100)) | \(fmt(t.meanPerHectare)) | \(fmt(t.teragrams)) |"
            if st.hasBounds { md += " \(fmt((t.lowerTonnes ?? .nan) / 1e6)) | \(fmt((t.upperTonnes ?? .nan) / 1e6)) |" }
            md += "\n"
        }
        if !st.sumsNotCovered.isEmpty {
            md += "\nNot summed (the depths do not tile them from the surface): \(st.sumsNotCovered.joined(separator: ", ")).\n"
        }
        md += "\nCells with a SOC value left without a stock: \(st.cellsWithoutBulkDensity) without bulk density, "
            + "\(st.cellsImplausibleBulkDensity) with a bulk density outside \(fmt(CarbonStock.plausibleBulkDensity.lowerBound))-\(fmt(CarbonStock.plausibleBulkDensity.upperBound)) g/cm3, "
            + "\(st.cellsWithoutCoarseFragments) without a coarse-fragment value in [0, 1).\n"
        return md
    }

    /// report.json's "depth_consistency".
    static func consistencyObject(_ c: DepthConsistency) -> [String: Any] {
        let clean = { (v: Double) -> Any in v.isFinite ? v : NSNull() }
        return [
            "threshold": c.threshold, "cells_valid": c.cellsValid, "cells_inverted": c.cellsInverted,
            "share_cells_inverted": clean(c.shareOfCellsInverted), "corrected": false,
            "pairs": c.pairs.map { ["upper": $0.upper, "lower": $0.lower, "cells": $0.valid, "inverted": $0.inverted,
                                    "share": clean($0.share), "largest_rise": $0.largestRise.map(clean) ?? NSNull()] as [String: Any] },
            "largest": c.largest.map { ["upper_depth": c.labels[$0.pair], "lower_depth": c.labels[$0.pair + 1],
                                        "upper": Double($0.upper), "lower": Double($0.lower), "rise": $0.rise,
                                        "col": $0.col, "row": $0.row, "x": $0.x, "y": $0.y] as [String: Any] },
        ]
    }

    /// report.json's "stocks".
    func stocksObject(_ st: ProfileProducts.StockResult) -> [String: Any] {
        let clean = { (v: Double) -> Any in v.isFinite ? v : NSNull() }
        var object: [String: Any] = [
            "formula": ProfileProducts.formula, "unit": "t/ha", "total_unit": "Tg",
            "cells_without_bulk_density": st.cellsWithoutBulkDensity,
            "cells_implausible_bulk_density": st.cellsImplausibleBulkDensity,
            "cells_without_coarse_fragments": st.cellsWithoutCoarseFragments,
            "sums_not_covered": st.sumsNotCovered,
            "layers": st.totals.map { t -> [String: Any] in
                var o: [String: Any] = ["depth": t.label, "sum": t.isSum, "map": OutputLayout.mapFile(t.map), "cells": t.cells,
                                        "area_km2": t.hectares / 100, "mean_t_ha": clean(t.meanPerHectare), "total_tg": t.teragrams]
                if let lo = t.lowerTonnes, let hi = t.upperTonnes { o["lower_tg"] = lo / 1e6; o["upper_tg"] = hi / 1e6 }
                return o
            },
        ]
        if let s = config.stocks {
            object["bulk_density"] = ["raster": s.bulkDensity, "unit": s.bulkDensityUnit.rawValue]
            switch s.coarseFragments {
            case let .constant(f): object["coarse_fragments"] = ["constant_fraction": f]
            case let .raster(path, unit): object["coarse_fragments"] = ["raster": path, "unit": unit.rawValue]
            }
        }
        if st.hasBounds { object["bounds"] = ProfileProducts.boundsNote }
        return object
    }

    /// The scores first: per depth, then pooled over depths (labelled), beside the fold design; or
    /// why there are none.
    func crossValidationSection() -> String {
        guard let e = evaluation else {
            return "## Cross-validation\n\nNot evaluated: the pipeline has no `evaluate` section, so this run has no "
                + "accuracy figures" + (config.predict != nil ? " and its maps say \"not evaluated\"" : "") + ".\n\n"
        }
        var md = "## Cross-validation (\(e.table.folds) folds, \(String(format: "%.0f", e.seconds)) s)\n\n"
        md += "Held-out scores of every model: \(e.table.designText). Fold-to-fold spread and plots in `evaluation/summary.md`.\n\n"
        if let train = config.train {
            let changed = TrainSettingsText.changed(train.settings)
            md += "Training: " + (changed.isEmpty ? "the protocol of design/model.md (every `train` key at its default)"
                                  : "design/model.md's protocol except " + changed.map { "`\($0)`" }.joined(separator: ", ")) + ".\n\n"
        }
        md += ScoreTables.markdown(e.table, unit: data.unit, heading: "###")
        for (model, n) in e.unpredicted.sorted(by: { $0.key < $1.key }) {
            md += "\n\(model): \(n) held-out samples without prediction (a depth with no training sample in their fold); left out of its metrics.\n"
        }
        if let intervals = e.intervals { md += intervalSection(intervals) }
        if let zones = e.zones { md += "\n" + ZoneTables.markdown(zones, unit: data.unit, heading: "###") }
        return md + "\n"
    }

    /// A row's metrics for report.json: n and every metric of `Metrics.definitions` (NaN as null), with the fold SDs.
    static func metricsObject(_ row: EvaluationTable.Row) -> [String: Any] {
        let clean = { (v: Double) -> Any in v.isFinite ? v : NSNull() }
        var object: [String: Any] = ["model": row.model, "depth": row.depth, "n": row.metrics.n]
        var sd: [String: Any] = ["folds": row.foldSD.folds]
        for d in Metrics.definitions {
            object[d.key] = clean(row.metrics[keyPath: d.value])
            sd[d.key] = clean(row.foldSD.sd[keyPath: d.value])
        }
        object["fold_sd"] = sd
        return object
    }

    /// report.json's "evaluation": the fold design, the rows per depth, then the rows pooled over depths.
    func evaluationObject(_ e: EvaluationResult) throws -> [String: Any] {
        var object: [String: Any] = [
            "folds": e.table.folds,
            "fold_design_text": e.table.designText,
            "per_depth": e.table.depthLabels.flatMap { e.table.rows(depth: $0).map(Self.metricsObject) },
            "pooled_over_depths": e.table.rows(depth: EvaluationTable.allDepths).map(Self.metricsObject),
        ]
        if let design = e.table.design {
            object["fold_design"] = try JSONSerialization.jsonObject(with: JSONEncoder().encode(design))
        }
        if let z = e.zones { object["zones"] = Self.zonesObject(z) }
        return object
    }

    /// report.json's "evaluation.zones": the source, the marking threshold, the sites on nodata, every
    /// zone with its held-out sites, and a row per model, depth and zone (n, every metric, too_few).
    static func zonesObject(_ z: ZoneBreakdown) -> [String: Any] {
        let clean = { (v: Double) -> Any in v.isFinite ? v : NSNull() }
        return [
            "source": z.source, "minimum_count": z.minimumCount,
            "nodata_sites": z.nodataSites, "nodata_samples": z.nodataSamples,
            "zones": z.zones.map { ["code": $0.code, "label": $0.label, "sites": $0.sites] as [String: Any] },
            "rows": z.rows.map { row -> [String: Any] in
                var o: [String: Any] = ["model": row.model, "depth": row.depth, "zone": row.zone, "label": row.label,
                                        "n": row.metrics.n, "too_few": row.tooFew]
                for d in Metrics.definitions { o[d.key] = clean(row.metrics[keyPath: d.value]) }
                return o
            },
        ]
    }

    func profilesCSV() -> String {
        var out = "site_id,x,y,source_x,source_y," + data.depths.map { "\(config.profiles.property)_\($0.label)" }.joined(separator: ",") + "\n"
        var byID: [String: SiteProfile] = [:]
        for p in profiles.profiles { byID[p.siteID] = p }
        for s in profiles.sites {
            guard let p = byID[s.id] else { continue }
            out += [CSVText.field(s.id), fmtCoord(s.x), fmtCoord(s.y), "\(s.sourceX)", "\(s.sourceY)"].joined(separator: ",")
            out += "," + p.values.map { $0.map { NumberText.fixed($0, 4, nonFinite: "nan") } ?? "" }.joined(separator: ",") + "\n"
        }
        return out
    }

    func droppedSitesCSV() -> String {
        var out = "site_id,csv_line,reason\n"
        for s in profiles.untransformable { out += "\(CSVText.field(s.id)),\(s.line),coordinates could not be transformed\n" }
        for s in patches.sitesWithoutValues { out += "\(CSVText.field(s.id)),\(s.line),no soil value at any depth interval\n" }
        for s in patches.outsideGrid { out += "\(CSVText.field(s.id)),\(s.line),outside the covariate grid\n" }
        for s in patches.centreNodata { out += "\(CSVText.field(s.id)),\(s.line),centre cell is nodata in a covariate\n" }
        for id in patches.profilesWithoutSite { out += "\(CSVText.field(id)),,values but no row in the sites table\n" }
        return out
    }

    /// The prediction intervals' measured coverage per depth of the mapped (or swept) model, both methods.
    func intervalSection(_ s: IntervalSummary) -> String {
        let percent = NumberText.trimmed(s.level * 100, maxDecimals: 1, nonFinite: "?")
        var md = "\n### Prediction intervals (\(percent) %, \(s.sweepModel))\n\n"
        md += "Coverage (PICP) and mean width (\(config.profiles.unit)) of the \(percent) % interval, calibrated on the held-out residuals of k - 1 folds and tried on the k-th, averaged over folds; every model in `evaluation/summary.md`. Maps use \(s.method.rawValue).\n\n"
        md += "| depth | conformal PICP | conformal width | adaptive PICP | adaptive width |\n|---|---|---|---|---|\n"
        var depths: [String] = []
        for r in s.coverage where r.model == s.sweepModel && !depths.contains(r.depth) { depths.append(r.depth) }
        for depth in depths {
            var cells = [depth]
            for m in IntervalMethod.allCases {
                let r = s.coverage.first { $0.model == s.sweepModel && $0.method == m && $0.depth == depth }
                cells += [NumberText.fixed(r?.picp ?? .nan, 3, nonFinite: "-"), fmt(r?.meanWidth ?? .nan)]
            }
            md += "| " + cells.joined(separator: " | ") + " |\n"
        }
        return md
    }

    func json() throws -> Data {
        let stats = depthStatistics()
        var issueCounts: [String: Int] = [:]
        for (kind, n) in profiles.siteIssues.counts + profiles.valueIssues.counts { issueCounts[kind.rawValue, default: 0] += n }
        var object: [String: Any] = [
            "name": config.name,
            "pipeline": config.file,
            "seed": config.seed,
            "grid": ["crs": stack.grid.crs.description, "width": stack.grid.width, "height": stack.grid.height,
                     "geotransform": stack.grid.transform.coefficients] as [String: Any],
            "covariates": stack.covariates.map { c -> [String: Any] in
                ["name": c.name, "kind": c.kind.rawValue, "source": c.sourcePath, "band": c.band,
                 "nodata": c.nodata.flatMap { $0.isFinite ? $0 : nil } ?? NSNull(), "nodata_from_pipeline": c.nodataOverride != nil,
                 "min": c.min, "max": c.max, "mean": c.mean, "valid_cells": c.validCells,
                 "classes": c.classes.map { ["value": $0.value, "label": $0.label, "cells": $0.cellCount] as [String: Any] }]
            },
            "channels": stack.channels.map(\.name),
            "covariate_warnings": CovariateChecks.warnings(stack.covariates, config: config),
            "sites": ["read": sitesRead,
                      "repeated_rows": profiles.siteIssues.count(of: .repeatedSiteRow),
                      "skipped_rows": profiles.siteIssues.entries.count - profiles.siteIssues.count(of: .repeatedSiteRow),
                      "untransformable": profiles.untransformable.count,
                      "without_values": patches.sitesWithoutValues.count,
                      "outside_grid": patches.outsideGrid.count, "centre_nodata": patches.centreNodata.count,
                      "used": patches.sitesUsed, "padded_at_edge": patches.paddedAtEdge,
                      "profiles_without_site": patches.profilesWithoutSite.count],
            "issues": issueCounts,
            "depths": zip(data.depths, stats).map { d, s -> [String: Any] in
                ["depth": d.label, "samples": s.count, "mean": s.mean.isFinite ? s.mean : NSNull(),
                 "sd": s.sd.isFinite ? s.sd : NSNull()]
            },
            "samples": data.samples.count,
        ]
        object["evaluation"] = try evaluation.map(evaluationObject) ?? "not evaluated"
        if let s = evaluation?.intervals {
            let clean = { (v: Double) -> Any in v.isFinite ? v : NSNull() }
            object["prediction_intervals"] = [
                "level": s.level, "method": s.method.rawValue,
                "coverage_all_depths": s.coverage.filter { $0.depth == EvaluationTable.allDepths }.map {
                    ["model": $0.model, "method": $0.method.rawValue, "picp": clean($0.picp), "mean_width": clean($0.meanWidth)] as [String: Any]
                },
            ] as [String: Any]
        }
        if let selection { object["covariate_selection"] = SelectionReport.object(selection) }
        if !modelFiles.isEmpty { object["model_files"] = modelFiles }
        if !recovered.isEmpty { object["recovered"] = recovered }
        if let a = maps?.applicability {
            object["area_of_applicability"] = [
                "threshold": a.threshold, "rule": a.rule.rawValue, "weights": a.weights.rawValue,
                "mean_distance": a.meanDistance, "training_sites": a.sites, "training_sites_above": a.sitesAbove,
                "cells_inside": a.cellsInside, "cells_mapped": a.cellsMapped,
                "share_inside": a.shareInside.isFinite ? a.shareInside : NSNull(), "constant_channels": a.constantChannels,
            ] as [String: Any]
        }
        if let c = maps?.profiles?.consistency {
            var o = Self.consistencyObject(c)
            if let m = maps?.profiles?.monotone {
                o["corrected"] = true
                o["monotone"] = ["cells_valid": m.cellsValid, "cells_changed": m.cellsChanged,
                                 "depths": m.changes.dropFirst().map { ["depth": $0.label, "cells": $0.cells, "mean_decrease": $0.mean.isFinite ? $0.mean : NSNull(),
                                                                        "largest_decrease": $0.largest] as [String: Any] }] as [String: Any]
            }
            object["depth_consistency"] = o
        }
        if let st = maps?.profiles?.stocks { object["stocks"] = stocksObject(st) }
        return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    }
}

/// A compact number for reports: integers plain, others to four significant digits.
func fmt(_ v: Double) -> String { NumberText.compact(v) }

func fmtCoord(_ v: Double) -> String { NumberText.fixed(v, 3, nonFinite: "nan") }

