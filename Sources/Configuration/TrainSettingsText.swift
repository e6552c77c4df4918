import Models

/// The `train` keys of a settings value as a reader writes them: the report lists those that differ
/// from design/model.md's defaults, so a run says exactly which protocol trained its models. Made from
/// the declarations (`TrainKeys`), so a new setting is listed once it is declared.
public enum TrainSettingsText {
    /// Every `train` setting key (path below `train`) with the text of its value in `s`, in `TrainKeys` order.
    public static func all(_ s: ModelSettings) -> [(key: String, value: String)] {
        TrainKeys.settings.map { (String($0.declaration.path.dropFirst("train.".count)), $0.text(s)) }
    }

    /// The keys whose value differs from `ModelSettings()`, e.g. "epochs: 60".
    public static func changed(_ s: ModelSettings) -> [String] {
        let defaults = Dictionary(uniqueKeysWithValues: all(ModelSettings()).map { ($0.key, $0.value) })
        return all(s).filter { defaults[$0.key] != $0.value }.map { "\($0.key): \($0.value)" }
    }
}
