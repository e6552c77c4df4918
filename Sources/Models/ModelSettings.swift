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

    /// The defaults of design/model.md.
    public init() {}
}
