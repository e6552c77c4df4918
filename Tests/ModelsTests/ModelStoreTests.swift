import FileIO
import Foundation
import NeuralNet
import Patches
import XCTest

@testable import Models

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
        var (models, _) = try ModelFitting.fit(
            ModelKind.trained, data: TrainingData(data: data, samples: all), settings: s, seed: 5)
        // The combined model trains nothing: its members are the others.
        models[.combined] = .combined(
            CombinedModel(
                kinds: [.transfer, .rf], members: [models[.transfer]!, models[.rf]!],
                weights: [[Double]](repeating: Stacking.equal(2), count: 6), method: .equal))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("socmap-store-\(UUID().uuidString)")
            .path
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
                XCTAssertEqual(
                    FileManager.default.contents(atPath: (folder as NSString).appendingPathComponent(f)),
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
    func testForestImportance_perCovariateAndDepth_isSavedBesideTheForests() throws {
        var data = syntheticData(sites: 60, channels: 4)
        // Channels 2 and 3 as the one-hot channels of a categorical covariate "geo".
        data.channels[2] = PatchChannel(name: "geo=1", covariate: "geo", classValue: 1, min: 0, max: 1, fill: 0)
        data.channels[3] = PatchChannel(name: "geo=2", covariate: "geo", classValue: 2, min: 0, max: 1, fill: 0)
        var s = ModelSettings()
        s.trees = 30
        s.tuningTrees = 5
        s.maxFeatures = [4]
        s.minSamplesLeaf = [2]
        let forest = ForestTrainer.fit(
            TrainingData(data: data, samples: Array(data.samples.indices)), settings: s, seed: 7)
        let labels = data.depths.map(\.label)
        let csv = forest.importanceCSV(channels: data.channels, depths: labels)
        let lines = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        XCTAssertEqual(lines[0].map(String.init), ["covariate"] + labels + ["mean"])
        XCTAssertEqual(lines.count, 4, "c0, c1 and geo (its two channels together)")
        XCTAssertEqual(lines[1][0], "c0", "the covariate the values follow most comes first")
        let means = lines.dropFirst().map { Double($0.last!)! }
        XCTAssertEqual(means, means.sorted(by: >))
        for (d, f) in forest.forests.enumerated() {
            let column = lines.dropFirst().map { Double($0[d + 1])! }
            XCTAssertEqual(column.reduce(0, +), 1, accuracy: 1e-5, "depth \(labels[d]) sums to 1")
            let geo = try XCTUnwrap(lines.first { $0[0] == "geo" })
            let importance = try XCTUnwrap(f).featureImportance
            XCTAssertEqual(Double(geo[d + 1])!, importance[2] + importance[3], accuracy: 1e-6)
        }
        XCTAssertEqual(
            forest.meanImportance(channels: 4),
            (0..<4).map { ch in forest.forests.map { $0!.featureImportance[ch] }.reduce(0, +) / 6 })
        // Saved with the forests and covered by the folder's checksums.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("socmap-imp-\(UUID().uuidString)")
            .path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let files = try ModelStore.save(.forest(forest), data: data, settings: s, to: folder)
        XCTAssertTrue(files.contains(ForestModel.importanceFile))
        XCTAssertEqual(
            try String(contentsOfFile: (folder as NSString).appendingPathComponent("importance.csv"), encoding: .utf8),
            csv)
        let sums = try String(
            contentsOfFile: (folder as NSString).appendingPathComponent("SHA256SUMS"), encoding: .utf8)
        XCTAssertTrue(sums.contains("  importance.csv"), sums)
    }

    func testNetworkFileOfAnotherArchitecture_isRefusedNamingTheFile() throws {
        let data = syntheticData(sites: 40)
        var s = ModelSettings()
        s.epochs = 1
        s.convWidths = [4, 8, 8]
        s.fcWidths = [8, 8, 4]
        let (models, _) = try ModelFitting.fit(
            [.cnn], data: TrainingData(data: data, samples: Array(data.samples.indices)),
            settings: s, seed: 5)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("socmap-store-\(UUID().uuidString)")
            .path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ModelStore.save(models[.cnn]!, data: data, settings: s, to: dir)
        let path = (dir as NSString).appendingPathComponent("model.json")
        var description = try ModelStore.describe(folder: dir)
        description.settings.poolSize = 1
        try JSONEncoder().encode(description).write(to: URL(fileURLWithPath: path))
        // Edited without its checksum, it is a damaged model; with a new checksum list, another architecture.
        XCTAssertThrowsError(try ModelStore.load(folder: dir)) { error in
            XCTAssertEqual((error as? ModelStore.LoadError)?.damage, "model.json does not match its checksum")
            XCTAssertTrue("\(error)".contains("train it again or restore the folder from a backup"), "\(error)")
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0 != Checksums.fileName }
        try Checksums.write(in: dir, files: files)
        XCTAssertThrowsError(try ModelStore.load(folder: dir)) { error in
            XCTAssertTrue("\(error)".contains("depth_0-5cm.safetensors"), "\(error)")
            XCTAssertTrue("\(error)".contains("pool 3"), "\(error)")
            XCTAssertTrue(
                "\(error)".contains("model.json describes patch size \(data.patchSize), kernel 3, pool 1"), "\(error)")
        }
    }

    func testMissingModelFolder_namesTheFileAndWhatToDo() {
        XCTAssertThrowsError(try ModelStore.load(folder: "/nonexistent/socmap/rf")) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/socmap/rf/model.json"), "\(error)")
            XCTAssertTrue("\(error)".contains("train the model first"), "\(error)")
        }
    }

    /// model.json names the settings as the pipeline's `train` keys (snake_case).
    func testSettings_encodeWithTheTrainKeyNames() throws {
        var s = ModelSettings()
        s.l2SP = 0.5
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: JSONEncoder().encode(s)) as? [String: Any])
        XCTAssertEqual(json["conv_widths"] as? [Int], [32, 64, 128])
        XCTAssertEqual(json["pool"] as? Int, 3)
        XCTAssertEqual(json["fine_tune_epochs"] as? Int, 300)
        XCTAssertEqual(json["l2_sp"] as? Double, 0.5)
        XCTAssertNil(json["convWidths"])
        XCTAssertEqual(try JSONDecoder().decode(ModelSettings.self, from: JSONEncoder().encode(s)), s)
    }

    /// The settings of a model.json written before the snake_case names (camelCase, as 0.2.0 wrote them) still load.
    func testSettings_ofAnOldModelJSON_stillLoad() throws {
        let old = """
            {"convWidths":[4,8,8],"fcWidths":[8,8,4],"kernelSize":3,"poolSize":1,"convDropout":0.1,"fcDropout":0.2,
             "batchSize":32,"learningRate":0.001,"fineTuneLearningRate":0.0001,"weightDecay":0,"epochs":60,
             "fineTuneEpochs":30,"patience":5,"validationFraction":0.1,"freeze":2,"log1p":true,"trees":50,
             "maxFeatures":[5,10],"minSamplesLeaf":[10],"tuningTrees":20,"l2SP":0.01,"fineTuneBatchNorm":"eval",
             "fineTuneBatchSize":16,"augmentExclude":["aspect"]}
            """
        let s = try JSONDecoder().decode(ModelSettings.self, from: Data(old.utf8))
        XCTAssertEqual(s.convWidths, [4, 8, 8])
        XCTAssertEqual(s.poolSize, 1)
        XCTAssertEqual(s.fineTuneEpochs, 30)
        XCTAssertTrue(s.log1p)
        XCTAssertEqual(s.maxFeatures, [5, 10])
        XCTAssertEqual(s.l2SP, 0.01)
        XCTAssertEqual(s.fineTuneBatchNorm, .eval)
        XCTAssertEqual(s.fineTuneBatchSize, 16)
        XCTAssertEqual(s.augmentExclude, ["aspect"])
        XCTAssertEqual(s.targetScaling, .perDepth, "absent: the default")
        XCTAssertEqual(s.ensemble, 1)
        XCTAssertThrowsError(try JSONDecoder().decode(ModelSettings.self, from: Data(#"{"epochs": 3}"#.utf8))) {
            error in
            XCTAssertTrue("\(error)".contains("conv_widths"), "\(error)")
        }
    }
}
