import Configuration
import Evaluation
import Experiments
import Foundation
import Inputs
import Models
import Patches
import RasterIO
import TextFormat
import Workspace

/// What cross-validation produced.
public struct EvaluationResult: Sendable {
    /// Metrics per model and depth.
    public var table: EvaluationTable
    /// Files written, relative to the output folder.
    public var files: [String]
    /// Samples with no prediction from some model (e.g. a depth with no training sample in a fold), per model.
    public var unpredicted: [String: Int]
    /// Wall time in seconds.
    public var seconds: Double
    /// Folders of the mapped model's fold models, in fold order, saved when the maps show the CV
    /// spread (`predict.uncertainty` with `predict.cv_spread`); empty otherwise. The map stage of the same run
    /// maps with these.
    public var cvModelFolders: [String] = []
    /// The fold of each site of the patch data set (the area of applicability's threshold uses them;
    /// with `evaluate.split: samples` the folds the sites would have under `split: sites`).
    public var foldOfSite: [Int] = []
    /// The prediction intervals' calibration on the held-out residuals and their measured coverage.
    public var intervals: IntervalSummary?
    /// The metrics per zone of `evaluate.zones`, if set.
    public var zones: ZoneBreakdown?
    /// Every held-out prediction, with each model's interval bounds of the maps' method.
    public var predictions: [HeldOutPrediction] = []
    /// The nearest-neighbour distances of the sites, the folds and the prediction cells (geodist).
    public var geodist: GeodistTable?
    /// The variograms of each model's held-out residuals per depth.
    public var variograms: ResidualVariograms?
    /// The combined model's weights per fold and depth (nil without `combined` in `train.models`).
    public var combination: CombinationWeights?
    /// The covariate importance and partial dependence (`evaluate.importance`).
    public var importance: CovariateImportance?
}

/// Cross-validation of the models on identical folds, and the final fit saved for mapping.
public enum ModelStages {
    /// Checks that `train.augment_exclude` names covariates of the stack.
    static func checkAugmentation(_ settings: ModelSettings, data: PatchDataset, file: String) throws {
        do { try settings.validateAugmentation(channels: data.channels) } catch {
            throw StageError(stage: .train, file: file, message: "train.augment_exclude: \(error)")
        }
    }

    /// The unit of spatial block sizes: "degrees" in a geographic CRS, "m" in one whose PROJ string
    /// says so, "CRS units" otherwise.
    static func blockUnit(_ crs: CRS) -> String {
        if crs.isGeographic { return "degrees" }
        if let proj = crs.projString, proj.split(separator: " ").contains("+units=m") { return "m" }
        return "CRS units"
    }

    /// k-fold cross-validation grouped by site (or by spatial blocks), assembled from the saved
    /// training units (every unit must be saved); writes the evaluation folder (and each fold's model
    /// of the mapped model when maps need the CV spread) into `layout`. The sites' coordinates (and
    /// spatial blocks) are in the CRS of the `stack`'s grid; `evaluate.zones` is read on that grid.
    public static func evaluate(
        _ settings: AssessmentSettings, training: RunTraining, evaluate: EvaluateConfig,
        stack: CovariateStack, layout: OutputLayout, observer: StageObserver
    ) throws -> EvaluationResult {
        let crs = stack.grid.crs
        let experiment = training.experiment
        let data = experiment.data
        let plan = experiment.plan!
        let train = training.train
        observer.stageStarted(
            """
            evaluate: \(evaluate.folds)-fold cross-validation of \
            \(train.models.map(\.rawValue).joined(separator: ", "))
            """
        )
        let start = Date()
        var names = train.models.map(\.rawValue)
        let sweepNames = evaluate.freezeSweep.map { "F=\($0)" }
        var predictions: [HeldOutPrediction] = []
        var predictionSample: [Int] = []  // the sample index of each prediction
        var sweepPredictions: [HeldOutPrediction] = []
        var unpredicted: [String: Int] = [:]
        var cvModelFolders: [String] = []
        var heldOut: [String: [Float]]
        let sweep: [String: [Float]]
        // Every fold model's prediction of every sample (held out or not), per model: the spread of the
        // other folds' models at a held-out sample is its difficulty s(x) for the adaptive interval.
        var everySample: [String: [[Float]]] = [:]
        // The combined model's predictions are its members' summed with each fold's weights.
        let combination = try training.combinationWeights()
        let combined = ModelKind.combined.rawValue
        do {
            heldOut = Dictionary(
                uniqueKeysWithValues: try names.map { name in
                    if name == combined, let combination { return (name, try experiment.combinedHeldOut(combination)) }
                    return (name, try experiment.heldOut(name))
                })
            sweep =
                train.models.contains(.transfer)
                ? Dictionary(
                    uniqueKeysWithValues: try sweepNames.map { ($0, try experiment.heldOutSweep("transfer", key: $0)) })
                : [:]
            for name in names {
                if name == combined, let combination {
                    everySample[name] = try experiment.combinedEveryFoldPrediction(combination)
                } else {
                    everySample[name] = try experiment.everyFoldPrediction(name)
                }
            }
        } catch let e as ExperimentError {
            throw StageError(stage: .evaluate, file: e.path, message: e.message)
        }
        // The mapped model with its residuals kriged, scored as "<model>+rk" (each fold's from its inner folds).
        var kriged: KrigedHeldOut?
        if let predict = settings.predict, let rk = predict.residualKriging {
            let name = ResidualKrigingSettings.scoredName(predict.model.rawValue)
            let k = try krigedHeldOut(
                training, model: predict.model, neighbours: rk.neighbours, heldOut: heldOut[predict.model.rawValue]!,
                crs: crs)
            heldOut[name] = k.predictions
            names.append(name)
            kriged = k
            observer.note(
                "\(name): \(k.fits) residual variograms fitted (fold x depth) on the inner folds' residuals, "
                    + "\(k.pureNugget) of them a pure nugget"
                    + (k.unfitted > 0 ? ", \(k.unfitted) with too few residuals (not kriged)" : "")
                    + (k.coincident > 0
                        ? "; \(k.coincident) residuals at a site location already held, averaged into it" : ""))
        }
        for fold in 0..<plan.k {
            let (trainSamples, testSamples) = plan.split(fold)
            guard !testSamples.isEmpty else { continue }
            if let predict = settings.predict, predict.mapsCVModels, train.models.contains(predict.model) {
                let folder = layout.cvModel(named: predict.model.rawValue, fold: fold + 1)
                if predict.model == .combined, let combination {
                    _ = try training.writeCombined(
                        combination, weights: combination.folds[fold], fold: fold, to: folder)
                } else {
                    _ = try training.copyModel(training.unit(predict.model, fold: fold), to: folder)
                }
                cvModelFolders.append(folder)
            }
            for s in testSamples {
                let sample = data.samples[s]
                var predicted: [String: Double] = [:]
                for name in names {
                    let value = heldOut[name]![s]
                    if value.isFinite { predicted[name] = Double(value) } else { unpredicted[name, default: 0] += 1 }
                }
                predictions.append(
                    HeldOutPrediction(
                        siteID: data.sites[sample.site].id, depth: sample.depth, fold: fold,
                        observed: Double(sample.value), predicted: predicted))
                predictionSample.append(s)
                if !sweep.isEmpty {
                    sweepPredictions.append(
                        HeldOutPrediction(
                            siteID: data.sites[sample.site].id, depth: sample.depth, fold: fold,
                            observed: Double(sample.value),
                            predicted: sweep.compactMapValues { $0[s].isFinite ? Double($0[s]) : nil }))
                }
            }
            observer.note(
                """
                fold \(fold + 1)/\(evaluate.folds): \(trainSamples.count) training and \(testSamples.count) \
                held-out samples
                """
            )
        }
        let labels = data.depths.map(\.label)
        // A log1p model's held-out predictions are medians; mapped as means, they are scored as means.
        let backTransform = train.settings.log1p ? settings.predict?.backTransform ?? .default : nil
        var smearing: [SmearingFactor]?
        if backTransform == .mean {
            let predicted = { (n: String) in predictions.filter { $0.predicted[n] != nil }.count }
            let before = names.map(predicted)
            smearing = SmearingFactor.moveToMean(&predictions, models: names, depthLabels: labels)
            // A prediction whose other folds give no factor has no mean: counted as not predicted.
            for (name, count) in zip(names, before) where predicted(name) < count {
                unpredicted[name, default: 0] += count - predicted(name)
            }
            if !sweepPredictions.isEmpty {
                _ = SmearingFactor.moveToMean(&sweepPredictions, models: sweepNames, depthLabels: labels)
            }
        }
        let design = plan.design
        let table = EvaluationTable.build(predictions: predictions, models: names, depthLabels: labels, design: design)
        var sweepEntries: [FreezeSweepEntry]?
        if !sweepNames.isEmpty {
            let sweepTable = EvaluationTable.build(
                predictions: sweepPredictions, models: sweepNames, depthLabels: labels,
                design: design)
            sweepEntries = evaluate.freezeSweep.map { FreezeSweepEntry(f: $0, table: sweepTable, model: "F=\($0)") }
        }
        var samples = intervalSamples(
            data, foldOfSample: plan.foldOfSample, models: names.filter { everySample[$0] != nil },
            everySample: everySample, folds: evaluate.folds)
        if let kriged, let predict = settings.predict {
            samples[ResidualKrigingSettings.scoredName(predict.model.rawValue)] = krigedSamples(
                data, foldOfSample: plan.foldOfSample, kriged: kriged)
        }
        let level = settings.predict?.interval ?? 0.9
        let method = settings.predict?.intervalMethod ?? IntervalMethod.default
        // Each held-out prediction's interval of the maps' method, for predictions.csv.
        for name in names {
            let list = samples[name]!
            var boundsOfSample: [Int: IntervalBounds] = [:]
            for (entry, b) in zip(
                list,
                IntervalCalibration.heldOutBounds(
                    list.map(\.sample), method: method, level: level, folds: evaluate.folds))
            {
                if let b { boundsOfSample[entry.index] = b }
            }
            for i in predictions.indices { predictions[i].bounds[name] = boundsOfSample[predictionSample[i]] }
        }
        var intervals = IntervalSummary.build(
            samples: samples.mapValues { $0.map(\.sample) },
            models: names, depthLabels: labels, folds: evaluate.folds, level: level, method: method,
            sweepModel: settings.predict.map { $0.model.rawValue }
                ?? (names.contains("transfer") ? "transfer" : names[0])
        )
        intervals.backTransform = backTransform
        intervals.smearing = smearing
        if kriged != nil, let predict = settings.predict {
            let name = ResidualKrigingSettings.scoredName(predict.model.rawValue)
            intervals.krigingVariance = KrigingVarianceCheck.measure(
                samples[name]!.map(\.sample), model: name, method: method, level: level, folds: evaluate.folds,
                depthLabels: labels)
        }
        if let predict = settings.predict, predict.uncertainty {
            try checkIntervals(
                intervals,
                model: predict.residualKriging == nil
                    ? predict.model.rawValue : ResidualKrigingSettings.scoredName(predict.model.rawValue),
                method: predict.intervalMethod, level: predict.interval,
                file: settings.file)
        }
        var zones: ZoneBreakdown?
        if let source = evaluate.zones {
            let assignment = try ZoneStage.assignment(settings, source, stack: stack, data: data)
            zones = ZoneBreakdown.build(
                predictions: predictions, models: names, depthLabels: labels, assignment: assignment,
                minimumCount: evaluate.zoneMinSamples)
            if let z = zones {
                // Each zone by its label, with its code where two zones share a label.
                let shared = Set(z.zones.map(\.label).filter { l in z.zones.filter { $0.label == l }.count > 1 })
                let names = Dictionary(
                    uniqueKeysWithValues: z.zones.map {
                        ($0.code, shared.contains($0.label) ? "\($0.label) (\($0.code))" : $0.label)
                    })
                intervals.byZone = GroupCoverage.measure(
                    predictions, models: train.models.map(\.rawValue), depthLabels: labels,
                    groups: z.zones.map { names[$0.code]! }
                ) { p in assignment.zoneOfSite[p.siteID].flatMap { $0 }.flatMap { names[$0] } }
                observer.note(
                    """
                    zones (\(source.text)): \(z.zones.count) zones, \(z.zones.filter { $0.sites > 0 }.count) \
                    with held-out sites
                    """
                        + (z.nodataSites > 0 ? "; \(z.nodataSites) sites on nodata in the zone raster" : ""))
            }
        }
        let geodist = training.domain.map { domain in
            Geodist.build(
                sites: domain.sites(x: data.sites.map(\.x), y: data.sites.map(\.y)), prediction: domain.points,
                foldOfSample: plan.foldOfSample, siteOfSample: data.samples.map(\.site), unit: domain.unit)
        }
        if let g = geodist?.table, let cv = g.row(.crossValidation)?.q50, let p = g.row(.predictionToSample)?.q50 {
            observer.note(
                """
                geodist: median distance to the nearest training site \(GeodistTable.distanceText(cv)) \(g.unit) \
                held out, \(GeodistTable.distanceText(p)) \(g.unit) from the \(g.row(.predictionToSample)!.n) \
                prediction cells
                """
            )
        }
        let locations = try siteLocations(data, crs: crs)
        let variograms = ResidualVariograms.build(
            predictions: predictions, models: names, depthLabels: labels, locations: locations,
            metric: crs.isGeographic ? .greatCircle : .euclidean, unit: crs.isGeographic ? "m" : blockUnit(crs))
        let importance =
            evaluate.importance
            ? try ImportanceStage.measure(settings, training: training, evaluate: evaluate, observer: observer) : nil
        let files = try EvaluationReport.write(
            table: table, predictions: predictions, freezeSweep: sweepEntries, intervals: intervals,
            locations: locations, zones: zones, geodist: geodist, variograms: variograms, combination: combination,
            importance: importance,
            to: layout.evaluationFolder, title: "\(settings.name): \(data.property)", unit: data.unit)
        let siteFiles = try HeldOutSitesStage.write(
            settings, data: data, predictions: predictions, models: names, stack: stack,
            layout: layout)
        return EvaluationResult(
            table: table, files: files + siteFiles, unpredicted: unpredicted,
            seconds: Date().timeIntervalSince(start), cvModelFolders: cvModelFolders, foldOfSite: plan.foldOfSite,
            intervals: intervals, zones: zones, predictions: predictions, geodist: geodist?.table,
            variograms: variograms, combination: combination, importance: importance)
    }

    /// The held-out predictions of `model` with its residuals kriged: each outer fold's training residuals from
    /// the inner folds of the model (of its members, combined with the fold's weights, for the combined model).
    static func krigedHeldOut(
        _ training: RunTraining, model: ModelKind, neighbours: Int, heldOut: [Float], crs: CRS
    ) throws -> KrigedHeldOut {
        let experiment = training.experiment
        let data = experiment.data
        let points = SpatialPoints(
            x: data.sites.map(\.x), y: data.sites.map(\.y), metric: crs.isGeographic ? .greatCircle : .euclidean)
        let weights = model == .combined ? try training.combinationWeights() : nil
        let members = weights?.members ?? [model.rawValue]
        do {
            return try experiment.krigedHeldOut(
                heldOut: heldOut,
                inner: { fold in
                    let each = try members.map { try experiment.innerHeldOut($0, fold: fold) }
                    guard let weights else { return each[0] }
                    return data.samples.indices.map { s in
                        Stacking.combine(each.map { $0[s] }, weights: weights.folds[fold][data.samples[s].depth])
                    }
                }, points: points, neighbours: neighbours)
        } catch let e as ExperimentError {
            throw StageError(stage: .evaluate, file: e.path, message: e.message)
        }
    }

    /// The kriged model's held-out samples for the intervals: its prediction, and its kriging SD as the
    /// difficulty s(x) (`KrigingVarianceCheck`).
    static func krigedSamples(
        _ data: PatchDataset, foldOfSample: [Int], kriged: KrigedHeldOut
    ) -> [(index: Int, sample: IntervalSample)] {
        data.samples.indices.compactMap { s in
            let p = kriged.predictions[s]
            guard p.isFinite else { return nil }
            let v = kriged.variances.isEmpty ? Float.nan : kriged.variances[s]
            return (
                s,
                IntervalSample(
                    depth: data.samples[s].depth, fold: foldOfSample[s], observed: Double(data.samples[s].value),
                    predicted: Double(p), spread: v.isFinite ? Double(v).squareRoot() : .nan)
            )
        }
    }

    /// Each site's coordinates in the grid's CRS and in WGS84 longitude/latitude (OSR; NaN where PROJ cannot).
    static func siteLocations(_ data: PatchDataset, crs: CRS) throws -> [String: SiteLocation] {
        let toWGS84 = try CoordinateTransformer(from: crs, to: try CRS(epsg: 4326))
        let geographic = toWGS84.transform(data.sites.map { (x: $0.x, y: $0.y) })
        var out: [String: SiteLocation] = [:]
        for (site, p) in zip(data.sites, geographic) {
            out[site.id] = SiteLocation(x: site.x, y: site.y, lon: p?.x ?? .nan, lat: p?.y ?? .nan)
        }
        return out
    }

    /// Each model's held-out samples (with their index in `data.samples`) with their difficulty s(x): the SD (n - 1) of the other folds'
    /// models' predictions at the sample (NaN with fewer than two other folds, or any missing).
    static func intervalSamples(
        _ data: PatchDataset, foldOfSample: [Int], models: [String], everySample: [String: [[Float]]],
        folds: Int
    ) -> [String: [(index: Int, sample: IntervalSample)]] {
        var out: [String: [(index: Int, sample: IntervalSample)]] = [:]
        for name in models {
            let byFold = everySample[name]!
            var list: [(index: Int, sample: IntervalSample)] = []
            for (s, sample) in data.samples.enumerated() {
                let fold = foldOfSample[s]
                let own = byFold[fold][s]
                guard own.isFinite else { continue }
                let others = (0..<folds).filter { $0 != fold }.map { Double(byFold[$0][s]) }
                var spread = Double.nan
                if others.count >= 2, others.allSatisfy(\.isFinite) {
                    let mean = others.reduce(0, +) / Double(others.count)
                    spread = (others.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(others.count - 1))
                        .squareRoot()
                }
                list.append(
                    (
                        s,
                        IntervalSample(
                            depth: sample.depth, fold: fold, observed: Double(sample.value), predicted: Double(own),
                            spread: spread)
                    ))
            }
            out[name] = list
        }
        return out
    }

    /// The mapped model's interval must be finite at every depth: an error naming the depth and the key otherwise.
    static func checkIntervals(
        _ intervals: IntervalSummary, model: String, method: IntervalMethod, level: Double,
        file: String
    ) throws {
        for c in intervals.calibration where c.model == model && c.method == method && c.q == nil {
            let need = ConformalQuantile.minimumCount(level: level)
            let why =
                method == .adaptive && c.n == 0
                ? """
                no held-out sample has a spread of the other folds' models (it needs evaluate.folds >= 3); use \
                predict.interval_method: conformal
                """
                : method == .logConformal && c.n == 0
                    ? """
                    the median observation is not above 0, so the log scale has no offset; use \
                    predict.interval_method: conformal
                    """
                    : method == .scaledConformal && c.n == 0
                        ? """
                        every held-out residual is 0, so there is no residual scale; use \
                        predict.interval_method: conformal
                        """
                        : """
                        it has \(c.n) held-out residuals of the \(model) model and a \(level) interval needs at least \
                        \(need) (the interval would be infinite); lower predict.interval or add samples at this depth
                        """
            throw StageError(
                stage: .evaluate, file: file, message: "depth \(c.depth): no calibrated prediction interval: \(why)")
        }
    }

    /// Copies the final fit of every model from its saved unit into the layout's models folder;
    /// returns the files written, relative to the output folder.
    public static func trainFinal(_ training: RunTraining, layout: OutputLayout) throws -> [String] {
        var files: [String] = []
        for kind in training.train.models {
            let folder = layout.model(named: kind.rawValue)
            let written: [String]
            if kind == .combined, let combination = try training.combinationWeights() {
                written = try training.writeCombined(combination, weights: combination.final, fold: nil, to: folder)
            } else {
                written = try training.copyModel(training.unit(kind, fold: nil), to: folder)
            }
            files += written.map { OutputLayout.modelFile(named: kind.rawValue, $0) }
        }
        return files
    }
}
