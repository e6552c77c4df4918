import Compute
import Foundation
import TextFormat

/// The empirical variogram of one model's held-out residuals (observed − predicted) at one depth, with
/// the better-fitting model of the two shapes: whether the errors are still spatially correlated
/// (a nugget share well below 1 within a range), which residual kriging could use.
public struct ResidualVariogram: Codable, Sendable, Equatable {
    /// The model whose residuals these are.
    public var model: String
    /// The depth label.
    public var depth: String
    /// Held-out residuals (sites) used.
    public var n: Int
    /// The empirical variogram (gstat's default classes).
    public var empirical: EmpiricalVariogram
    /// The fitted model (nil when neither shape fits).
    public var fit: VariogramModel?
}

/// Every model's residual variogram per depth, in metrics.json (`residual_variograms`), summary.md and
/// `plots/residual_variogram.svg`.
public struct ResidualVariograms: Codable, Sendable, Equatable {
    /// The distances' unit ("m" for great-circle distances, else the CRS's unit).
    public var unit: String
    /// One per model and depth with at least two located residuals, in model then depth order.
    public var rows: [ResidualVariogram]

    /// The plot's file in the evaluation folder.
    public static let plotFile = "plots/residual_variogram.svg"

    /// The residual variograms of `models` from the held-out `predictions`, each site at
    /// `locations[siteID]` (`x`, `y` in the grid's CRS, measured with `metric`); a sample without a
    /// location or a finite prediction is left out.
    public static func build(
        predictions: [HeldOutPrediction], models: [String], depthLabels: [String],
        locations: [String: SiteLocation], metric: SpatialPoints.Metric, unit: String
    ) -> ResidualVariograms {
        var tasks: [(model: String, depth: String, points: SpatialPoints, residuals: [Double])] = []
        for model in models {
            for (d, label) in depthLabels.enumerated() {
                let r = located(predictions, model: model, depth: d) { locations[$0].map { (x: $0.x, y: $0.y) } }
                tasks.append((model, label, SpatialPoints(x: r.x, y: r.y, metric: metric), r.residuals))
            }
        }
        // The pairs of each model and depth on Compute's workers, one task each (the same result on any
        // thread count).
        var results = [ResidualVariogram?](repeating: nil, count: tasks.count)
        results.withUnsafeMutableBufferPointer { out in
            let slots = out
            Parallel.forEach(tasks.count) { i in
                let t = tasks[i]
                guard let empirical = EmpiricalVariogram.compute(points: t.points, values: t.residuals) else { return }
                slots[i] = ResidualVariogram(
                    model: t.model, depth: t.depth, n: t.residuals.count, empirical: empirical,
                    fit: VariogramModel.best(empirical))
            }
        }
        return ResidualVariograms(unit: unit, rows: results.compactMap { $0 })
    }

    /// `model`'s held-out residuals (observed − predicted) at depth `depth`, in the order of `predictions`, each at
    /// its site's location (`location(siteID)`, in the grid's CRS); a sample without a finite prediction,
    /// observation or location is left out. The one reading of residuals for their variograms and their kriging.
    public static func located(
        _ predictions: [HeldOutPrediction], model: String, depth: Int,
        location: (String) -> (x: Double, y: Double)?
    ) -> (siteIDs: [String], x: [Double], y: [Double], residuals: [Double]) {
        var out: (siteIDs: [String], x: [Double], y: [Double], residuals: [Double]) = ([], [], [], [])
        for p in predictions where p.depth == depth {
            guard let predicted = p.predicted[model], predicted.isFinite, p.observed.isFinite,
                let at = location(p.siteID), at.x.isFinite, at.y.isFinite
            else { continue }
            out.siteIDs.append(p.siteID)
            out.x.append(at.x)
            out.y.append(at.y)
            out.residuals.append(p.observed - predicted)
        }
        return out
    }

    /// The summary's section: per model and depth the fitted shape, nugget, partial sill, range and
    /// nugget share, with how strong the spatial dependence is.
    public func markdown(unit valueUnit: String, heading: String = "##", plot: String = plotFile) -> String {
        guard !rows.isEmpty else { return "" }
        let squared = valueUnit.isEmpty ? "" : " (\(valueUnit))²"
        var out = "\(heading) Spatial correlation of the residuals\n\n"
        out += "The empirical variogram of each model's held-out residuals (observed − predicted) per depth, "
        out += "gstat's classes (15 up to a third of the sites' bounding-box diagonal), fitted with a spherical or "
        out += "exponential model by weighted least squares (gstat's fit.method 7; the better of the two). "
        out += "A nugget share (nugget / sill) near 1 means the residuals are not spatially correlated; below 0.75 "
        out +=
            "they are, within the practical range (beyond the cutoff: still rising there), and kriging the residuals "
        out += "could improve the map. "
        out += "Plot: `\(plot)`.\n\n"
        out += "| Model | Depth | n | Shape | Nugget\(squared) | Partial sill\(squared) | Practical range (\(unit)) "
        out += "| Nugget share | Dependence |\n"
        out += "|---|---|---:|---|---:|---:|---:|---:|---|\n"
        for r in rows {
            var cells = [r.model, TextFormatting.depthDisplay(r.depth), "\(r.n)"]
            if let f = r.fit {
                cells += [
                    f.partialSill > 0 ? f.shape.rawValue : "nugget only", NumberText.significant(f.nugget, 3),
                    NumberText.significant(f.partialSill, 3),
                    f.partialSill <= 0
                        ? "–"
                        : f.practicalRange > r.empirical.cutoff
                            ? "> \(NumberText.significant(r.empirical.cutoff, 3)) (the cutoff)"
                            : NumberText.significant(f.practicalRange, 3),
                    NumberText.fixed(f.nuggetShare, 2, nonFinite: "–"), Self.dependence(f.nuggetShare)
                ]
            } else {
                cells += ["–", "–", "–", "–", "–", "no fit"]
            }
            out += "| " + cells.joined(separator: " | ") + " |\n"
        }
        return out
    }

    /// Cambardella et al. (1994)'s classes of the nugget share.
    static func dependence(_ share: Double) -> String {
        guard share.isFinite else { return "–" }
        if share >= 1 - 1e-9 { return "none (pure nugget)" }
        if share > 0.75 { return "weak" }
        if share >= 0.25 { return "moderate" }
        return "strong"
    }
}
