import Foundation
import Models

/// The keys of the study file (`socmap study <pipeline.yaml> <study.yaml>`), in the order of docs/study.md's
/// table. A variant's keys are written below its name (`variants.<name>.model`); the `train` mappings hold the
/// pipeline's `train` keys (`TrainKeys`), but `models`.
public enum StudyKeys {
    static let output = Key(
        "output", .path, default: nil, defaultText: "the pipeline's output + \"-study\"",
        Allowed(text: "a folder other than the pipeline's output") {
            $0.isEmpty ? "give a folder for the study's outputs" : nil
        }, "the study's own output folder, relative to the study file")
    static let baselines = Key(
        "baselines", .texts, default: nil,
        defaultText: "the variants named " + StudyConfig.defaultBaselineNames.joined(separator: ", ")
            + ", else the first",
        "names of the variants every variant is compared with")
    static let bootstrap = Key(
        "bootstrap", .int, default: 2000, .range(100...1_000_000),
        "resamples of sites for the paired 95 % intervals")
    static let train = Key(
        "train", .mapping("mapping of train keys but models"), default: nil, defaultText: "none",
        "train keys every variant changes")
    static let split = Key(
        "split", EvaluateKeys.split.type, default: nil, defaultText: "the pipeline's evaluate.split",
        "what a fold holds out, for every variant: whole sites, sites in kNNDM folds or single samples")
    static let reference = Key(
        "reference", .path, default: nil, defaultText: "none",
        "JSON of another implementation's RMSE and R² per model and depth, shown beside the variants")
    static let variants = Key(
        "variants", .mapping("mapping of variant names"), default: nil,
        Allowed(text: "at least one") { $0.keys.isEmpty ? "list at least one variant" : nil }, required: true,
        "the variants, in the order of the study's tables")
    static let variant = Key(
        "variants.<name>", .string, default: nil, defaultText: "{}",
        Allowed(text: "letters, digits and _ . = + -") {
            $0.range(of: #"^[A-Za-z0-9][A-Za-z0-9_.=+-]*$"#, options: .regularExpression) != nil
                ? nil : "variant names are letters, digits and _ . = + - (they name CSV columns and files)"
        }, "a variant: its name (its column in predictions.csv), then its model, seed and train keys")
    static let model = Key(
        "variants.<name>.model",
        ValueType<ModelKind>(
            name: "one of " + modelNames,
            read: { v in
                let text = try v.string()
                guard let model = ModelKind(rawValue: text) else { throw v.error(notAModel(text)) }
                return model
            }, text: { $0.rawValue }),
        default: nil, defaultText: "the variant's name", "the model the variant trains")
    static let seed = Key(
        "variants.<name>.seed", .int, default: nil, defaultText: "the pipeline's seed", RunKeys.seed.allowed,
        "the variant's training seed (the folds keep the pipeline's)")
    static let members = Key(
        "variants.<name>.members", .texts, default: nil, defaultText: "required for model: combined",
        "a combined variant's members: names of other variants, summed in this order")
    static let weights = Key(
        "variants.<name>.weights", .choice(CombineWeights.self), default: CombineWeights.equal,
        "a combined variant's weights: equal, or nnls per depth (nested in each fold)")
    static let innerFolds = Key(
        "variants.<name>.inner_folds", .int, default: CombineSettings(members: []).innerFolds, .range(2...20),
        "a nested variant's inner folds (nnls weights, kriged residuals)")
    static let krige = Key(
        "variants.<name>.krige", .string, default: nil, defaultText: "none",
        "another variant whose held-out residuals this variant kriges (residual kriging)")
    static let neighbours = Key(
        "variants.<name>.neighbours", .int, default: 32, .range(1...10_000),
        "a kriged variant's sites per estimate (gstat's nmax)")
    static let variantTrain = Key(
        "variants.<name>.train", .mapping("mapping of train keys but models"), default: nil, defaultText: "none",
        "train keys the variant changes, after the study's")

    /// Every key of the study file.
    public static var all: [KeyDeclaration] {
        declarations(
            output, baselines, bootstrap, train, split, reference, variants, variant, model, seed, members, weights,
            innerFolds, krige, neighbours, variantTrain)
    }

    /// The models a variant may train, for messages.
    static var modelNames: String { ModelKind.allCases.map(\.rawValue).joined(separator: ", ") }

    /// What is wrong with a `model` (given, or taken from the variant's name) that names no model.
    static func notAModel(_ text: String) -> String { "'\(text)' is not a model; give 'model:' one of \(modelNames)" }
}
