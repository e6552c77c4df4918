import Models

/// A `train` key stored in `ModelSettings`: its declaration, with the default taken from `ModelSettings()`,
/// and the setting it writes. Its name is the setting's key in model.json (`ModelSettings.CodingKeys`).
public struct SettingKey<Value: Sendable & Equatable>: Sendable {
    /// The key (path, type, default, allowed values, doc).
    public let key: Key<Value>
    /// The setting it writes.
    public let setting: WritableKeyPath<ModelSettings, Value> & Sendable

    /// A setting key that allows any value of its type.
    init(
        _ path: String, _ setting: WritableKeyPath<ModelSettings, Value> & Sendable, _ type: ValueType<Value>,
        _ doc: String
    ) {
        self.init(path, setting, type, .any, doc)
    }

    /// A setting key whose values are limited by `allowed`.
    init(
        _ path: String, _ setting: WritableKeyPath<ModelSettings, Value> & Sendable, _ type: ValueType<Value>,
        _ allowed: Allowed<Value>, _ doc: String
    ) {
        self.setting = setting
        key = Key(path, type, default: ModelSettings()[keyPath: setting], allowed, doc)
    }
}

/// What the `train` parser and the report need of a setting key, whatever its value type.
protocol AnySettingKey: Sendable {
    /// The key as a table row.
    var declaration: KeyDeclaration { get }
    /// The setting's value in `s` as the pipeline file writes it.
    func text(_ s: ModelSettings) -> String
    /// Sets the setting from the key's value in `m` when given; leaves it otherwise.
    func read(from m: YAMLMapping, into s: inout ModelSettings) throws
}

extension SettingKey: AnySettingKey {
    var declaration: KeyDeclaration { key.declaration }
    func text(_ s: ModelSettings) -> String { key.type.text(s[keyPath: setting]) }
    func read(from m: YAMLMapping, into s: inout ModelSettings) throws {
        if let value = try m.given(key) { s[keyPath: setting] = value }
    }
}

extension YAMLMapping {
    /// Sets `s`'s setting from the key's value when given.
    func read<V>(_ key: SettingKey<V>, into s: inout ModelSettings) throws { try key.read(from: self, into: &s) }
}

/// The keys of the `train` section (also the `train` of a study file and its variants), in report order.
public enum TrainKeys {
    /// `train.models`.
    static let models = Key(
        "train.models", .choices(ModelKind.self, noun: "model"), default: ModelKind.trained,
        Allowed(text: "at least one") { $0.isEmpty ? "list at least one model" : nil },
        "models to train: transfer, cnn, mtcnn, rf, combined (the others combined, train.combine)")
    /// `train.combine`: the combined model's members and weights.
    static let combine = Key(
        "train.combine", .mapping("mapping of combine keys"), default: nil, defaultText: "",
        "members and weights of the 'combined' model (only with combined in train.models)")
    /// `train.combine.members`.
    static let combineMembers = Key(
        "train.combine.members", .choices(ModelKind.self, noun: "model"), default: nil,
        defaultText: "the other train.models", "the models the combined model sums, each one of train.models")
    /// `train.combine.weights`.
    static let combineWeights = Key(
        "train.combine.weights", .choice(CombineWeights.self), default: CombineWeights.equal,
        "equal, or nnls: per depth by non-negative least squares on held-out predictions, nested in folds")
    /// `train.combine.inner_folds`.
    static let combineInnerFolds = Key(
        "train.combine.inner_folds", .int, default: CombineSettings(members: []).innerFolds, .range(2...20),
        "folds inside each outer fold whose held-out predictions nnls weights are fitted on")

    static let convWidths = SettingKey(
        "train.network.conv_widths", \.convWidths, .ints, widths,
        "conv1, conv2, conv3 output channels")
    static let fcWidths = SettingKey("train.network.fc_widths", \.fcWidths, .ints, widths, "fc1, fc2, fc3 widths")
    static let kernelSize = SettingKey(
        "train.network.kernel_size", \.kernelSize, .int, .range(1...7),
        "convolution kernel edge k")
    static let pool = SettingKey(
        "train.network.pool", \.poolSize, .int, .range(1...9),
        "max-pool kernel and stride after conv2 (formerly patches.pool)")
    static let convDropout = SettingKey(
        "train.network.conv_dropout", \.convDropout, .float, .range(0...0.95),
        "dropout after each convolution block")
    static let fcDropout = SettingKey(
        "train.network.fc_dropout", \.fcDropout, .float, .range(0...0.95),
        "dropout after fc1 and fc2")
    static let batchSize = SettingKey("train.batch_size", \.batchSize, .int, .range(2...65536), "mini-batch size")
    static let learningRate = SettingKey(
        "train.learning_rate", \.learningRate, .float, .range(1e-8...10),
        "Adam learning rate of pre-training, cnn and mtcnn")
    static let fineTuneLearningRate = SettingKey(
        "train.fine_tune_learning_rate", \.fineTuneLearningRate, .float,
        .range(1e-8...10), "Adam learning rate of transfer fine-tuning")
    static let weightDecay = SettingKey("train.weight_decay", \.weightDecay, .float, .range(0...10), "Adam L2 penalty")
    static let epochs = SettingKey(
        "train.epochs", \.epochs, .int, .range(1...100_000),
        "maximum epochs of pre-training, cnn and mtcnn")
    static let fineTuneEpochs = SettingKey(
        "train.fine_tune_epochs", \.fineTuneEpochs, .int, .range(1...100_000),
        "maximum epochs of fine-tuning")
    static let patience = SettingKey(
        "train.patience", \.patience, .int, .range(1...100_000),
        "epochs without validation improvement before stopping")
    static let validationFraction = SettingKey(
        "train.validation_fraction", \.validationFraction, .double,
        .range(0...0.5), "share of training sites held out for early stopping")
    static let freeze = SettingKey("train.freeze", \.freeze, .int, .range(0...6), "blocks 1..F frozen when fine-tuning")
    static let log1p = SettingKey("train.log1p", \.log1p, .bool, "fit on log1p(value), predictions transformed back")
    static let targetScaling = SettingKey(
        "train.target_scaling", \.targetScaling, .choice(TargetScaling.self),
        "z-score each depth on its own (per_depth) or all with one scaler (pooled)")
    static let fineTuneBatchSize = SettingKey(
        "train.fine_tune_batch_size", \.fineTuneBatchSize,
        .optional(.int, none: "batch_size"), .range(2...65536),
        "mini-batch size while fine-tuning")
    static let scorePretrained = SettingKey(
        "train.score_pretrained", \.scorePretrained, .bool,
        "score the pre-trained weights as epoch 0 of fine-tuning")
    static let l2SP = SettingKey(
        "train.l2_sp", \.l2SP, .float, .range(0...10_000),
        "L2-SP: penalty l2_sp/2 |w - w_pretrained|^2 while fine-tuning (0: off)")
    static let headFirstEpochs = SettingKey(
        "train.head_first_epochs", \.headFirstEpochs, .int, .range(0...100_000),
        "LP-FT: first fine-tuning epochs that train only the output layer")
    static let fineTuneBatchNorm = SettingKey(
        "train.fine_tune_batchnorm", \.fineTuneBatchNorm,
        .choice(FineTuneBatchNorm.self),
        "BatchNorm while fine-tuning: batch (train) or running (eval) statistics")
    static let augment = SettingKey(
        "train.augment", \.augment, .bool,
        "random 90-degree rotations and flips of the networks' training patches")
    static let augmentExclude = SettingKey(
        "train.augment_exclude", \.augmentExclude, .texts,
        "covariates whose channels augmentation leaves unturned")
    static let ensemble = SettingKey(
        "train.ensemble", \.ensemble, .int, .range(1...100),
        "networks per network model, predictions averaged")
    static let trees = SettingKey("train.forest.trees", \.trees, .int, .range(1...100_000), "trees per forest")
    static let tuningTrees = SettingKey(
        "train.forest.tuning_trees", \.tuningTrees, .int, .range(1...100_000),
        "trees per candidate while tuning by out-of-bag error")
    static let maxFeatures = SettingKey(
        "train.forest.max_features", \.maxFeatures, .ints, positives,
        "candidate max_features (capped at the channel count)")
    static let minSamplesLeaf = SettingKey(
        "train.forest.min_samples_leaf", \.minSamplesLeaf, .ints, positives,
        "candidate min_samples_leaf")

    /// Every setting key, in the order of the report's list and model.json.
    static let settings: [any AnySettingKey] = [
        convWidths, fcWidths, kernelSize, pool, convDropout, fcDropout, batchSize, learningRate, fineTuneLearningRate,
        weightDecay, epochs, fineTuneEpochs, patience, validationFraction, freeze, log1p, targetScaling,
        fineTuneBatchSize, scorePretrained, l2SP, headFirstEpochs, fineTuneBatchNorm, augment, augmentExclude,
        ensemble, trees, tuningTrees, maxFeatures, minSamplesLeaf
    ]

    /// Every `train` key as a table row.
    public static var all: [KeyDeclaration] {
        [models.declaration] + settings.map(\.declaration)
            + declarations(combine, combineMembers, combineWeights, combineInnerFolds)
    }

    private static var widths: Allowed<[Int]> {
        Allowed(text: "three widths of at least 1") { list in
            list.count == 3 && list.allSatisfy { $0 >= 1 } ? nil : "give three positive widths, found \(list)"
        }
    }

    private static var positives: Allowed<[Int]> {
        Allowed(text: "at least one, each at least 1") { list in
            !list.isEmpty && list.allSatisfy { $0 >= 1 } ? nil : "give a list of positive whole numbers"
        }
    }
}
