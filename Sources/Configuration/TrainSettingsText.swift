import Foundation
import Models

/// The `train` keys of a settings value as a reader writes them: the report lists those that differ
/// from design/model.md's defaults, so a run says exactly which protocol trained its models.
public enum TrainSettingsText {
    /// Every `train` key (YAML name) with the text of its value in `s`, in the order of pipelines/sample.yaml.
    public static func all(_ s: ModelSettings) -> [(key: String, value: String)] {
        func list<T>(_ v: [T]) -> String { "[" + v.map { "\($0)" }.joined(separator: ", ") + "]" }
        func number(_ x: Float) -> String { "\(x)" }
        return [
            ("network.conv_widths", list(s.convWidths)), ("network.fc_widths", list(s.fcWidths)),
            ("network.kernel_size", "\(s.kernelSize)"), ("network.pool", "\(s.poolSize)"),
            ("network.conv_dropout", number(s.convDropout)), ("network.fc_dropout", number(s.fcDropout)),
            ("batch_size", "\(s.batchSize)"), ("learning_rate", number(s.learningRate)),
            ("fine_tune_learning_rate", number(s.fineTuneLearningRate)), ("weight_decay", number(s.weightDecay)),
            ("epochs", "\(s.epochs)"), ("fine_tune_epochs", "\(s.fineTuneEpochs)"), ("patience", "\(s.patience)"),
            ("validation_fraction", "\(s.validationFraction)"), ("freeze", "\(s.freeze)"), ("log1p", "\(s.log1p)"),
            ("target_scaling", s.targetScaling.rawValue), ("fine_tune_batch_size", s.fineTuneBatchSize.map { "\($0)" } ?? "batch_size"),
            ("score_pretrained", "\(s.scorePretrained)"), ("l2_sp", number(s.l2SP)),
            ("head_first_epochs", "\(s.headFirstEpochs)"), ("fine_tune_batchnorm", s.fineTuneBatchNorm.rawValue),
            ("augment", "\(s.augment)"), ("augment_exclude", list(s.augmentExclude)), ("ensemble", "\(s.ensemble)"),
            ("forest.trees", "\(s.trees)"), ("forest.tuning_trees", "\(s.tuningTrees)"),
            ("forest.max_features", list(s.maxFeatures)), ("forest.min_samples_leaf", list(s.minSamplesLeaf)),
        ]
    }

    /// The keys whose value differs from `ModelSettings()`, e.g. "epochs: 60".
    public static func changed(_ s: ModelSettings) -> [String] {
        let defaults = Dictionary(uniqueKeysWithValues: all(ModelSettings()).map { ($0.key, $0.value) })
        return all(s).filter { defaults[$0.key] != $0.value }.map { "\($0.key): \($0.value)" }
    }
}
