import Configuration
import Evaluation
import FileIO
import Foundation
import Mapping
import Patches
import TextFormat

/// Residual kriging in the map stage (`predict.residual_kriging`): the mapped model's held-out residuals of the
/// evaluation (observed − predicted at each site, every site predicted by a fold model that never saw it), a
/// variogram fitted per depth, and ordinary kriging of the nearest residuals to every mapped cell.
extension MapStage {
    /// What the maps' residual kriging is made of, for the predictor, the notes and the maps' metadata.
    struct KrigingPlan {
        /// The predictor's estimates.
        var kriging: ResidualKriging
        /// Per depth, the fitted variogram (nil: too few residuals or no fit; that depth is not kriged).
        var fits: [VariogramModel?]
        /// Per depth, the residuals kriged.
        var counts: [Int]
        /// Residuals each estimate weighs.
        var neighbours: Int
        /// Per depth, residuals at a site location another residual already has, averaged into it.
        var coincident: [Int] = []

        /// "0-5cm: spherical nugget 0.12 partial sill 0.05 range 3400 (n=280); ...", for notes and metadata.
        func text(depths: [String]) -> String {
            var parts: [String] = []
            for (d, depth) in depths.enumerated() {
                guard let m = fits[d] else {
                    parts.append("\(depth): not kriged (n=\(counts[d]), no variogram fit)")
                    continue
                }
                let shape = m.partialSill > 0 ? m.shape.rawValue : "pure nugget"
                let nugget = NumberText.significant(m.nugget, 4)
                let sill = NumberText.significant(m.partialSill, 4)
                let range = NumberText.significant(m.range, 4)
                let shared =
                    d < coincident.count && coincident[d] > 0
                    ? ", \(coincident[d]) at a site location already held, averaged into it" : ""
                parts.append(
                    "\(depth): \(shape) nugget \(nugget) partial sill \(sill) range \(range) (n=\(counts[d])\(shared))")
            }
            return "\(neighbours) neighbours; " + parts.joined(separator: "; ")
        }
    }

    /// The residual kriging of `model`'s held-out predictions in `heldOut`, at sites `sites` (grid CRS), per
    /// depth of `depths`; an error naming the pipeline when the evaluation holds none of the model's residuals.
    static func krigingPlan(
        _ settings: ResidualKrigingSettings, heldOut: [HeldOutPrediction], sites: [String: (x: Double, y: Double)],
        model: String, depths: [String], geographic: Bool, file: String
    ) throws -> KrigingPlan {
        let metric: SpatialPoints.Metric = geographic ? .greatCircle : .euclidean
        var krigings: [OrdinaryKriging?] = []
        var fits: [VariogramModel?] = []
        var counts: [Int] = []
        var fingerprint = "neighbours=\(settings.neighbours)\n"
        // In site order, whichever order the predictions came in (the run's folds, or predictions.csv): the
        // kriging systems, and so the maps' bytes, depend on the points' order.
        let bySite = heldOut.sorted { $0.siteID < $1.siteID }
        for d in depths.indices {
            let (ids, x, y, r) = ResidualVariograms.located(bySite, model: model, depth: d) { sites[$0] }
            for i in r.indices { fingerprint += "\(d),\(ids[i]),\(x[i]),\(y[i]),\(r[i])\n" }
            let points = SpatialPoints(x: x, y: y, metric: metric)
            let fit =
                r.count >= 3 ? EmpiricalVariogram.compute(points: points, values: r).flatMap(VariogramModel.best) : nil
            fits.append(fit)
            counts.append(r.count)
            krigings.append(
                fit.map { OrdinaryKriging(points: points, values: r, model: $0, neighbours: settings.neighbours) })
        }
        guard counts.contains(where: { $0 > 0 }) else {
            throw MapStageError(
                .evaluation, file: file,
                message: """
                    predict.residual_kriging needs the \(model) model's held-out residuals, and the evaluation \
                    holds none; run `socmap run \(file)` again
                    """)
        }
        let all = krigings
        let kriging = ResidualKriging(summary: SHA256Hasher.hex(Data(fingerprint.utf8))) { d, x, y, variances in
            guard let k = all[d] else { return [] }
            return k.estimate(at: SpatialPoints(x: x, y: y, metric: metric), variances: variances).map {
                (value: $0.value, sd: $0.variance.squareRoot())
            }
        }
        return KrigingPlan(
            kriging: kriging, fits: fits, counts: counts, neighbours: settings.neighbours,
            coincident: krigings.map { $0?.coincident ?? 0 })
    }

    /// The sites' locations in the grid's CRS from a patch data set.
    static func siteLocations(_ data: PatchDataset) -> [String: (x: Double, y: Double)] {
        Dictionary(data.sites.map { ($0.id, (x: $0.x, y: $0.y)) }) { a, _ in a }
    }

    /// The kriged bands of the maps' interval: per depth where the evaluation found the band scaled by the kriging
    /// SD calibrated (`KrigingVarianceCheck`), its calibration (the kriged model's adaptive one); nil elsewhere.
    static func krigedBands(
        _ intervals: IntervalSummary?, model: String, depths: [String]
    ) -> [PredictionInterval.KrigedBand?]? {
        guard let intervals, let check = intervals.krigingVariance else { return nil }
        let bands = depths.map { depth -> PredictionInterval.KrigedBand? in
            guard check.folded(depth), let c = intervals.calibration(model: model, method: .adaptive, depth: depth),
                let q = c.q, q.isFinite, let centre = c.centre, centre.isFinite
            else { return nil }
            return PredictionInterval.KrigedBand(q: q, floor: c.floor, centre: centre)
        }
        return bands.contains { $0 != nil } ? bands : nil
    }
}
