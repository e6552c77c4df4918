import Applicability
import Compute
import Configuration
import Evaluation
import Foundation
import Mapping
import Models
import RasterIO
import SoilData
import Workspace

/// The map stage's checks of its model and intervals, its counts over the stored tiles, and what the
/// maps are stamped with (CV scores, held-out sites' layers).
extension MapStage {
    /// Per depth, mapped cells whose lower interval bound sits at `limit` (raised to it) and cells
    /// mapped, from the stored tiles' lower-bound layers (`layout.lower(depth)`).
    static func raisedLowerBounds(
        plan: MapPlan, store: TileStore, layout: TileLayers,
        limit: Double
    ) throws -> [(raised: Int, mapped: Int)] {
        try boundsAt(limit, layers: (0..<layout.depths).map { layout.lower($0)! }, plan: plan, store: store)
    }

    /// Per depth, the mapped cells whose upper interval bound equals `limit` (lowered to it by the interval's
    /// `upperLimit`), and the mapped cells.
    static func loweredUpperBounds(
        plan: MapPlan, store: TileStore, layout: TileLayers, limit: Double
    ) throws -> [(lowered: Int, mapped: Int)] {
        try boundsAt(limit, layers: (0..<layout.depths).map { layout.upper($0)! }, plan: plan, store: store)
            .map { (lowered: $0.raised, mapped: $0.mapped) }
    }

    /// Per layer in `layers` (one per depth), the mapped cells equal to `limit`, and the mapped cells.
    private static func boundsAt(
        _ limit: Double, layers: [Int], plan: MapPlan, store: TileStore
    ) throws -> [(raised: Int, mapped: Int)] {
        var counts = [(raised: Int, mapped: Int)](repeating: (0, 0), count: layers.count)
        let bound = Float(limit)
        for (t, window) in plan.tiles.enumerated() {
            let stored = try store.read(t, cells: window.cellCount)
            for (d, layer) in layers.enumerated() {
                for v in stored[layer] where v.isFinite {
                    counts[d].mapped += 1
                    if v == bound { counts[d].raised += 1 }
                }
            }
        }
        return counts
    }

    /// Per depth, the mapped cells whose value is an end of `range` (brought there by
    /// `TilePredictor.valueRange`; a model's own prediction equal to an end to the last bit is not expected).
    static func cellsAtRangeEnds(
        plan: MapPlan, store: TileStore, layout: TileLayers, range: ValidRange
    ) throws -> [(atEnd: Int, mapped: Int)] {
        var counts = [(atEnd: Int, mapped: Int)](repeating: (0, 0), count: layout.depths)
        let (lo, hi) = (Float(range.min), Float(range.max))
        for (t, window) in plan.tiles.enumerated() {
            let layers = try store.read(t, cells: window.cellCount)
            for d in 0..<layout.depths {
                for v in layers[layout.prediction(d)] where v.isFinite {
                    counts[d].mapped += 1
                    if v == lo || v == hi { counts[d].atEnd += 1 }
                }
            }
        }
        return counts
    }

    /// Per depth, the mapped cells without an uncertainty (their median is not above 0, so the ratio is
    /// not defined), and the mapped cells.
    static func undefinedUncertainty(
        plan: MapPlan, store: TileStore, layout: TileLayers
    ) throws -> [(undefined: Int, mapped: Int)] {
        var counts = [(undefined: Int, mapped: Int)](repeating: (0, 0), count: layout.depths)
        for (t, window) in plan.tiles.enumerated() {
            let stored = try store.read(t, cells: window.cellCount)
            for d in 0..<layout.depths {
                let (map, ratio) = (stored[layout.prediction(d)], stored[layout.uncertainty(d)!])
                for k in map.indices where map[k].isFinite {
                    counts[d].mapped += 1
                    if !ratio[k].isFinite { counts[d].undefined += 1 }
                }
            }
        }
        return counts
    }

    /// Cells inside the AOA and cells mapped, from the AOA layer of the stored tiles.
    static func applicabilityCounts(plan: MapPlan, store: TileStore, layer: Int) throws -> (inside: Int, mapped: Int) {
        var inside = 0
        var mapped = 0
        for (t, window) in plan.tiles.enumerated() {
            for v in try store.read(t, cells: window.cellCount)[layer] where v.isFinite {
                mapped += 1
                if v == 1 { inside += 1 }
            }
        }
        return (inside, mapped)
    }

    /// The mapped model's calibrated interval at every depth of the model, from cross-validation, its
    /// bounds kept within `lowerLimit` ... `upperLimit` (the ends of profiles.valid_range): an
    /// error naming the depth and `predict.interval` when a depth has none (too few residuals), or
    /// when the evaluation was calibrated at another level.
    static func predictionInterval(
        _ intervals: IntervalSummary?, predict: PredictConfig, model: String, depths: [String],
        file: String, lowerLimit: Double?, upperLimit: Double?
    ) throws -> PredictionInterval {
        guard let intervals else {
            throw MapStageError(
                .evaluation, file: file,
                message:
                    """
                    the prediction intervals need the cross-validation's held-out residuals; run the pipeline \
                    with an 'evaluate' section
                    """
            )
        }
        guard abs(intervals.level - predict.interval) < 1e-12 else {
            throw MapStageError(
                .evaluation, file: file,
                message:
                    """
                    the evaluation calibrated intervals at \(intervals.level), predict.interval asks for \
                    \(predict.interval); run `socmap run \(file)` again
                    """
            )
        }
        var q: [Double] = []
        var floors: [Double] = []
        var offsets: [Double] = []
        var centres: [Double] = []
        var scales: [PiecewiseLinear] = []
        for depth in depths {
            let method = predict.intervalMethod
            let found = intervals.calibration(model: model, method: method, depth: depth)
            guard found != nil || intervals.calibration.contains(where: { $0.method == method }) else {
                throw MapStageError(
                    .evaluation, file: file,
                    message: """
                        the evaluation holds no \(method.rawValue) interval (it was made by an earlier socmap, \
                        before that method); run `socmap run \(file)` again, or set predict.interval_method to one \
                        it holds (\(Set(intervals.calibration.map(\.method.rawValue)).sorted().joined(separator: ", ")))
                        """)
            }
            guard let c = found, let h = c.q, h.isFinite, method != .logConformal || (c.offset ?? 0) > 0,
                method != .scaledConformal || c.scale != nil
            else {
                throw MapStageError(
                    .evaluation, file: file,
                    message:
                        """
                        depth \(depth): no calibrated \(predict.intervalMethod.rawValue) interval of the \
                        \(model) model at predict.interval \(predict.interval) (a \(predict.interval) interval \
                        needs at least \(ConformalQuantile.minimumCount(level: predict.interval)) held-out \
                        residuals per depth); lower predict.interval or add samples
                        """
                )
            }
            guard let centre = c.centre, centre.isFinite else {
                throw MapStageError(
                    .evaluation, file: file,
                    message: """
                        depth \(depth): the evaluation holds no median of the held-out scores (it was made by an \
                        earlier socmap, before the Q50 and uncertainty maps); run `socmap run \(file)` again
                        """)
            }
            q.append(h)
            floors.append(c.floor)
            offsets.append(c.offset ?? 0)
            centres.append(centre)
            if let s = c.scale { scales.append(s) }
        }
        return PredictionInterval(
            level: predict.interval, adaptive: predict.intervalMethod == .adaptive, halfWidths: q, floors: floors,
            logOffsets: predict.intervalMethod == .logConformal ? offsets : nil, centres: centres,
            scales: predict.intervalMethod == .scaledConformal ? scales : nil, lowerLimit: lowerLimit,
            upperLimit: upperLimit)
    }

    /// Per depth, the smearing factor that moves a log1p model's median maps to the mean, from the
    /// evaluation's held-out predictions; nil when the model was fitted on the values or
    /// `predict.back_transform` is median. Throws when the evaluation holds no factor for the model.
    static func smearingFactors(
        _ intervals: IntervalSummary?, description: ModelStore.Description, predict: PredictConfig, file: String
    ) throws -> [SmearingFactor]? {
        guard description.log1p, predict.backTransform == .mean else { return nil }
        let factors = description.depths.map { intervals?.smearingFactor(model: predict.model.rawValue, depth: $0) }
        guard intervals?.backTransform == .mean, factors.allSatisfy({ $0?.factor.isFinite == true }) else {
            throw MapStageError(
                .evaluation, file: file,
                message: """
                    the \(predict.model.rawValue) model was fitted on log1p(value); its maps hold the mean \
                    (predict.back_transform: mean), whose smearing factor per depth comes from the \
                    cross-validation's held-out predictions, and the evaluation holds none; run `socmap run \
                    \(file)` with an 'evaluate' section, or set predict.back_transform: median
                    """)
        }
        return factors.map { $0! }
    }

    /// Per depth, the `model`'s error profile: its held-out errors against each held-out site's
    /// cross-validation DI; nil without held-out predictions of the model at every depth.
    static func errorProfiles(
        _ aoa: ApplicabilityFit, heldOut: [HeldOutPrediction], model: String, depths: [String]
    ) -> [ErrorProfile]? {
        var diOfSite: [String: Double] = [:]
        for (id, di) in zip(aoa.siteIDs, aoa.index.trainingDI) { diOfSite[id] = di }
        var profiles: [ErrorProfile] = []
        for d in depths.indices {
            var di: [Double] = []
            var errors: [Double] = []
            for p in heldOut where p.depth == d {
                guard let predicted = p.predicted[model], let x = diOfSite[p.siteID] else { continue }
                di.append(x)
                errors.append(p.observed - predicted)
            }
            guard let profile = ErrorProfile(di: di, errors: errors) else { return nil }
            profiles.append(profile)
        }
        return profiles
    }

    /// A combined model's weights for the maps' metadata: "nnls: 0-5cm transfer 0.62 rf 0.38; 5-15cm ...".
    static func combinationText(_ c: ModelStore.Combination, depths: [String]) -> String {
        "\(c.weighting.rawValue): "
            + zip(depths, c.weights).map { depth, w in
                depth + zip(c.members, w).map { " \($0.rawValue)" + String(format: " %.4f", $1) }.joined()
            }.joined(separator: "; ")
    }

    /// What the depth maps hold, for their metadata and the report.
    static func statisticText(description: ModelStore.Description, smearing: [SmearingFactor]?) -> String {
        guard description.log1p else {
            return "mean: the model's prediction, fitted to the values by least squares"
        }
        guard let smearing else { return "median: expm1 of the prediction of a model fitted on log1p(value)" }
        let factors = smearing.map { "\($0.depth) \(String(format: "%.4f", $0.factor)) (n = \($0.n))" }
        return "mean: (1 + expm1 of the log1p model's prediction) x Duan's smearing factor - 1, the factor from the "
            + "held-out residuals: " + factors.joined(separator: ", ")
    }

    /// The stack as the model reads it: its covariates found by name or, renamed, by their values on the
    /// grid (`CovariateMatch`), in the model's order; a model saved before covariates were recorded reads
    /// the stack as listed (only its channels' covariates with `select`). Throws naming every covariate
    /// that changed, is missing or is listed but not read.
    static func modelStack(
        _ d: ModelStore.Description, stack: CovariateStack, settings: MapSettings, modelFolder: String,
        observer: MapObserver
    ) throws -> CovariateStack {
        guard let trained = d.covariates else {
            return !settings.selectsCovariates
                ? stack : stack.selecting(covariates: Set(d.channels.map(\.covariate)))
        }
        do {
            let match = try CovariateMatch(
                trained: trained, current: stack.covariates, selects: settings.selectsCovariates)
            if let note = match.note { observer.note(note) }
            return stack.arranged(match.order)
        } catch let mismatch as CovariateMatch.Mismatch {
            let lines = mismatch.problems.map { "  - " + $0 }.joined(separator: "\n")
            throw MapStageError(
                .model, file: modelFolder,
                message: """
                    the covariates of \(settings.file) (covariates.files) are not the ones this model was trained on:
                    \(lines)
                    restore the covariates the model was trained on, or train it on these with `socmap run \(settings.file)`
                    """)
        }
    }

    /// The model must have been trained on the same channels with the same scaling.
    static func checkCompatible(
        _ d: ModelStore.Description, stack: CovariateStack, modelFolder: String, pipeline: String
    ) throws {
        let names = stack.channels.map(\.name)
        let trained = d.channels.map(\.name)
        guard names == trained else {
            let missing = trained.filter { !names.contains($0) }
            let extra = names.filter { !trained.contains($0) }
            var what: [String] = []
            if !missing.isEmpty { what.append("not in the stack: " + missing.joined(separator: ", ")) }
            if !extra.isEmpty { what.append("not in the model: " + extra.joined(separator: ", ")) }
            if what.isEmpty { what.append("the same channels in another order") }
            throw MapStageError(
                .model, file: modelFolder,
                message:
                    """
                    the model was trained on other channels (\(trained.count)) than the covariates give \
                    (\(names.count)); \(what.joined(separator: "; ")); retrain with `socmap run \(pipeline)`
                    """
            )
        }
        for (a, b) in zip(stack.channels, d.channels)
        where abs(a.min - b.min) > 1e-6 * max(1, abs(a.min)) || abs(a.max - b.max) > 1e-6 * max(1, abs(a.max)) {
            throw MapStageError(
                .model, file: modelFolder,
                message:
                    """
                    covariate '\(a.name)' is scaled differently than when the model was trained (range \
                    \(a.min)..\(a.max), trained on \(b.min)..\(b.max)); retrain the model
                    """
            )
        }
    }

    /// The held-out sites' layers for the project when their GeoPackage is in this run's output (or, for
    /// `socmap predict` of a pipeline with `evaluate`, was published by the run): one per depth, styled on the
    /// mapped model's relative bias. A run without `evaluate` has none, even while an earlier run's are still
    /// published.
    static func heldOutPointLayers(
        _ settings: MapSettings, depths: [String], output: OutputLayout
    ) -> [QGISProject.PointLayer] {
        let predict = settings.predict
        guard settings.evaluated else { return [] }
        let here = [output.path(OutputLayout.heldOutSites), settings.published.path(OutputLayout.heldOutSites)]
        guard here.contains(where: { FileManager.default.fileExists(atPath: $0) }) else { return [] }
        let fromMaps = "../" + OutputLayout.heldOutSites  // the project is in maps/, beside evaluation/
        return depths.map { depth in
            QGISProject.PointLayer(
                name: OutputLayout.heldOutLayer(depth: depth), path: fromMaps,
                layer: OutputLayout.heldOutLayer(depth: depth), field: "rbias_" + predict.model.rawValue,
                stylePath: "../" + OutputLayout.heldOutSitesStyle,
                group: "Held-out sites: relative bias of \(predict.model.rawValue)")
        }
    }

    /// The CV scores stamped on the map of `depth`: that depth's cross-validated metrics of `model`
    /// and how they were made, e.g. "0-5cm: R2=0.41 RMSE=11.2 rRMSE=25.1% ME=-0.3 MAE=8.1 KGE=0.52
    /// n=480 (transfer, g/kg, 5-fold CV of randomly grouped sites, seed 2025)", or "not evaluated".
    static func cvScores(_ metrics: EvaluationTable?, model: String, depth: String, unit: String) -> String {
        guard let metrics, let row = metrics.row(model: model, depth: depth) else {
            return Provenance.notEvaluated
        }
        let design = metrics.design?.shortDescription ?? "\(metrics.folds)-fold CV, fold design not recorded"
        let unitText = unit.isEmpty ? "" : ", \(unit)"
        return "\(depth): \(ScoreTables.compact(row.metrics)) (\(model)\(unitText), \(design))"
    }
}
