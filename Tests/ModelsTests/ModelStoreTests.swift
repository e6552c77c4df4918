import Foundation
@testable import Models
import NeuralNet
import Patches
import XCTest

final class ModelStoreTests: XCTestCase {
    func testEveryModelKind_savesAndLoadsWithIdenticalPredictions() throws {
        let data = syntheticData(sites: 40)
        var s = ModelSettings()
        s.epochs = 2
        s.fineTuneEpochs = 1
        s.convWidths = [4, 8, 8]
        s.fcWidths = [8, 8, 4]
        s.trees = 10
        s.tuningTrees = 5
        s.maxFeatures = [2, 3]
        s.minSamplesLeaf = [2]
        let all = Array(data.samples.indices)
        let (models, _) = try ModelFitting.fit(ModelKind.allCases, data: TrainingData(data: data, samples: all), settings: s, seed: 5)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("socmap-store-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for kind in ModelKind.allCases {
            let folder = (dir as NSString).appendingPathComponent(kind.rawValue)
            let files = try ModelStore.save(models[kind]!, data: data, settings: s, to: folder)
            XCTAssertTrue(files.contains("model.json"))
            let (loaded, description) = try ModelStore.load(folder: folder)
            XCTAssertEqual(description.kind, kind)
            XCTAssertEqual(description.depths.count, 6)
            XCTAssertEqual(description.channels, data.channels)
            XCTAssertEqual(loaded.predict(data, samples: all), models[kind]!.predict(data, samples: all), "\(kind)")
            // The loaded model owns its geometry: the networks' architecture, or the forest's patches.
            XCTAssertEqual(loaded.patchSize, data.patchSize, "\(kind)")
            XCTAssertEqual(loaded.halo, data.patchSize / 2, "\(kind)")
            XCTAssertEqual(models[kind]!.halo, data.patchSize / 2, "\(kind)")
            if case .network(let saved) = models[kind]!, case .network(let read) = loaded {
                // Frozen blocks stay bitwise equal through the files, so maps still share them.
                XCTAssertEqual(read.sharedBlocks, saved.sharedBlocks, "\(kind)")
                XCTAssertEqual(read.sharedBlocks, [.transfer: s.freeze, .cnn: 0, .mtcnn: 3][kind], "\(kind)")
            }
            // Saving again gives the same bytes.
            let again = (dir as NSString).appendingPathComponent("\(kind.rawValue)-again")
            try ModelStore.save(loaded, data: data, settings: s, to: again)
            for f in files {
                XCTAssertEqual(FileManager.default.contents(atPath: (folder as NSString).appendingPathComponent(f)),
                               FileManager.default.contents(atPath: (again as NSString).appendingPathComponent(f)), "\(kind)/\(f)")
            }
        }
        // The safetensors metadata carries the target scaling.
        let file = (dir as NSString).appendingPathComponent("cnn/depth_0-5cm.safetensors")
        let metadata = try Network.loadSafetensors(path: file).metadata
        XCTAssertNotNil(metadata["socmap.target_scalers"])
        XCTAssertEqual(metadata["socmap.depth"], "0-5cm")
    }

    /// A network file whose architecture is not the one model.json describes (here another pool) is refused.
    func testNetworkFileOfAnotherArchitecture_isRefusedNamingTheFile() throws {
        let data = syntheticData(sites: 40)
        var s = ModelSettings()
        s.epochs = 1
        s.convWidths = [4, 8, 8]
        s.fcWidths = [8, 8, 4]
        let (models, _) = try ModelFitting.fit([.cnn], data: TrainingData(data: data, samples: Array(data.samples.indices)),
                                               settings: s, seed: 5)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("socmap-store-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ModelStore.save(models[.cnn]!, data: data, settings: s, to: dir)
        let path = (dir as NSString).appendingPathComponent("model.json")
        var description = try ModelStore.describe(folder: dir)
        description.settings.poolSize = 1
        try JSONEncoder().encode(description).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try ModelStore.load(folder: dir)) { error in
            XCTAssertTrue("\(error)".contains("depth_0-5cm.safetensors"), "\(error)")
            XCTAssertTrue("\(error)".contains("pool 3"), "\(error)")
            XCTAssertTrue("\(error)".contains("model.json describes patch size \(data.patchSize), kernel 3, pool 1"), "\(error)")
        }
    }

    func testMissingModelFolder_namesTheFileAndWhatToDo() {
        XCTAssertThrowsError(try ModelStore.load(folder: "/nonexistent/socmap/rf")) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/socmap/rf/model.json"), "\(error)")
            XCTAssertTrue("\(error)".contains("train the model first"), "\(error)")
        }
    }
}
