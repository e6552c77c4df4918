import Foundation
import Models
import Randomness

/// Which channels of the experiment's data a variant's models read.
public enum ChannelChoice: Sendable, Hashable {
    /// Every channel.
    case all
    /// These channels (indices into the data's channels, ascending) in every unit.
    case fixed([Int])
    /// Each fold's own channels (covariates selected inside the fold), and the final fit's.
    case perFold([[Int]], final: [Int])

    /// The channels of fold `fold` (nil: the final fit); nil when every channel is read.
    func channels(fold: Int?) -> [Int]? {
        switch self {
        case .all: return nil
        case .fixed(let c): return c
        case .perFold(let byFold, let final): return fold.map { byFold[$0] } ?? final
        }
    }
}

/// One way of fitting a model: a kind, its settings, the channels it reads, its seeds and what its
/// units keep besides the held-out predictions.
public struct Variant: Sendable {
    /// Its name, unique in the experiment: part of its units' names ("transfer", "transfer-F0").
    public var name: String
    /// The model it fits.
    public var model: ModelKind
    /// The model's settings.
    public var settings: ModelSettings
    /// The channels it reads.
    public var channels: ChannelChoice
    /// Its units' seeds: fold k's unit draws `seeds/fold/k`, the final fit `seeds/final`.
    public var seeds: SeedStream
    /// Transfer models per freeze depth fitted beside the main one on each fold (`evaluate.freeze_sweep`).
    public var freezeSweep: [Int]
    /// Whether a fold's unit saves its model (the maps' cross-validation spread).
    public var keepsFoldModels: Bool
    /// Whether the final fit saves its model (false: only what it measures, e.g. importance, is kept).
    public var keepsFinalModel: Bool
    /// Whether the final fit records the forest's impurity importance per channel (covariate ranking).
    public var recordsImportance: Bool
    /// Folds of an inner cross-validation inside each outer fold, whose held-out predictions on the outer
    /// fold's training samples the variant's units also make (`Experiment.innerHeldOut`: a combined model's
    /// fitted weights); 0: none. Every variant with the same count shares the inner folds.
    public var innerFolds: Int = 0

    /// A variant with nothing kept besides the held-out predictions and the final model.
    public init(
        name: String, model: ModelKind, settings: ModelSettings, channels: ChannelChoice = .all, seeds: SeedStream,
        freezeSweep: [Int] = [], keepsFoldModels: Bool = false, keepsFinalModel: Bool = true,
        recordsImportance: Bool = false
    ) {
        self.name = name
        self.model = model
        self.settings = settings
        self.channels = channels
        self.seeds = seeds
        self.freezeSweep = freezeSweep
        self.keepsFoldModels = keepsFoldModels
        self.keepsFinalModel = keepsFinalModel
        self.recordsImportance = recordsImportance
    }

    /// The settings that differ from `ModelSettings()`, as sorted "key=JSON" text: a unit's
    /// fingerprint holds these, so a newer socmap with more (default) settings keeps saved units.
    public static func changedSettings(_ settings: ModelSettings) -> String {
        func fields(_ s: ModelSettings) -> [String: String] {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            guard let data = try? encoder.encode(s),
                let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
            else { return [:] }
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

/// One unit of an experiment: a variant fitted on one fold's training samples, or on every sample
/// of the plan (the final fit).
public struct TrainingUnit: Hashable, Sendable {
    /// The variant's name.
    public let variant: String
    /// The 0-based fold; nil for the final fit.
    public let fold: Int?
    /// The 0-based inner fold inside `fold` (`Variant.innerFolds`); nil for an outer fold or the final fit.
    public let inner: Int?

    /// A unit of `variant` on `fold` (nil: the final fit), or on inner fold `inner` inside it.
    public init(variant: String, fold: Int?, inner: Int? = nil) {
        precondition(inner == nil || fold != nil, "TrainingUnit: an inner fold lies inside an outer fold")
        self.variant = variant
        self.fold = fold
        self.inner = inner
    }

    /// Its folder name in the unit store: "cv_fold02_transfer", "cv_fold02_inner3_rf", "final_rf".
    public var name: String {
        guard let fold else { return "final_\(variant)" }
        return String(format: "cv_fold%02d_", fold + 1) + (inner.map { "inner\($0 + 1)_" } ?? "") + variant
    }
    /// How messages name it: "fold 2 transfer", "fold 2 inner 3 rf", "final rf".
    public var label: String {
        guard let fold else { return "final \(variant)" }
        return "fold \(fold + 1) " + (inner.map { "inner \($0 + 1) " } ?? "") + variant
    }
}
