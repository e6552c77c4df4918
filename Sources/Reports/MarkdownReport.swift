import Evaluation
import Foundation
import Workspace

/// report.md, rendered from a `RunRecord` alone: the scores first, then the grid, covariates,
/// sites, data checks, selection, samples, the maps' analyses, the outputs and the stages' times.
public enum MarkdownReport {
    /// The whole report.
    public static func render(_ r: RunRecord) -> String {
        var md = "# SOCMap run: \(r.name)\n\n"
        md += "Pipeline `\(r.pipeline)`, seed \(r.seed). Property: \(r.property) (\(r.unit)).\n\n"
        md += crossValidation(r)
        md += grid(r.grid) + covariates(r)
        md += "\n## Covariate checks\n\n"
        let warnings = r.covariateWarnings
        md +=
            warnings.isEmpty
            ? "No problem found: no covariate without a nodata value has a range ending on a usual nodata marker.\n"
            : "\(warnings.count) \(warnings.count == 1 ? "warning" : "warnings"):\n\n"
                + warnings.map { "- Warning: \($0).\n" }.joined()
        md += sites(r.sites) + dataChecks(r)
        if let selection = r.covariateSelection {
            md +=
                "\n## Covariate selection\n\n" + SelectionMarkdown.render(selection, unit: r.unit, heading: "##")
                + "\nThe models, maps and `\(r.patches.file)` read only the selected covariates' \(r.channels.count) "
                + "channels; files in `\(OutputLayout.selection)/`.\n"
        }
        md += "\n## Samples per depth\n\n| depth | samples | mean | sd | min | max |\n|---|---|---|---|---|---|\n"
        for d in r.depths {
            md += "| \(d.depth) | \(d.samples) | \(fmt(d.mean)) | \(fmt(d.sd)) | \(fmt(d.min)) | \(fmt(d.max)) |\n"
        }
        md += "| all | \(r.samples) | | | | |\n"
        if let a = r.areaOfApplicability { md += applicability(a) }
        if let c = r.depthConsistency { md += depthConsistency(c, r) }
        if let st = r.stocks { md += stocks(st, r) }
        md += outputs(r)
        if let recovered = r.recovered, !recovered.isEmpty {
            md +=
                "\nLeft by an interrupted earlier run in the output folder:\n\n"
                + recovered.map { "- \($0)\n" }.joined()
        }
        return md + timings(r)
    }

    static func grid(_ g: RunRecord.Grid) -> String {
        var md = "## Grid\n\n"
        md += "- CRS: \(g.crs)\n"
        let cell = g.cellSize + [.nan, .nan]
        let e = g.extent + [.nan, .nan, .nan, .nan]
        md += "- Cell size: \(fmt(cell[0])) x \(fmt(cell[1])) (CRS units)\n"
        md += """
            - Size: \(g.width) x \(g.height) cells; extent \(fmt(e[0])), \(fmt(e[1])) to \(fmt(e[2])), \(fmt(e[3]))\n\n
            """
        return md
    }

    static func covariates(_ r: RunRecord) -> String {
        var md = "## Covariates: \(r.covariates.count) rasters, \(r.channels.count) input channels\n\n"
        md += "| name | kind | source | source CRS | source cell size | nodata | min | max | mean | valid cells |\n"
        md += "|---|---|---|---|---|---|---|---|---|---|\n"
        for c in r.covariates {
            let file = URL(fileURLWithPath: c.source).lastPathComponent + (c.band > 1 ? " band \(c.band)" : "")
            let crs = c.sourceCRS == r.grid.crsCode ? "grid CRS" : c.sourceCRS
            md += """
                | \(c.name) | \(c.kind) | \(file) | \(crs) | \(fmt(c.sourceCellSize)) | \(c.nodataText) | \
                \(fmt(c.min)) | \(fmt(c.max)) | \(fmt(c.mean)) | \(c.validCells) |\n
                """
        }
        let categorical = r.covariates.filter { $0.kind == "categorical" }
        if !categorical.isEmpty {
            md += "\nClasses of the categorical covariates (one input channel each):\n\n"
            for c in categorical {
                md +=
                    "- \(c.name): "
                    + c.classes.map { "\($0.value) \($0.label) (\($0.cells) cells)" }.joined(separator: "; ") + "\n"
            }
        }
        return md
    }

    static func sites(_ s: RunRecord.Sites) -> String {
        var md = "\n## Sites\n\n"
        md += "| | count |\n|---|---|\n"
        md += "| rows in \(s.table) | \(s.rows) |\n"
        md += "| repeated rows of a site (same coordinates) | \(s.repeatedRows) |\n"
        md += "| rows skipped (no id or coordinates, see Data checks) | \(s.skippedRows) |\n"
        md += "| sites read | \(s.read) |\n"
        md += "| coordinates not transformable | \(s.untransformable) |\n"
        md += "| without soil values | \(s.withoutValues) |\n"
        md += "| outside the grid | \(s.outsideGrid) |\n"
        md += "| centre cell nodata | \(s.centreNodata) |\n"
        md += "| **used** | **\(s.used)** |\n"
        md += "| of which padded at the grid edge | \(s.paddedAtEdge) |\n"
        md += "| value profiles with no site row | \(s.profilesWithoutSite) |\n\n"
        md += "Every dropped site is listed with its reason and CSV line in `dropped_sites.csv`.\n\n"
        return md
    }

    static func dataChecks(_ r: RunRecord) -> String {
        let d = r.dataChecks
        var md = "## Data checks\n\n"
        md +=
            d.lines.isEmpty
            ? "No problem found in the tables.\n" : d.lines.map { "- \($0)" }.joined(separator: "\n") + "\n"
        md +=
            d.validRange.map { "\nValues outside \($0) were skipped (outOfRange).\n" }
            ?? "\nNo valid range for unit \(r.unit): only non-numbers were rejected; set profiles.valid_range.\n"
        if d.harmonisedHorizons > 0 {
            md += """
                \n\(d.harmonisedHorizons) horizons were harmonised to the depth intervals with \
                the equal-area quadratic spline.\n
                """
        }
        return md
    }

    static func outputs(_ r: RunRecord) -> String {
        var md = "\n## Outputs\n\n"
        md += """
            - `\(r.patches.file)`: \(r.patches.sites) patches of \(r.channels.count) x \(r.patches.size) x \
            \(r.patches.size) (scaled to [0, 1]) and \(r.samples) samples (site, depth, value)\n
            """
        md += "- `\(OutputLayout.profiles)`: \(r.property) per site and depth interval\n"
        md += "- `\(OutputLayout.droppedSites)`: sites left out, with reason and CSV line\n"
        if r.covariateSelection != nil {
            md += """
                - `\(OutputLayout.selection)/`: the covariate selection: `selection.csv` (RMSE per depth per subset \
                size), `selection.md`, `selected.txt`\n
                """
        }
        if let cv = r.evaluation.crossValidation {
            md +=
                "- `\(OutputLayout.evaluation)/`: metrics (CSV, JSON), held-out predictions, `summary.md` and plots"
                + (cv.zones != nil ? "; metrics per zone in `\(ZoneTables.csvFile)`" : "") + "\n"
            let first = r.depths.first?.depth ?? ""
            md += """
                - `\(OutputLayout.heldOutSites)`: the held-out sites, one point layer per depth with each model's \
                prediction, residual and relative bias (style `\(OutputLayout.heldOutSitesStyle)`; \
                quick-look `\(OutputLayout.relativeBiasPicture(depth: first))`)\n
                """
        }
        if let files = r.modelFiles, !files.isEmpty {
            md += "- `\(OutputLayout.models)/`: the final models fitted on all samples (\(files.count) files)\n"
        }
        if let m = r.maps {
            md += """
                - `\(OutputLayout.maps)/`: \(m.files.filter { $0.hasSuffix(".tif") }.count) cloud-optimised GeoTIFFs \
                with QGIS styles, a QGIS project and quick-looks
                """
            md += " (\(m.tiles) \(m.tiles == 1 ? "tile" : "tiles")"
            md += String(
                format: ", %.0f cells/s, peak memory %.0f MB",
                m.seconds > 0 ? Double(m.cells) / m.seconds : 0, Double(m.peakMemoryBytes) / 1e6)
            md += m.sharedBlocks.map { "; \($0) computed once per tile for all depths)\n" } ?? ")\n"
            if !m.analysisFiles.isEmpty {
                md +=
                    "  - of which \(m.analysisFiles.count) from the analyses of the maps: "
                    + m.analysisFiles.prefix(3).map {
                        "`\(OutputLayout.mapFile(($0 as NSString).deletingPathExtension))`"
                    }
                    .joined(separator: ", ")
                    + (m.analysisFiles.count > 3 ? ", ..." : "") + "\n"
            }
        } else if r.mapsLeftToPredict {
            md +=
                "- `\(OutputLayout.maps)/`: not made by this run (`--no-maps`); `socmap predict \(r.pipeline)` "
                + "(or its shards and `--merge`) maps the final models\n"
        }
        return md
    }
}
