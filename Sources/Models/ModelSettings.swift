import Foundation

/// Every number of the reference network and protocol (design/model.md), each a pipeline key.
public struct ModelSettings: Sendable, Codable, Equatable {
    /// Output channels of conv1, conv2, conv3.
    public var convWidths = [32, 64, 128]
    /// Widths of fc1, fc2, fc3.
    public var fcWidths = [128, 64, 32]
    /// Convolution kernel edge.
    public var kernelSize = 3
    /// Max-pool kernel and stride after conv2.
    public var poolSize = 3
    /// Dropout after each convolution block.
    public var convDropout: Float = 0.1
    /// Dropout after fc1 and fc2.
    public var fcDropout: Float = 0.2
    /// Mini-batch size.
    public var batchSize = 64
    /// Adam learning rate for pre-training, cnn and mtcnn.
    public var learningRate: Float = 1e-3
    /// Adam learning rate for fine-tuning.
    public var fineTuneLearningRate: Float = 1e-4
    /// Adam L2 weight decay.
    public var weightDecay: Float = 0
    /// Maximum epochs for pre-training, cnn and mtcnn.
    public var epochs = 600
    /// Maximum epochs for fine-tuning.
    public var fineTuneEpochs = 300
    /// Epochs without validation improvement before stopping.
    public var patience = 30
    /// Share of the training sites held out for early stopping.
    public var validationFraction = 0.1
    /// Blocks 1..F frozen when fine-tuning (0...6).
    public var freeze = 2
    /// Fit on log1p(value) and transform predictions back.
    public var log1p = false
    /// Trees per forest.
    public var trees = 500
    /// Candidate max_features for the forest (capped at the feature count).
    public var maxFeatures = Array(stride(from: 5, through: 100, by: 5))
    /// Candidate min_samples_leaf for the forest.
    public var minSamplesLeaf = Array(stride(from: 10, through: 100, by: 10))
    /// Trees per forest while tuning by out-of-bag error (then `trees` for the final forest).
    public var tuningTrees = 100
    /// Augment the networks' training patches (`train.augment`; beyond the paper, off by default): each training
    /// example of every epoch, in pre-training, fine-tuning, cnn and mtcnn, is one of the 8 rotations by multiples of
    /// 90 degrees and flips of its patch, drawn from the fit's seeded generator; validation and prediction never are.
    public var augment = false
    /// Covariates whose channels augmentation leaves as they are (`train.augment_exclude`), for direction-dependent
    /// covariates such as aspect, northness and eastness: their values are directions relative to north, which
    /// a rotated or mirrored patch does not change, so these channels keep their true orientation and values
    /// while the other channels turn (a categorical covariate's one-hot channels by its name).
    public var augmentExclude: [String] = []
    /// Networks per network model (`train.ensemble`; beyond the paper, 1 by default): M networks trained with
    /// different validation sites and seeds, whose predictions are averaged. Transfer members share one
    /// pre-training and differ in their fine-tuning.
    public var ensemble = 1

    // Fine-tuning options (issue #13); each off by default, and written to model.json only when set.

    /// Target z-scoring of transfer and mtcnn: each depth's own mean and SD, or one scaler for all
    /// depths (cnn: always per depth).
    public var targetScaling = TargetScaling.perDepth
    /// Mini-batch size for fine-tuning (nil: `batchSize`).
    public var fineTuneBatchSize: Int? = nil
    /// Score the pre-trained weights on the validation sites as epoch 0 of fine-tuning; they are kept
    /// unless an epoch beats them.
    public var scorePretrained = false
    /// L2-SP strength α of fine-tuning: penalty α/2·‖θ − θ_pretrained‖² on the trainable parameters,
    /// replacing `weightDecay` (0 = off).
    public var l2SP: Float = 0
    /// LP-FT: fine-tuning epochs (counted in `fineTuneEpochs`) that train only the output layer before
    /// blocks F+1...6 join (0 = off).
    public var headFirstEpochs = 0
    /// BatchNorm while fine-tuning: `train` (batch statistics, running ones updated) or `eval`
    /// (running statistics kept, γ and β still train).
    public var fineTuneBatchNorm = FineTuneBatchNorm.train

    /// The defaults of design/model.md.
    public init() {}

    /// The fine-tuning mini-batch size: `fineTuneBatchSize`, else `batchSize`.
    public var effectiveFineTuneBatchSize: Int { fineTuneBatchSize ?? batchSize }
}

/// How targets are z-scored before training (`train.target_scaling`).
public enum TargetScaling: String, Sendable, Codable, CaseIterable {
    /// One scaler per depth, fitted on that depth's training samples.
    case perDepth = "per_depth"
    /// One scaler fitted on the training samples of every depth, used for all depths.
    case pooled
}

/// What BatchNorm layers of the trainable blocks do while fine-tuning (`train.fine_tune_batchnorm`).
public enum FineTuneBatchNorm: String, Sendable, Codable, CaseIterable {
    /// Batch statistics, running statistics updated (PyTorch's train()).
    case train
    /// Running statistics used and kept (as in inference); γ and β still train.
    case eval
}

extension ModelSettings {
    /// model.json's names of the settings: the pipeline file's `train` key names (snake_case), checked one to one
    /// against Configuration's `TrainKeys` by a test.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case convWidths = "conv_widths"
        case fcWidths = "fc_widths"
        case kernelSize = "kernel_size"
        case poolSize = "pool"
        case convDropout = "conv_dropout"
        case fcDropout = "fc_dropout"
        case batchSize = "batch_size"
        case learningRate = "learning_rate"
        case fineTuneLearningRate = "fine_tune_learning_rate"
        case weightDecay = "weight_decay"
        case epochs
        case fineTuneEpochs = "fine_tune_epochs"
        case patience
        case validationFraction = "validation_fraction"
        case freeze, log1p
        case trees
        case maxFeatures = "max_features"
        case minSamplesLeaf = "min_samples_leaf"
        case tuningTrees = "tuning_trees"
        case targetScaling = "target_scaling"
        case fineTuneBatchSize = "fine_tune_batch_size"
        case scorePretrained = "score_pretrained"
        case l2SP = "l2_sp"
        case headFirstEpochs = "head_first_epochs"
        case fineTuneBatchNorm = "fine_tune_batchnorm"
        case augment
        case augmentExclude = "augment_exclude"
        case ensemble

        /// The name model.json files written before the snake_case names used (the Swift property's name).
        var legacyName: String {
            switch self {
            case .poolSize: return "poolSize"
            case .l2SP: return "l2SP"
            case .fineTuneBatchNorm: return "fineTuneBatchNorm"
            default:
                let words = rawValue.split(separator: "_")
                return String(words[0]) + words.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
            }
        }
    }

    /// A key by its text, to read model.json's names and the earlier camelCase ones.
    private struct AnyKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Decodes model.json's settings under their snake_case names, or the camelCase names of files written by
    /// earlier versions; keys added after the first release may be absent and then take their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        func value<T: Decodable>(_ key: CodingKeys) throws -> T? {
            if let v = try c.decodeIfPresent(T.self, forKey: AnyKey(stringValue: key.rawValue)) { return v }
            return try c.decodeIfPresent(T.self, forKey: AnyKey(stringValue: key.legacyName))
        }
        func need<T: Decodable>(_ key: CodingKeys) throws -> T {
            guard let v: T = try value(key) else {
                throw DecodingError.keyNotFound(
                    AnyKey(stringValue: key.rawValue),
                    DecodingError.Context(
                        codingPath: decoder.codingPath,
                        debugDescription: "model.json's settings have no '\(key.rawValue)'"))
            }
            return v
        }
        convWidths = try need(.convWidths)
        fcWidths = try need(.fcWidths)
        kernelSize = try need(.kernelSize)
        poolSize = try need(.poolSize)
        convDropout = try need(.convDropout)
        fcDropout = try need(.fcDropout)
        batchSize = try need(.batchSize)
        learningRate = try need(.learningRate)
        fineTuneLearningRate = try need(.fineTuneLearningRate)
        weightDecay = try need(.weightDecay)
        epochs = try need(.epochs)
        fineTuneEpochs = try need(.fineTuneEpochs)
        patience = try need(.patience)
        validationFraction = try need(.validationFraction)
        freeze = try need(.freeze)
        log1p = try need(.log1p)
        trees = try need(.trees)
        maxFeatures = try need(.maxFeatures)
        minSamplesLeaf = try need(.minSamplesLeaf)
        tuningTrees = try need(.tuningTrees)
        let defaults = ModelSettings()
        targetScaling = try value(.targetScaling) ?? defaults.targetScaling
        fineTuneBatchSize = try value(.fineTuneBatchSize)
        scorePretrained = try value(.scorePretrained) ?? defaults.scorePretrained
        l2SP = try value(.l2SP) ?? defaults.l2SP
        headFirstEpochs = try value(.headFirstEpochs) ?? defaults.headFirstEpochs
        fineTuneBatchNorm = try value(.fineTuneBatchNorm) ?? defaults.fineTuneBatchNorm
        augment = try value(.augment) ?? defaults.augment
        augmentExclude = try value(.augmentExclude) ?? defaults.augmentExclude
        ensemble = try value(.ensemble) ?? defaults.ensemble
    }

    /// Encodes every setting under its snake_case name; the options added later (fine-tuning, augmentation,
    /// ensembles) only when they differ from their defaults.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(convWidths, forKey: .convWidths)
        try c.encode(fcWidths, forKey: .fcWidths)
        try c.encode(kernelSize, forKey: .kernelSize)
        try c.encode(poolSize, forKey: .poolSize)
        try c.encode(convDropout, forKey: .convDropout)
        try c.encode(fcDropout, forKey: .fcDropout)
        try c.encode(batchSize, forKey: .batchSize)
        try c.encode(learningRate, forKey: .learningRate)
        try c.encode(fineTuneLearningRate, forKey: .fineTuneLearningRate)
        try c.encode(weightDecay, forKey: .weightDecay)
        try c.encode(epochs, forKey: .epochs)
        try c.encode(fineTuneEpochs, forKey: .fineTuneEpochs)
        try c.encode(patience, forKey: .patience)
        try c.encode(validationFraction, forKey: .validationFraction)
        try c.encode(freeze, forKey: .freeze)
        try c.encode(log1p, forKey: .log1p)
        try c.encode(trees, forKey: .trees)
        try c.encode(maxFeatures, forKey: .maxFeatures)
        try c.encode(minSamplesLeaf, forKey: .minSamplesLeaf)
        try c.encode(tuningTrees, forKey: .tuningTrees)
        let defaults = ModelSettings()
        if targetScaling != defaults.targetScaling { try c.encode(targetScaling, forKey: .targetScaling) }
        try c.encodeIfPresent(fineTuneBatchSize, forKey: .fineTuneBatchSize)
        if scorePretrained != defaults.scorePretrained { try c.encode(scorePretrained, forKey: .scorePretrained) }
        if l2SP != defaults.l2SP { try c.encode(l2SP, forKey: .l2SP) }
        if headFirstEpochs != defaults.headFirstEpochs { try c.encode(headFirstEpochs, forKey: .headFirstEpochs) }
        if fineTuneBatchNorm != defaults.fineTuneBatchNorm {
            try c.encode(fineTuneBatchNorm, forKey: .fineTuneBatchNorm)
        }
        if augment != defaults.augment { try c.encode(augment, forKey: .augment) }
        if augmentExclude != defaults.augmentExclude { try c.encode(augmentExclude, forKey: .augmentExclude) }
        if ensemble != defaults.ensemble { try c.encode(ensemble, forKey: .ensemble) }
    }
}
