import FileIO
import Foundation
import Models
import Patches
import Randomness
import TextFormat

/// A share of a run's training units: part i of n (`socmap run --part i/n`).
public struct RunPart: Sendable, Equatable, CustomStringConvertible {
    /// 0-based index.
    public let index: Int
    /// Number of parts.
    public let count: Int

    /// Parses "i/n" with 1 <= i <= n.
    public init(parsing text: String) throws {
        let fields = text.split(separator: "/", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard fields.count == 2, let i = fields[0], let n = fields[1], n >= 1, (1...n).contains(i) else {
            throw PipelineError(stage: "run", file: nil,
                                message: "--part '\(text)' must be i/n with 1 <= i <= n (parts are numbered from 1), e.g. --part 1/3, 2/3 and 3/3 for three parts")
        }
        index = i - 1
        count = n
    }

    /// Part `index` (0-based) of `count`.
    init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    public var description: String { "\(index + 1)/\(count)" }
}

/// One unit of a run's training: the models of one kind fitted on one cross-validation fold's
/// training samples, or on every sample (the final fit).
struct TrainingUnit: Hashable, Sendable {
    /// The 0-based cross-validation fold; nil for the final fit.
    let fold: Int?
    /// The model kind.
    let model: ModelKind

    /// Its folder name among the saved units: "cv_fold02_transfer", "final_rf".
    var name: String { fold.map { String(format: "cv_fold%02d_", $0 + 1) + model.rawValue } ?? "final_\(model.rawValue)" }
    /// How messages name it: "fold 2 transfer", "final rf".
    var label: String { fold.map { "fold \($0 + 1) \(model.rawValue)" } ?? "final \(model.rawValue)" }
}

/// What a finished unit saved: its held-out and training predictions (a cross-validation unit) and
/// the files of its model (saved in the unit's `model` folder when the outputs need it).
struct UnitRecord: Codable {
    /// The pipeline file's hash, the data's hash and the unit's name (`TrainingUnits.fingerprint`).
    var fingerprint: String
    /// The hash of the pipeline file alone (parts of one run must share it).
    var pipeline: String
    /// The seed the unit was fitted with.
    var seed: UInt64
    /// Wall time of its training in seconds (reported only, never in the outputs).
    var seconds: Double
    /// Predictions of the fold's held-out samples, in sample order (cross-validation units).
    var heldOut: [Float]?
    /// Predictions of the fold's training samples, in sample order (cross-validation units).
    var trained: [Float]?
    /// Predictions of the held-out samples by each transfer model of `evaluate.freeze_sweep`, keyed "F=f".
    var sweep: [String: [Float]]?
    /// Files of the saved model, relative to the unit's `model` folder (nil: no model saved).
    var modelFiles: [String]?
}

/// The training of a run cut into units (fold x model, and the final fit of each model), each saved
/// atomically in the output folder's control folder when done. A killed run continues with the
/// units not yet saved, `--part i/n` trains a deterministic share of them, and every unit gives
/// the same bytes whichever process trains it, so the outputs are those of an uninterrupted run.
final class TrainingUnits {
    let config: PipelineConfig
    let train: TrainConfig
    let evaluate: EvaluateConfig?
    /// The data of cross-validation (every channel when `select.per_fold` picks channels per fold).
    let cvData: PatchDataset
    /// The data of the final fit.
    let finalData: PatchDataset
    /// With `select.per_fold`: the channels of `cvData` each fold's models read.
    let channelsOfFold: [[Int]]?
    /// The fold of each site and of each sample (empty without an `evaluate` section).
    let foldOfSite: [Int], foldOfSample: [Int]
    /// Every unit in training order: the folds' units fold by fold, then the final fits.
    let units: [TrainingUnit]
    /// Where the units are saved (`OutputLayout.unitsFolder` of the published layout).
    let folder: String
    /// Hashes of the pipeline file and of the data and folds the units are made from.
    let pipelineHash: String, dataHash: String

    /// The record each part writes when it starts: which pipeline it ran.
    struct PartRecord: Codable {
        var part: Int, of: Int
        var pipeline: String
        var file: String
    }

    init(_ config: PipelineConfig, train: TrainConfig, cvData: PatchDataset, finalData: PatchDataset,
         channelsOfFold: [[Int]]?, layout: OutputLayout) throws {
        self.config = config
        self.train = train
        self.evaluate = config.evaluate
        self.cvData = cvData
        self.finalData = finalData
        self.channelsOfFold = channelsOfFold
        folder = layout.unitsFolder
        if let evaluate {
            try ModelStages.check(cvData, folds: evaluate.folds)
            foldOfSite = try ModelStages.folds(config, data: cvData, evaluate: evaluate)
            foldOfSample = try ModelStages.sampleFolds(config, data: cvData, evaluate: evaluate, siteFolds: foldOfSite)
        } else {
            foldOfSite = []
            foldOfSample = []
        }
        try ModelStages.check(finalData, folds: nil)
        try ModelStages.checkAugmentation(train.settings, data: finalData, file: config.file)
        var list: [TrainingUnit] = []
        if let evaluate {
            for fold in 0..<evaluate.folds { for kind in train.models { list.append(TrainingUnit(fold: fold, model: kind)) } }
        }
        for kind in train.models { list.append(TrainingUnit(fold: nil, model: kind)) }
        units = list
        guard let bytes = FileManager.default.contents(atPath: config.file) else {
            throw PipelineError(stage: "train", file: config.file, message: "cannot read the pipeline file again to fingerprint the training units")
        }
        pipelineHash = String(format: "%016llx", bytes.withUnsafeBytes { FNV1a.hash64($0) })
        var h = StudyRunner.fingerprint(cvData, folds: foldOfSample)
        h ^= SplitMix64.mix(StudyRunner.fingerprint(finalData, folds: [Int](repeating: 0, count: finalData.samples.count)))
        if let channelsOfFold { h ^= SplitMix64.mix(FNV1a.hash64(Array("\(channelsOfFold)".utf8))) }
        dataHash = String(format: "%016llx", h)
    }

    /// What a unit's record must carry to be reused: this pipeline file, data and unit.
    func fingerprint(_ unit: TrainingUnit) -> String { "\(pipelineHash)-\(dataHash)-\(unit.name)" }

    /// The unit's folder.
    func unitFolder(_ unit: TrainingUnit) -> String { (folder as NSString).appendingPathComponent(unit.name) }

    /// The unit's saved model folder.
    func modelFolder(_ unit: TrainingUnit) -> String { (unitFolder(unit) as NSString).appendingPathComponent("model") }

    /// The seed of a unit: the fold's seed of cross-validation, or the final fit's.
    func seed(_ unit: TrainingUnit) -> UInt64 {
        unit.fold.map { config.seed &+ UInt64($0) &* 7919 } ?? config.seed &+ 104_729
    }

    /// The saved record of `unit` when it was made from this pipeline file and data; nil otherwise.
    func saved(_ unit: TrainingUnit) -> UnitRecord? {
        let path = (unitFolder(unit) as NSString).appendingPathComponent("unit.json")
        guard let bytes = FileManager.default.contents(atPath: path),
              let record = try? JSONDecoder().decode(UnitRecord.self, from: bytes),
              record.fingerprint == fingerprint(unit) else { return nil }
        return record
    }

    /// The pipeline hash of a saved unit made from another pipeline file, or nil.
    func otherPipeline(_ unit: TrainingUnit) -> String? {
        let path = (unitFolder(unit) as NSString).appendingPathComponent("unit.json")
        guard let bytes = FileManager.default.contents(atPath: path),
              let record = try? JSONDecoder().decode(UnitRecord.self, from: bytes), record.pipeline != pipelineHash else { return nil }
        return record.pipeline
    }

    /// The relative cost of training a unit, in epochs over every sample: the parts' shares and the
    /// ETA weigh units by it. A forest counts its tuning grid's trees.
    func cost(_ unit: TrainingUnit) -> Double {
        let s = train.settings
        let share = unit.fold == nil ? 1.0 : Double(max((evaluate?.folds ?? 2) - 1, 1)) / Double(evaluate?.folds ?? 2)
        let members = Double(max(s.ensemble, 1))
        let epochs: Double
        switch unit.model {
        case .transfer: epochs = Double(s.epochs) + members * Double(s.fineTuneEpochs)
        case .cnn, .mtcnn: epochs = members * Double(s.epochs)
        case .rf:
            let grid = Double(max(s.maxFeatures.count, 1) * max(s.minSamplesLeaf.count, 1))
            epochs = (Double(s.tuningTrees) * grid + Double(s.trees)) / 100
        }
        return share * max(epochs, 1)
    }

    /// The units of part `part`: the units dealt, costliest first, each to the part with the least
    /// cost so far (ties to the lower part; the same pipeline gives every process the same shares).
    func units(of part: RunPart) -> [TrainingUnit] {
        var load = [Double](repeating: 0, count: part.count)
        var owner: [TrainingUnit: Int] = [:]
        let order = units.indices.sorted { a, b in
            let (ca, cb) = (cost(units[a]), cost(units[b]))
            return ca != cb ? ca > cb : a < b
        }
        for i in order {
            let p = load.indices.min { load[$0] != load[$1] ? load[$0] < load[$1] : $0 < $1 }!
            owner[units[i]] = p
            load[p] += cost(units[i])
        }
        return units.filter { owner[$0] == part.index }
    }

    // MARK: Training

    /// Trains every unit of `todo` not saved yet, in order, saving each when done; returns how many
    /// were trained and how many were already saved.
    @discardableResult
    func train(_ todo: [TrainingUnit], observer: PipelineObserver) throws -> (trained: Int, reused: Int) {
        let missing = todo.filter { saved($0) == nil }
        let reused = todo.count - missing.count
        if reused > 0 {
            observer.note("training: \(reused) of \(todo.count) units saved by an earlier run of this pipeline; \(missing.count) to train")
        }
        let totalCost = missing.reduce(0) { $0 + cost($1) }
        var doneCost = 0.0
        let start = Date()
        for (k, unit) in missing.enumerated() {
            let eta = doneCost > 0 ? DurationText.clock(Date().timeIntervalSince(start) / doneCost * (totalCost - doneCost)) : "--"
            let fit = unit.fold.map { "fold \($0 + 1)/\(evaluate!.folds)" } ?? "final"
            // The model's name starts each progress stage ("transfer pre-train", "rf tuning 0-5cm").
            let prefix = "[unit \(k + 1)/\(missing.count), training ETA \(eta)] \(fit) "
            // One line per unit, also in logs that show no progress bars (a job array's output).
            observer.note("unit \(k + 1)/\(missing.count): \(fit) \(unit.model.rawValue) (training ETA \(eta))")
            try trainUnit(unit, progress: ModelStages.eventHandler(prefix, observer))
            doneCost += cost(unit)
        }
        return (missing.count, reused)
    }

    /// Fits one unit and saves it: into a hidden folder first, renamed into place when complete.
    func trainUnit(_ unit: TrainingUnit, progress: @escaping (TrainingEvent) -> Void) throws {
        let start = Date()
        let fm = FileManager.default
        let target = unitFolder(unit)
        let partial = (folder as NSString).appendingPathComponent(".\(unit.name).partial-\(getpid())")
        do {
            try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try? fm.removeItem(atPath: partial)
            try fm.createDirectory(atPath: partial, withIntermediateDirectories: false)
        } catch {
            throw PipelineError(stage: "train", file: folder, message: "cannot save training units (\(SystemError.reason(error))); check the output folder's permissions and free space")
        }
        let modelFolder = (partial as NSString).appendingPathComponent("model")
        var record = UnitRecord(fingerprint: fingerprint(unit), pipeline: pipelineHash, seed: seed(unit), seconds: 0)
        if let fold = unit.fold, let evaluate {
            let trainSamples = cvData.samples.indices.filter { foldOfSample[$0] != fold }
            let testSamples = cvData.samples.indices.filter { foldOfSample[$0] == fold }
            if !testSamples.isEmpty {
                let foldData = channelsOfFold.map { cvData.selecting(channels: $0[fold]) } ?? cvData
                let (models, sweep) = try ModelFitting.fit(
                    [unit.model], data: TrainingData(data: foldData, samples: trainSamples), settings: train.settings,
                    seed: seed(unit), freezeSweep: evaluate.freezeSweep, progress: progress)
                let model = models[unit.model]!
                if let predict = config.predict, predict.mapsCVModels, predict.model == unit.model {
                    record.modelFiles = try ModelStore.save(model, data: foldData, settings: train.settings, to: modelFolder)
                }
                record.heldOut = model.predict(foldData, samples: testSamples)
                record.trained = model.predict(foldData, samples: trainSamples)
                if !sweep.isEmpty {
                    record.sweep = Dictionary(uniqueKeysWithValues: sweep.map { ("F=\($0.key)", $0.value.predict(foldData, samples: testSamples)) })
                }
            }
        } else {
            let (models, _) = try ModelFitting.fit([unit.model], data: TrainingData(data: finalData, samples: Array(finalData.samples.indices)),
                                                   settings: train.settings, seed: seed(unit), progress: progress)
            record.modelFiles = try ModelStore.save(models[unit.model]!, data: finalData, settings: train.settings, to: modelFolder)
        }
        record.seconds = Date().timeIntervalSince(start)
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            try AtomicFile.write(try encoder.encode(record), to: (partial as NSString).appendingPathComponent("unit.json"))
            // A unit of another pipeline or data in the way goes first; a kill between the two steps
            // leaves the unit missing, and it is trained again.
            if fm.fileExists(atPath: target) { try fm.removeItem(atPath: target) }
            try fm.moveItem(atPath: partial, toPath: target)
        } catch let e as FileWriteError {
            throw PipelineError(stage: "train", file: e.path, message: "cannot save the training unit: \(e.message)")
        } catch {
            throw PipelineError(stage: "train", file: target, message: "cannot save the training unit: \(SystemError.reason(error))")
        }
    }

    /// Reads a saved unit; an error naming it when it is missing (the caller trained or checked every unit first).
    func record(_ unit: TrainingUnit) throws -> UnitRecord {
        guard let r = saved(unit) else {
            throw PipelineError(stage: "train", file: unitFolder(unit), message: "the training unit \(unit.label) is missing or was made from another pipeline; run `socmap run \(config.file)` again")
        }
        return r
    }

    /// Copies a unit's saved model into `destination` (which must not exist); returns its files.
    func copyModel(_ unit: TrainingUnit, to destination: String) throws -> [String] {
        let r = try record(unit)
        guard let files = r.modelFiles else {
            throw PipelineError(stage: "train", file: unitFolder(unit), message: "the training unit \(unit.label) saved no model; run `socmap run \(config.file)` again")
        }
        do {
            try FileManager.default.createDirectory(atPath: (destination as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: modelFolder(unit), toPath: destination)
        } catch {
            throw PipelineError(stage: "write", file: destination, message: "cannot copy the model of \(unit.label): \(SystemError.reason(error)); check that the output folder is writable and the disk has room")
        }
        return files
    }

    // MARK: Parts and merge

    /// The records of the parts that have started, by file name.
    func partRecords() -> [PartRecord] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasPrefix("part-") && $0.hasSuffix(".json") }.sorted()
        return names.compactMap { name in
            FileManager.default.contents(atPath: (folder as NSString).appendingPathComponent(name))
                .flatMap { try? JSONDecoder().decode(PartRecord.self, from: $0) }
        }
    }

    /// Refuses a part when another part of the folder ran another pipeline file; then records this part.
    func startPart(_ part: RunPart) throws {
        let others = partRecords().filter { !($0.part == part.index + 1 && $0.of == part.count) }
        if let other = others.first(where: { $0.pipeline != pipelineHash }) {
            throw PipelineError(stage: "run", file: config.file, message: "part \(other.part)/\(other.of) of this output folder ran the pipeline file '\(other.file)' with other contents (hash \(other.pipeline), this file \(pipelineHash)). Every part of one run must use the same pipeline file and models; to start the run over, remove '\(folder)' once before the job array")
        }
        let record = PartRecord(part: part.index + 1, of: part.count, pipeline: pipelineHash, file: config.file)
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            try AtomicFile.write(try encoder.encode(record), to: (folder as NSString).appendingPathComponent("part-\(part.index + 1)-of-\(part.count).json"))
        } catch let e as FileWriteError {
            throw PipelineError(stage: "run", file: e.path, message: "cannot record the part: \(e.message)")
        } catch {
            throw PipelineError(stage: "run", file: folder, message: "cannot record the part: \(SystemError.reason(error))")
        }
    }

    /// Checks before a merge that every unit is saved from this pipeline and data; the error names
    /// the parts that ran another pipeline, the missing units and the commands that train them.
    func checkComplete() throws {
        let records = partRecords()
        if let other = records.first(where: { $0.pipeline != pipelineHash }) {
            throw PipelineError(stage: "merge", file: config.file, message: "part \(other.part)/\(other.of) ran the pipeline file '\(other.file)' with other contents (hash \(other.pipeline), this file \(pipelineHash)); every part and the merge must use the same pipeline file and models. Rerun that part with this file: socmap run \(config.file) --part \(other.part)/\(other.of) (remove '\(folder)' to start the parts over)")
        }
        let missing = units.filter { saved($0) == nil }
        guard !missing.isEmpty else { return }
        let describe = missing.map { u -> String in
            if let other = otherPipeline(u) { return "\(u.label) (made from another pipeline file, hash \(other))" }
            return fileExists(unitFolder(u)) ? "\(u.label) (made from other data)" : u.label
        }
        var message = "\(missing.count) of \(units.count) training units are not saved: \(describe.joined(separator: ", ")). "
        let counts = Set(records.map(\.of))
        if let n = counts.count == 1 ? counts.first : nil {
            let parts = (0..<n).filter { i in !Set(units(of: RunPart(index: i, count: n))).isDisjoint(with: missing) }
            message += "Rerun " + parts.map { "socmap run \(config.file) --part \($0 + 1)/\(n)" }.joined(separator: "; ")
                + " (a rerun keeps the units already saved), then merge again"
        } else if counts.isEmpty {
            message += "No part has run: run socmap run \(config.file) --part i/n for i = 1..n first, or socmap run \(config.file) without --merge to train in one process"
        } else {
            message += "The parts ran with different counts (\(counts.sorted().map { "n = \($0)" }.joined(separator: ", "))); run the missing units with socmap run \(config.file) without --merge, or rerun every part with one n"
        }
        throw PipelineError(stage: "merge", file: folder, message: message)
    }

    /// Removes every saved unit of an earlier run of another pipeline file (a new run starts over);
    /// returns a line for the report of what went, or nil.
    func discardOtherPipelines() -> String? {
        let fm = FileManager.default
        let names = (try? fm.contentsOfDirectory(atPath: folder)) ?? []
        guard !names.isEmpty else { return nil }
        let stale = units.filter { otherPipeline($0) != nil }.count
        let otherParts = partRecords().filter { $0.pipeline != pipelineHash }.count
        guard stale > 0 || otherParts > 0 else { return nil }
        try? fm.removeItem(atPath: folder)
        return "removed \(stale) training \(stale == 1 ? "unit" : "units") saved by an earlier run of another pipeline file"
    }

    /// Removes the saved units of an output folder once a run's outputs are published.
    static func removeAll(in layout: OutputLayout) { try? FileManager.default.removeItem(atPath: layout.unitsFolder) }

    private func fileExists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }
}
