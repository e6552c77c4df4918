import Models
import XCTest

@testable import Configuration
@testable import Pipeline

final class TrainSettingsTextTests: XCTestCase {
    /// Every setting model.json stores has its `train` key in the report's list (a new setting must be added there).
    func testEverySettingHasAKey() throws {
        let s = StoredSettings.everyKeyWritten
        let json = try StoredSettings.json(s)
        XCTAssertEqual(TrainSettingsText.all(s).count, json.count, "\(json.keys.sorted())")
        XCTAssertEqual(Set(TrainSettingsText.all(s).map(\.key)).count, json.count)
    }

    /// Only what differs from design/model.md is listed, with the pipeline's key names.
    func testChanged_listsOnlyWhatDiffers() {
        XCTAssertEqual(TrainSettingsText.changed(ModelSettings()), [])
        var s = ModelSettings()
        s.epochs = 60
        s.poolSize = 1
        s.ensemble = 5
        s.maxFeatures = [5, 10]
        XCTAssertEqual(
            TrainSettingsText.changed(s),
            ["network.pool: 1", "epochs: 60", "ensemble: 5", "forest.max_features: [5, 10]"])
    }
}
