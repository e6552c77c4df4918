import Evaluation
import FileIO
import Foundation
import Models
import Patches
import Randomness
import RasterIO
import TextFormat

/// What a study produced.
public struct StudySummary: Sendable {
    /// The study's output folder.
    public var outputFolder: String
    /// Files written (absolute paths).
    public var files: [String]
    /// The comparison (metrics and paired differences).
    public var comparison: StudyComparison
    /// Units (fold x variant) trained in this process and reused from an earlier, interrupted or finished study.
    public var trained: Int, reused: Int
    /// Pre-trainings shared between variants instead of run again.
    public var sharedPretrainings: Int
    /// Wall time in seconds.
    public var seconds: Double
}

/// Runs a study: every variant on the pipeline's folds, one unit (fold x variant) at a time, each
/// unit's held-out predictions saved atomically so an interrupted study continues where it stopped;
/// then the table, the paired bootstrap differences and the plots.
public final class StudyRunner {
    /// The parsed study.
    public let study: StudyConfig
    let observer: PipelineObserver

    /// The marker file that makes a folder a study folder (a study refuses to write into any other non-empty folder).
    static let marker = ".socmap-study"

    /// Creates a runner for a parsed study.
    public init(study: StudyConfig, observer: PipelineObserver = SilentObserver()) {
        self.study = study
        self.observer = observer
    }

    /// One finished unit as saved: the held-out samples' indices and predictions, and what made them.
    struct Unit: Codable {
        var fingerprint: String
        var variant: String
        var fold: Int
        var seconds: Double
        var samples: [Int]
        var values: [Float]
    }

    /// Runs every unit not already saved with the same fingerprint, then writes the study's files.
    public func run() throws -> StudySummary {
        let start = Date()
        let config = study.pipeline
        try PreflightChecks.run(config)
        try claimFolder()
        let runner = PipelineRunner(config: config, observer: observer)
        let (_, _, data, _) = try runner.prepare()
        let evaluate = config.evaluate!
        try ModelStages.check(data, folds: evaluate.folds)
        let siteFolds = try ModelStages.folds(config, data: data, evaluate: evaluate)
        let foldOfSample = try ModelStages.sampleFolds(config, data: data, evaluate: evaluate, siteFolds: siteFolds)
        let dataHash = Self.fingerprint(data, folds: foldOfSample)
        let variants = study.variants
        let total = evaluate.folds * variants.count
        observer.stageStarted("study: \(variants.count) variants x \(evaluate.folds) folds = \(total) units (\(study.output))")
        var predictions = [String: [Float]]()
        for v in variants { predictions[v.name] = [Float](repeating: .nan, count: data.samples.count) }
        var seconds = [String: Double]()
        var trained = 0, reused = 0, done = 0
        let cache = PretrainingCache()
        // Units still to train (those saved with the same fingerprint are reused): the ETA counts these.
        var toTrain = 0
        for fold in 0..<evaluate.folds {
            for v in variants where readUnit(unitPath(v.name, fold: fold), fingerprint: Self.unitFingerprint(dataHash, variant: v, fold: fold)) == nil {
                toTrain += 1
            }
        }
        if toTrain < total { observer.note("\(total - toTrain) of \(total) units already saved by an earlier run of this study; \(toTrain) to train") }
        let trainingStart = Date()
        for fold in 0..<evaluate.folds {
            let trainSamples = data.samples.indices.filter { foldOfSample[$0] != fold }
            let testSamples = data.samples.indices.filter { foldOfSample[$0] == fold }
            for variant in variants {
                let fingerprint = Self.unitFingerprint(dataHash, variant: variant, fold: fold)
                let path = unitPath(variant.name, fold: fold)
                var unit = readUnit(path, fingerprint: fingerprint)
                if unit == nil {
                    let eta = trained > 0
                        ? DurationText.clock(Date().timeIntervalSince(trainingStart) / Double(trained) * Double(max(toTrain - trained, 0))) : "--"
                    let prefix = "[unit \(trained + 1)/\(toTrain) to train, study ETA \(eta)] fold \(fold + 1)/\(evaluate.folds) \(variant.name): "
                    let unitStart = Date()
                    let (models, _) = try ModelFitting.fit(
                        [variant.model], data: TrainingData(data: data, samples: trainSamples), settings: variant.settings,
                        seed: variant.seed &+ UInt64(fold) &* 7919, pretraining: cache,
                        progress: ModelStages.eventHandler(prefix, observer))
                    let values = testSamples.isEmpty ? [] : models[variant.model]!.predict(data, samples: testSamples)
                    let made = Unit(fingerprint: fingerprint, variant: variant.name, fold: fold,
                                    seconds: Date().timeIntervalSince(unitStart), samples: testSamples, values: values)
                    try writeUnit(made, to: path)
                    unit = made
                    trained += 1
                } else {
                    reused += 1
                }
                done += 1
                observer.progress("study units", done: done, total: total, detail: "\(variant.name), fold \(fold + 1)")
                for (s, value) in zip(unit!.samples, unit!.values) { predictions[variant.name]![s] = value }
                seconds[variant.name, default: 0] += unit!.seconds
            }
            cache.removeAll()
        }
        var notes: [String] = []
        if !study.common.isEmpty { notes.append("Every variant: \(study.common) (the study's own keys, over the pipeline's).") }
        if reused > 0 { notes.append("\(reused) of \(total) units reused from an earlier run of this study (same data, folds, settings and seed)") }
        if cache.hits > 0 { notes.append("\(cache.hits) transfer pre-trainings shared between variants that differ only in fine-tuning") }
        let held = Self.heldOut(data, foldOfSample: foldOfSample, predictions: predictions, variants: variants.map(\.name))
        let design = ModelStages.foldDesign(evaluate, seed: config.seed, crs: try CRS(wkt: data.grid.crsWKT))
        let comparison = StudyComparison.build(predictions: held, variants: variants.map(\.name), baselines: study.baselines,
                                               depthLabels: data.depths.map(\.label), design: design, resamples: study.resamples,
                                               seed: config.seed)
        let wall = Date().timeIntervalSince(start)
        let context = StudyReport.Context(
            title: "\(config.name): \(data.property)", unit: data.unit,
            variants: variants.map { StudyReport.Variant(name: $0.name, model: $0.model.rawValue,
                                                         changes: $0.changes.isEmpty ? "as the pipeline" : $0.changes,
                                                         seed: $0.seed, seconds: seconds[$0.name] ?? 0) },
            seedPairs: study.seedPairs, wallSeconds: wall, notes: notes, reference: study.reference)
        let files: [String]
        do {
            files = try StudyReport.write(comparison, predictions: held, context: context, to: study.output)
        } catch let e as EvaluationError {
            throw PipelineError(stage: "study", file: e.path, message: e.message)
        }
        return StudySummary(outputFolder: study.output, files: files, comparison: comparison, trained: trained, reused: reused,
                            sharedPretrainings: cache.hits, seconds: wall)
    }

    /// Creates the study folder with its marker, or accepts it when it is a study folder or empty.
    func claimFolder() throws {
        let fm = FileManager.default
        let markerPath = (study.output as NSString).appendingPathComponent(Self.marker)
        var isFolder: ObjCBool = false
        if fm.fileExists(atPath: study.output, isDirectory: &isFolder) {
            guard isFolder.boolValue else {
                throw PipelineError(stage: "study", file: study.file, message: "the study's output '\(study.output)' is a file; set 'output' to a folder")
            }
            let entries = (try? fm.contentsOfDirectory(atPath: study.output)) ?? []
            if !entries.isEmpty && !fm.fileExists(atPath: markerPath) {
                throw PipelineError(stage: "study", file: study.file,
                                    message: "the folder '\(study.output)' holds files a study did not write; set 'output' in the study file to a new or empty folder")
            }
        }
        do {
            try fm.createDirectory(atPath: (study.output as NSString).appendingPathComponent("units"), withIntermediateDirectories: true)
            if !fm.fileExists(atPath: markerPath) {
                try AtomicFile.write("A SOCMap study folder: `socmap study` continues the units saved here.\n", to: markerPath)
            }
        } catch {
            throw PipelineError(stage: "study", file: study.output, message: "cannot create the study folder: \(SystemError.reason(error))")
        }
    }

    /// Where a unit is saved.
    func unitPath(_ variant: String, fold: Int) -> String {
        (study.output as NSString).appendingPathComponent("units/\(variant)/fold-\(fold + 1).json")
    }

    /// A saved unit with this fingerprint, or nil (missing, unreadable or made from other inputs).
    func readUnit(_ path: String, fingerprint: String) -> Unit? {
        guard let bytes = FileManager.default.contents(atPath: path),
              let unit = try? JSONDecoder().decode(Unit.self, from: bytes), unit.fingerprint == fingerprint,
              unit.samples.count == unit.values.count else { return nil }
        return unit
    }

    /// Saves a unit atomically (its folder created).
    func writeUnit(_ unit: Unit, to path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            try AtomicFile.write(try encoder.encode(unit), to: path)
        } catch let e as FileWriteError {
            throw PipelineError(stage: "study", file: path, message: "cannot save the unit: \(e.message)")
        } catch {
            throw PipelineError(stage: "study", file: path, message: "cannot save the unit: \(SystemError.reason(error))")
        }
    }

    /// The held-out predictions of every variant, one record per sample.
    static func heldOut(_ data: PatchDataset, foldOfSample: [Int], predictions: [String: [Float]],
                        variants: [String]) -> [HeldOutPrediction] {
        data.samples.enumerated().map { s, sample in
            var predicted: [String: Double] = [:]
            for v in variants {
                let x = predictions[v]![s]
                if x.isFinite { predicted[v] = Double(x) }
            }
            return HeldOutPrediction(siteID: data.sites[sample.site].id, depth: sample.depth, fold: foldOfSample[s],
                                     observed: Double(sample.value), predicted: predicted)
        }
    }

    /// A hash of the patches, samples and folds: units made from other data are not reused.
    static func fingerprint(_ data: PatchDataset, folds: [Int]) -> UInt64 {
        var h = data.patches.withUnsafeBytes { FNV1a.hash64($0) }
        for (s, fold) in zip(data.samples, folds) {
            let words = [UInt64(s.site), UInt64(s.depth), UInt64(s.value.bitPattern), UInt64(fold)]
            h ^= words.withUnsafeBytes { FNV1a.hash64($0) }
            h = SplitMix64.mix(h)
        }
        return h
    }

    /// The fingerprint of a unit: data, model, settings, seed and fold. Settings enter as the keys
    /// that differ from the defaults, so a newer socmap with more (default) settings keeps the units.
    static func unitFingerprint(_ dataHash: UInt64, variant: StudyConfig.Variant, fold: Int) -> String {
        let h = FNV1a.hash64(Array("\(changedSettings(variant.settings))|\(variant.model.rawValue)|\(variant.seed)|\(fold)".utf8))
        return String(format: "%016llx-%016llx", dataHash, h)
    }

    /// The settings that differ from `ModelSettings()`, as sorted "key=JSON" text.
    static func changedSettings(_ settings: ModelSettings) -> String {
        func fields(_ s: ModelSettings) -> [String: String] {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            guard let data = try? encoder.encode(s),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
            return object.mapValues { value in
                (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]))
                    .map { String(decoding: $0, as: UTF8.self) } ?? "\(value)"
            }
        }
        let defaults = fields(ModelSettings())
        return fields(settings).filter { defaults[$0.key] != $0.value }.sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value)" }.joined(separator: ";")
    }
}
