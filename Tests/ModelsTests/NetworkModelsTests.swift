import Foundation
import NeuralNet
import Patches
import SoilData
import XCTest

@testable import Models

/// A synthetic patch data set whose value is a known function of the patch and the depth.
func syntheticData(sites: Int, channels: Int = 3, seed: UInt64 = 1, missingDeep: Bool = true) -> PatchDataset {
    var rng = SeededGenerator(seed: seed)
    let p = 13
    let len = channels * p * p
    var patches = [Float](repeating: 0, count: sites * len)
    var samples: [PatchSample] = []
    for s in 0..<sites {
        // Each channel is a smooth ramp with a random level and slope: the centre mean drives the value.
        var centre: Float = 0
        for c in 0..<channels {
            let level = Float.random(in: 0...1, using: &rng)
            let slope = Float.random(in: -0.03...0.03, using: &rng)
            for r in 0..<p {
                for q in 0..<p { patches[s * len + (c * p + r) * p + q] = max(0, min(1, level + slope * Float(q - 6))) }
            }
            if c < 2 { centre += level * (c == 0 ? 3 : -1) }
        }
        let deepest = missingDeep && s % 3 == 0 ? 4 : 6
        for d in 0..<deepest {
            let value = (4 + 3 * centre) * Float(exp(-0.35 * Double(d))) + Float.random(in: -0.1...0.1, using: &rng)
            samples.append(PatchSample(site: s, depth: d, value: value))
        }
    }
    let chans = (0..<channels).map {
        PatchChannel(name: "c\($0)", covariate: "c\($0)", classValue: nil, min: 0, max: 1, fill: 0.5)
    }
    let sitesList = (0..<sites).map {
        PatchSite(id: "S\($0)", x: Double($0), y: 0, sourceX: 0, sourceY: 0, col: $0, row: 0)
    }
    return PatchDataset(
        property: "SOC", unit: "g/kg", patchSize: p, channels: chans, depths: DepthInterval.standard,
        grid: PatchGrid(crsWKT: "", geotransform: [0, 1, 0, 0, 0, -1], width: sites, height: 1),
        sites: sitesList, patches: patches, samples: samples)
}

func r2(_ obs: [Float], _ pred: [Float]) -> Double {
    let mean = obs.reduce(0, +) / Float(obs.count)
    let ssTot = obs.map { Double(($0 - mean) * ($0 - mean)) }.reduce(0, +)
    let ssRes = zip(obs, pred).map { Double(($0 - $1) * ($0 - $1)) }.reduce(0, +)
    return 1 - ssRes / ssTot
}

final class NetworkModelsTests: XCTestCase {
    var settings: ModelSettings {
        var s = ModelSettings()
        s.epochs = 40
        s.fineTuneEpochs = 15
        s.patience = 8
        s.fineTuneLearningRate = 5e-4
        s.convWidths = [8, 16, 16]
        s.fcWidths = [32, 16, 8]
        return s
    }

    func split(_ data: PatchDataset) -> (train: [Int], test: [Int]) {
        let all = Array(data.samples.indices)
        return (all.filter { data.samples[$0].site % 5 != 0 }, all.filter { data.samples[$0].site % 5 == 0 })
    }

    func testTransferCNNAndMTCNN_learnAKnownFunctionOfPatchAndDepth() throws {
        let data = syntheticData(sites: 200)
        let (train, test) = split(data)
        let t = TrainingData(data: data, samples: train)
        let observed = test.map { data.samples[$0].value }
        let transfers = try NetworkTrainer.transfer(t, settings: settings, freezes: [2, 4], seed: 3)
        let transfer = transfers[2]!
        let cnn = try NetworkTrainer.cnn(t, settings: settings, seed: 3)
        let mtcnn = try NetworkTrainer.mtcnn(t, settings: settings, seed: 3)
        for model in [transfer, cnn, mtcnn] {
            let pred = model.predict(data, samples: test)
            XCTAssertFalse(pred.contains { $0.isNaN }, "\(model.kind)")
            XCTAssertGreaterThan(r2(observed, pred), 0.8, "\(model.kind) held-out R2")
        }
        // Frozen blocks of the fine-tuned networks equal the pre-trained ones.
        let pre = transfer.pretrained!.namedTensors
        let tuned = transfer.perDepth[3]!.namedTensors
        XCTAssertEqual(pre["conv1.weight"], tuned["conv1.weight"])
        XCTAssertEqual(pre["conv2.bias"], tuned["conv2.bias"])
        XCTAssertNotEqual(pre["fc2.weight"], tuned["fc2.weight"])
        // Maps share exactly those blocks (fine-tuning left frozen BatchNorm statistics alone),
        // mtcnn its whole trunk, cnn nothing, and sharing changes no value.
        XCTAssertEqual(transfer.sharedBlocks, 2)
        XCTAssertEqual(transfers[4]!.sharedBlocks, 4, "fc1 frozen: its product is shared too")
        XCTAssertEqual(cnn.sharedBlocks, 0)
        XCTAssertEqual(mtcnn.sharedBlocks, 3)
        var g = SeededGenerator(seed: 12)
        let tile = Tensor(shape: [3, 30, 26], data: (0..<(3 * 30 * 26)).map { _ in Float(g.next() % 1000) / 1000 })
        for model in [transfer, transfers[4]!, cnn, mtcnn] {
            let shared = model.denseMaps(tile: tile, depths: 6)
            XCTAssertTrue(
                shared == model.denseMaps(tile: tile, depths: 6, share: false),
                "\(model.kind): shared and whole runs are bitwise equal")
            XCTAssertEqual(shared.map(\.count), [Int](repeating: 18 * 14, count: 6))
            XCTAssertFalse(shared.joined().contains { !$0.isFinite }, "\(model.kind)")
        }
    }

    func testSameSeed_sameModel_differentSeed_differentModel() throws {
        let data = syntheticData(sites: 40)
        var s = settings
        s.epochs = 3
        let t = TrainingData(data: data, samples: Array(data.samples.indices))
        let a = try NetworkTrainer.cnn(t, settings: s, seed: 9).perDepth[0]!.namedTensors
        let b = try NetworkTrainer.cnn(t, settings: s, seed: 9).perDepth[0]!.namedTensors
        let c = try NetworkTrainer.cnn(t, settings: s, seed: 10).perDepth[0]!.namedTensors
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, c)
    }

    func testEarlyStopping_keepsTheBestEpoch() throws {
        let data = syntheticData(sites: 60)
        var s = settings
        s.epochs = 60
        s.patience = 3
        s.learningRate = 0.05  // unstable on purpose: validation loss soon stops improving
        let model = try NetworkTrainer.cnn(
            TrainingData(data: data, samples: Array(data.samples.indices)), settings: s, seed: 1)
        let log = model.logs["0-5cm"]!
        XCTAssertLessThan(log.epochs, 60)
        XCTAssertEqual(log.epochs - log.bestEpoch, 3, "stops `patience` epochs after the best")
        XCTAssertEqual(log.bestValidationLoss, log.validationLoss.min())
    }

    func testMTCNN_masksMissingDepths() throws {
        // Sites without the two deepest intervals still train the upper heads.
        let data = syntheticData(sites: 30)
        var s = settings
        s.epochs = 2
        let model = try NetworkTrainer.mtcnn(
            TrainingData(data: data, samples: Array(data.samples.indices)), settings: s, seed: 1)
        let pred = model.predict(data, samples: Array(data.samples.indices))
        XCTAssertEqual(pred.count, data.samples.count)
        XCTAssertFalse(pred.contains { !$0.isFinite })
    }

    func testTargetScaler_roundTripsWithAndWithoutLog() {
        for log in [false, true] {
            let s = TargetScaler(fitting: [1, 2, 3, 10], log1p: log)
            for v: Float in [0, 1.5, 20] { XCTAssertEqual(s.unscale(s.scale(v)), v, accuracy: 1e-4) }
        }
        XCTAssertEqual(TargetScaler(fitting: [5, 5, 5], log1p: false).sd, 1, "constant targets do not divide by zero")
    }
}
