import Configuration
import Evaluation
import FileIO
import Foundation
import Mapping
import Patches
import RasterIO
import Workspace

/// The held-out sites of cross-validation as GIS layers (the paper's Figs. 11-12): a GeoPackage with
/// one point layer per depth (every model's prediction, residual and relative bias), its QGIS style,
/// and a quick-look of the first depth's relative bias per model over a grey background map.
///
/// Relative bias is (predicted - observed) / observed; where the observation is 0 it is undefined
/// and written as NULL (the residual is still there), and such sites are not drawn.
enum HeldOutSitesStage {
    /// The fields of every layer: site, fold, observed, then per model pred_, res_ and rbias_.
    static func fields(models: [String]) -> [VectorField] {
        [VectorField("site", .string), VectorField("fold", .integer), VectorField("observed", .real)]
            + models.map { VectorField("pred_\($0)", .real) }
            + models.map { VectorField("res_\($0)", .real) }
            + models.map { VectorField("rbias_\($0)", .real) }
    }

    /// (predicted - observed) / observed; NaN when the observation is 0 or either value is missing.
    static func relativeBias(predicted: Double, observed: Double) -> Double {
        guard observed != 0, observed.isFinite, predicted.isFinite else { return .nan }
        return (predicted - observed) / observed
    }

    /// The model whose relative bias the style and the project show: the mapped one, else the first.
    static func styledModel(_ settings: AssessmentSettings, models: [String]) -> String {
        if let m = settings.predict?.model.rawValue, models.contains(m) { return m }
        return models[0]
    }

    /// Writes the GeoPackage, its style and the quick-look into `layout`; returns the paths written.
    static func write(
        _ settings: AssessmentSettings, data: PatchDataset, predictions: [HeldOutPrediction], models: [String],
        stack: CovariateStack, layout: OutputLayout
    ) throws -> [String] {
        let siteIndex = Dictionary(uniqueKeysWithValues: data.sites.enumerated().map { ($1.id, $0) })
        let sorted = predictions.sorted { ($0.siteID, $0.depth) < ($1.siteID, $1.depth) }
        let gpkg = layout.path(OutputLayout.heldOutSites)
        let writer = try GeoPackageWriter(path: gpkg, crs: stack.grid.crs)
        let layerFields = fields(models: models)
        for (d, depth) in data.depths.enumerated() {
            var features: [PointFeature] = []
            for p in sorted where p.depth == d {
                let site = data.sites[siteIndex[p.siteID]!]
                let predicted = models.map { p.predicted[$0] ?? .nan }
                var values: [VectorValue] = [.string(p.siteID), .integer(p.fold + 1), .real(p.observed)]
                values += predicted.map { .real($0) }
                values += predicted.map { .real($0 - p.observed) }
                values += predicted.map { .real(relativeBias(predicted: $0, observed: p.observed)) }
                features.append(PointFeature(x: site.x, y: site.y, values: values))
            }
            try writer.addLayer(
                name: OutputLayout.heldOutLayer(depth: depth.label), fields: layerFields, features: features)
        }
        try writer.finish()
        let style = layout.path(OutputLayout.heldOutSitesStyle)
        try AtomicFile.write(RelativeBiasStyle.qml(field: "rbias_" + styledModel(settings, models: models)), to: style)

        // Fig. 11: the first depth's relative bias per model.
        let first = data.depths[0]
        let background = try backgroundMap(settings, stack: stack)
        let scaleX = Double(background.width) / Double(stack.grid.width)
        let scaleY = Double(background.height) / Double(stack.grid.height)
        let panels = models.map { model in
            QuickLook.SitePanel(
                title: model,
                sites: sorted.filter { $0.depth == 0 }.map { p in
                    let site = data.sites[siteIndex[p.siteID]!]
                    let cell = stack.grid.transform.pixel(x: site.x, y: site.y)
                    return (
                        cell.col * scaleX, cell.row * scaleY,
                        relativeBias(predicted: p.predicted[model] ?? .nan, observed: p.observed)
                    )
                })
        }
        let picture = layout.path(OutputLayout.relativeBiasPicture(depth: first.label))
        try QuickLook.siteBiasSheet(
            background: background.values, width: background.width, height: background.height,
            panels: panels, title: "Relative bias of held-out sites, \(first.label) (pred - obs) / obs",
            to: picture)
        return [gpkg, style, picture]
    }

    /// The background of the quick-look: the grid raster's covariate (else the first), every k-th
    /// cell of every k-th row so that it is at most about 840 cells wide (memory bounded by a row).
    static func backgroundMap(
        _ settings: AssessmentSettings, stack: CovariateStack
    ) throws -> (values: [Float], width: Int, height: Int) {
        var k = 0
        if let path = settings.gridRaster,
            let i = stack.covariates.firstIndex(where: {
                URL(fileURLWithPath: $0.sourcePath).standardizedFileURL.path
                    == URL(fileURLWithPath: path).standardizedFileURL.path
            })
        {
            k = i
        }
        let grid = stack.grid
        let step = max(1, (max(grid.width, grid.height) + 839) / 840)
        let width = (grid.width + step - 1) / step
        let height = (grid.height + step - 1) / step
        var values = [Float](repeating: .nan, count: width * height)
        for r in 0..<height {
            let block = try stack.readRaw(
                covariate: k, window: PixelWindow(col: 0, row: r * step, width: grid.width, height: 1))
            for c in 0..<width where block.valid[c * step] { values[r * width + c] = block.values[c * step] }
        }
        return (values, width, height)
    }
}
