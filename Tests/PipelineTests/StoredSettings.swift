import Foundation
import Models
import XCTest

/// Settings as model.json stores them, for the tests that hold the `train` keys against model.json's names
/// (`KeyDeclarationTests`, `TrainSettingsTextTests`).
enum StoredSettings {
    /// Settings with every setting that model.json writes only when it differs from the default moved away
    /// from it, so that their JSON holds every setting.
    static var everyKeyWritten: ModelSettings {
        var s = ModelSettings()
        s.fineTuneBatchSize = 16
        s.targetScaling = .pooled
        s.scorePretrained = true
        s.l2SP = 0.1
        s.headFirstEpochs = 3
        s.fineTuneBatchNorm = .eval
        s.augment = true
        s.augmentExclude = ["aspect"]
        s.ensemble = 2
        return s
    }

    /// `s` as model.json writes it, as a JSON object.
    static func json(_ s: ModelSettings) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: JSONEncoder().encode(s)) as? [String: Any])
    }
}
