import Evaluation
import Foundation

/// Residual kriging (regression kriging) cross-validated honestly: inside each outer fold, the residuals of the
/// fold's training samples are the inner folds' held-out residuals (`innerHeldOut`: models that never saw the
/// outer fold), their variogram is fitted and kriged to the fold's held-out sites; nothing of the held-out sites
/// shapes their kriged residual.
public struct KrigedHeldOut: Sendable {
    /// Each sample's held-out prediction plus its kriged residual (NaN where the model gave none).
    public var predictions: [Float]
    /// Each sample's kriging variance (NaN where not kriged).
    public var variances: [Float]
    /// Fits (fold, depth) whose residual variogram was a pure nugget (the kriged residual is then the mean of
    /// the neighbours' residuals), and fits made.
    public var pureNugget: Int, fits: Int
    /// Fits (fold, depth) with too few residuals for a variogram, whose held-out samples keep the model's prediction.
    public var unfitted: Int
    /// Training residuals at a site location another already held (fold x depth summed), averaged into it.
    public var coincident: Int = 0
}

extension Experiment {
    /// The held-out predictions `heldOut` (one per sample) with each outer fold's training residuals (observed
    /// minus `inner(fold)`, the inner held-out predictions) kriged to its held-out samples, depth by depth: the
    /// residuals' empirical variogram (gstat's default classes) and the better of a spherical and an exponential
    /// fit, then ordinary kriging of the `neighbours` nearest training sites (`points`: the sites' locations in
    /// the grid's CRS, with its metric).
    public func krigedHeldOut(
        heldOut: [Float], inner: (Int) throws -> [Float], points: SpatialPoints, neighbours: Int
    ) throws -> KrigedHeldOut {
        guard let plan else {
            return KrigedHeldOut(predictions: heldOut, variances: [], pureNugget: 0, fits: 0, unfitted: 0)
        }
        var out = heldOut
        var variances = [Float](repeating: .nan, count: heldOut.count)
        var (pureNugget, fits, unfitted, coincident) = (0, 0, 0, 0)
        for fold in 0..<plan.k {
            let (training, held) = plan.split(fold)
            guard !held.isEmpty else { continue }
            let innerPredictions = try inner(fold)
            for d in data.depths.indices {
                let targets = held.filter { data.samples[$0].depth == d && heldOut[$0].isFinite }
                guard !targets.isEmpty else { continue }
                let known = training.filter { data.samples[$0].depth == d && innerPredictions[$0].isFinite }
                let residuals = known.map { Double(data.samples[$0].value) - Double(innerPredictions[$0]) }
                let sites = points.subset(known.map { data.samples[$0].site })
                fits += 1
                guard known.count >= 3, let v = EmpiricalVariogram.compute(points: sites, values: residuals),
                    let model = VariogramModel.best(v)
                else {
                    unfitted += 1
                    continue
                }
                if !(model.partialSill > 0) { pureNugget += 1 }
                let kriging = OrdinaryKriging(points: sites, values: residuals, model: model, neighbours: neighbours)
                coincident += kriging.coincident
                let estimates = kriging.estimate(at: points.subset(targets.map { data.samples[$0].site }))
                for (s, e) in zip(targets, estimates) where e.value.isFinite {
                    out[s] = Float(Double(heldOut[s]) + e.value)
                    variances[s] = Float(e.variance)
                }
            }
        }
        return KrigedHeldOut(
            predictions: out, variances: variances, pureNugget: pureNugget, fits: fits, unfitted: unfitted,
            coincident: coincident)
    }
}
