import Foundation
import NeuralNet
import Patches
import SoilData
import XCTest

@testable import Models

/// `train.ensemble`: M networks per network model, averaged.
final class EnsembleTests: XCTestCase {
    var settings: ModelSettings {
        var s = ModelSettings()
        s.epochs = 4
        s.fineTuneEpochs = 3
        s.patience = 3
        s.convWidths = [4, 8, 8]
        s.fcWidths = [8, 8, 4]
        s.ensemble = 2
        return s
    }

    static let networkKinds: [ModelKind] = [.transfer, .cnn, .mtcnn]

    func networkModels(
        _ data: PatchDataset, settings: ModelSettings, seed: UInt64 = 5
    ) throws -> [ModelKind: NetworkModel] {
        let (models, _) = try ModelFitting.fit(
            Self.networkKinds, data: TrainingData(data: data, samples: Array(data.samples.indices)),
            settings: settings, seed: seed)
        return models.compactMapValues { if case .network(let m) = $0 { return m } else { return nil } }
    }

    /// The patches of a tile's cells as a data set: site k is the patch whose top-left corner is
    /// `corners[k]`, at every depth.
    func patchData(of tile: Tensor, corners: [(Int, Int)], like data: PatchDataset) -> PatchDataset {
        let (c, h, w) = (tile.shape[0], tile.shape[1], tile.shape[2])
        let p = data.patchSize
        var patches: [Float] = []
        for (i, j) in corners {
            for ch in 0..<c {
                for r in 0..<p { for q in 0..<p { patches.append(tile.data[(ch * h + i + r) * w + j + q]) } }
            }
        }
        let samples = corners.indices.flatMap { s in
            data.depths.indices.map { PatchSample(site: s, depth: $0, value: 0) }
        }
        let sites = corners.indices.map { PatchSite(id: "T\($0)", x: 0, y: 0, sourceX: 0, sourceY: 0, col: 0, row: 0) }
        return PatchDataset(
            property: data.property, unit: data.unit, patchSize: p, channels: data.channels, depths: data.depths,
            grid: data.grid, sites: sites, patches: patches, samples: samples)
    }

    func testEnsembleOfTwo_predictsTheMeanOfItsMembers_patchWiseAndDensely() throws {
        let data = syntheticData(sites: 60)
        let models = try networkModels(data, settings: settings)
        let all = Array(data.samples.indices)
        var g = SeededGenerator(seed: 12)
        let tile = Tensor(shape: [3, 24, 20], data: (0..<(3 * 24 * 20)).map { _ in Float(g.next() % 1000) / 1000 })
        let corners = [(0, 0), (3, 5), (11, 7), (7, 0)]
        let tileData = patchData(of: tile, corners: corners, like: data)
        for kind in Self.networkKinds {
            let model = models[kind]!
            XCTAssertEqual(model.members.count, 2, "\(kind)")
            let members = model.members
            // Patch-wise (cross-validation's path): the mean of the members, bitwise.
            let each = members.map { $0.predict(data, samples: all) }
            let mean = zip(each[0], each[1]).map { ($0 + $1) / 2 }
            XCTAssertEqual(model.predict(data, samples: all), mean, "\(kind)")
            XCTAssertNotEqual(each[0], each[1], "\(kind): members differ")
            // Densely: the mean of the members' maps, and what cutting a patch around every cell gives.
            let dense = model.denseMaps(tile: tile, depths: 6)
            let memberMaps = members.map { $0.denseMaps(tile: tile, depths: 6) }
            for d in 0..<6 {
                XCTAssertEqual(
                    dense[d], zip(memberMaps[0][d], memberMaps[1][d]).map { ($0 + $1) / 2 }, "\(kind) depth \(d)")
            }
            let patchWise = model.predict(tileData, samples: Array(tileData.samples.indices))
            let ow = 20 - 13 + 1
            for (k, sample) in tileData.samples.enumerated() {
                let (i, j) = corners[sample.site]
                let v = dense[sample.depth][i * ow + j]
                XCTAssertEqual(
                    v, patchWise[k], accuracy: 1e-4 * max(1, abs(v)), "\(kind) depth \(sample.depth) cell (\(i), \(j))")
            }
        }
        // Transfer members share one pre-training, so maps compute its frozen blocks once for every member and depth.
        let transfer = models[.transfer]!
        XCTAssertTrue(transfer.members[0].pretrained === transfer.members[1].pretrained)
        XCTAssertEqual(transfer.sharedBlocks, settings.freeze)
        XCTAssertEqual(models[.cnn]!.sharedBlocks, 0)
        XCTAssertEqual(models[.mtcnn]!.sharedBlocks, 0, "mtcnn members have trunks of their own")
    }

    func testMembers_haveDifferentValidationSitesAndSeeds() throws {
        let data = syntheticData(sites: 60)
        let t = TrainingData(data: data, samples: Array(data.samples.indices))
        let seeds = (0..<3).map { NetworkTrainer.memberSeed(77, member: $0) }
        XCTAssertEqual(seeds[0], 77, "member 1 is the single model")
        XCTAssertEqual(Set(seeds).count, 3)
        let sites = seeds.map { t.validationSites(fraction: 0.1, seed: $0 ^ 0x5EED) }
        XCTAssertEqual(sites[0].count, 6)
        XCTAssertNotEqual(sites[0], sites[1])
        XCTAssertNotEqual(sites[1], sites[2])
        let cnn = try NetworkTrainer.cnnEnsemble(t, settings: settings, seed: 77)
        XCTAssertNotEqual(cnn.members[0].perDepth[0]!.namedTensors, cnn.members[1].perDepth[0]!.namedTensors)
        XCTAssertNotEqual(cnn.members[0].logs["0-5cm"]!.validationLoss, cnn.members[1].logs["0-5cm"]!.validationLoss)
    }

    /// A study's pre-training cache serves an ensemble's shared pre-training, whatever the ensemble's size.
    func testPretrainingCache_servesTheSharedPretraining_whateverTheEnsembleSize() throws {
        let data = syntheticData(sites: 30)
        let t = TrainingData(data: data, samples: Array(data.samples.indices))
        let cache = PretrainingCache()
        let two = try NetworkTrainer.transferEnsemble(t, settings: settings, freezes: [2], seed: 4, cache: cache)[2]!
        var s = settings
        s.ensemble = 3
        let three = try NetworkTrainer.transferEnsemble(t, settings: s, freezes: [2], seed: 4, cache: cache)[2]!
        XCTAssertEqual(cache.hits, 1)
        XCTAssertEqual(three.members.count, 3)
        XCTAssertTrue(three.members.allSatisfy { $0.pretrained === two.pretrained })
        XCTAssertEqual(
            three.members[1].perDepth[0]!.namedTensors, two.members[1].perDepth[0]!.namedTensors,
            "member 2 is the same network")
    }

    func testEnsemble_savesAndLoadsEveryMember() throws {
        let data = syntheticData(sites: 40)
        let models = try networkModels(data, settings: settings)
        let all = Array(data.samples.indices)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("socmap-ensemble-\(UUID().uuidString)")
            .path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for kind in Self.networkKinds {
            let model = models[kind]!
            let folder = (dir as NSString).appendingPathComponent(kind.rawValue)
            let files = try ModelStore.save(.network(model), data: data, settings: settings, to: folder)
            XCTAssertTrue(files.contains { $0.hasPrefix("member_2/") }, "\(kind): \(files)")
            let (loaded, description) = try ModelStore.load(folder: folder)
            XCTAssertEqual(description.members?.count, 1, "\(kind)")
            XCTAssertEqual(description.settings.ensemble, 2)
            guard case .network(let read) = loaded else { return XCTFail("\(kind)") }
            XCTAssertEqual(read.members.count, 2, "\(kind)")
            XCTAssertEqual(loaded.predict(data, samples: all), model.predict(data, samples: all), "\(kind)")
            XCTAssertEqual(read.sharedBlocks, model.sharedBlocks, "\(kind)")
            if kind == .transfer {
                XCTAssertFalse(files.contains("member_2/pretrained.safetensors"), "one pre-training, saved once")
                XCTAssertTrue(read.members[0].pretrained === read.members[1].pretrained)
            }
            let meta = try Network.loadSafetensors(
                path: (folder as NSString).appendingPathComponent(files.first { $0.hasPrefix("member_2/") }!)
            ).metadata
            XCTAssertEqual(meta["socmap.ensemble_member"], "2/2")
            let again = (dir as NSString).appendingPathComponent("\(kind.rawValue)-again")
            try ModelStore.save(loaded, data: data, settings: settings, to: again)
            for f in files {
                XCTAssertEqual(
                    FileManager.default.contents(atPath: (folder as NSString).appendingPathComponent(f)),
                    FileManager.default.contents(atPath: (again as NSString).appendingPathComponent(f)), "\(kind)/\(f)")
            }
        }
    }

    /// An ensemble of one is the single model: the same networks and the same files as before ensembles existed.
    func testEnsembleOfOne_isTheSingleModel_sameBytes() throws {
        let data = syntheticData(sites: 40)
        var s = settings
        s.ensemble = 1
        let t = TrainingData(data: data, samples: Array(data.samples.indices))
        let models = try networkModels(data, settings: s, seed: 5)
        let singles: [ModelKind: NetworkModel] = [
            .transfer: try NetworkTrainer.transfer(t, settings: s, freezes: [s.freeze], seed: 5 &+ 11)[s.freeze]!,
            .cnn: try NetworkTrainer.cnn(t, settings: s, seed: 5 &+ 22),
            .mtcnn: try NetworkTrainer.mtcnn(t, settings: s, seed: 5 &+ 33)
        ]
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("socmap-ensemble1-\(UUID().uuidString)")
            .path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for kind in Self.networkKinds {
            XCTAssertTrue(models[kind]!.members.isEmpty)
            let a = (dir as NSString).appendingPathComponent("\(kind.rawValue)-a")
            let b = (dir as NSString).appendingPathComponent("\(kind.rawValue)-b")
            let files = try ModelStore.save(.network(models[kind]!), data: data, settings: s, to: a)
            XCTAssertEqual(try ModelStore.save(.network(singles[kind]!), data: data, settings: s, to: b), files)
            XCTAssertFalse(files.contains { $0.contains("member") })
            for f in files {
                XCTAssertEqual(
                    FileManager.default.contents(atPath: (a as NSString).appendingPathComponent(f)),
                    FileManager.default.contents(atPath: (b as NSString).appendingPathComponent(f)), "\(kind)/\(f)")
            }
            let json = try String(contentsOfFile: (a as NSString).appendingPathComponent("model.json"), encoding: .utf8)
            for key in ["members", "ensemble", "augment"] {
                XCTAssertFalse(json.contains("\"\(key)"), "model.json has no \(key) key")
            }
        }
    }

    /// model.json files written before the ensemble and augmentation settings existed still load, with their defaults.
    func testSettingsWithoutTheNewKeys_decodeWithTheirDefaults() throws {
        var s = ModelSettings()
        s.epochs = 7
        let old = try JSONEncoder().encode(s)
        XCTAssertFalse(String(decoding: old, as: UTF8.self).contains("ensemble"))
        XCTAssertEqual(try JSONDecoder().decode(ModelSettings.self, from: old), s)
        s.ensemble = 3
        s.augment = true
        s.augmentExclude = ["aspect"]
        XCTAssertEqual(try JSONDecoder().decode(ModelSettings.self, from: try JSONEncoder().encode(s)), s)
    }
}
