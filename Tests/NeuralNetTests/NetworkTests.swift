import XCTest

@testable import NeuralNet

/// The reference network: architecture checks, modes, freezing, copies, heads, prediction, dense maps.
final class NetworkTests: XCTestCase {
    private func smallConfig(_ kind: NetworkConfig.Kind = .depthInput, dropout: Float = 0.1) -> NetworkConfig {
        NetworkConfig(
            kind: kind, channels: 3, patchSize: 13, depths: 4, convWidths: [4, 6, 8], fcWidths: [8, 6, 4],
            convDropout: dropout, fcDropout: 2 * dropout)
    }

    private func batch(_ n: Int, seed: UInt64, channels: Int = 3, depths: Int = 4) -> (Tensor, Tensor, Tensor) {
        var g = SeededGenerator(seed: seed)
        let depth = oneHot((0..<n).map { _ in Int(g.next() % UInt64(depths)) }, width: depths)
        return (randomTensor([n, channels, 13, 13], seed: seed), depth, randomTensor([n, 1], seed: seed + 1))
    }

    func testConfig_rejectsPatchAndPoolThatDoNotTile() {
        XCTAssertNoThrow(try NetworkConfig(channels: 40).validate())
        XCTAssertThrowsError(try Network(config: NetworkConfig(channels: 3, patchSize: 12), seed: 0)) { error in
            XCTAssertTrue("\(error)".contains("patchSize 12"), "\(error)")
        }
        XCTAssertThrowsError(try NetworkConfig(channels: 3, patchSize: 7, poolSize: 3).validate()) { error in
            XCTAssertTrue("\(error)".contains("conv3"), "\(error)")
        }
        XCTAssertThrowsError(try NetworkConfig(channels: 3, convWidths: [4, 4]).validate())
        XCTAssertThrowsError(try NetworkConfig(channels: 0).validate())
        // P = 19 with pool 3 leaves conv3 a 3 x 3 output: flatten gives w3 · 9 features.
        XCTAssertEqual(NetworkConfig(channels: 3, patchSize: 19, convWidths: [4, 4, 5]).trunkFeatures, 45)
    }

    func testReferenceNetwork_hasPyTorchNamesAndShapes() throws {
        let network = try Network(config: NetworkConfig(channels: 40), seed: 0)
        let tensors = network.namedTensors
        XCTAssertEqual(tensors["conv1.weight"]?.shape, [32, 40, 3, 3])
        XCTAssertEqual(tensors["conv3.weight"]?.shape, [128, 64, 3, 3])
        XCTAssertEqual(tensors["fc1.weight"]?.shape, [128, 134])
        XCTAssertEqual(tensors["bn5.running_var"]?.shape, [64])
        XCTAssertEqual(tensors["out.weight"]?.shape, [1, 32])
        XCTAssertEqual(tensors.count, 34)
        let heads = try Network(config: NetworkConfig(kind: .heads, channels: 40), seed: 0)
        XCTAssertEqual(heads.namedTensors["heads.5.fc1.weight"]?.shape, [128, 128])
        XCTAssertNil(heads.namedTensors["fc1.weight"])
    }

    func testSameSeed_givesSameNetworkAndTraining() throws {
        let (x, d, y) = batch(16, seed: 1)
        func trained() throws -> Network {
            let network = try Network(config: smallConfig(), seed: 7)
            let adam = Adam(parameters: network.parameters)
            for _ in 0..<3 { network.trainStep(patches: x, depthOneHot: d, targets: y, optimizer: adam) }
            return network
        }
        let a = try trained()
        let b = try trained()
        XCTAssertEqual(a.namedTensors, b.namedTensors)
        XCTAssertNotEqual(
            try Network(config: smallConfig(), seed: 8).namedTensors,
            try Network(config: smallConfig(), seed: 7).namedTensors)
    }

    func testEvalMode_forwardEqualsPredictAndIsDeterministic() throws {
        let network = try Network(config: smallConfig(), seed: 2)
        let (x, d, _) = batch(70, seed: 3)  // more than two inference chunks
        network.eval()
        let out = network.forward(patches: x, depthOneHot: d)
        XCTAssertEqual(out.shape, [70, 1])
        XCTAssertEqual(network.predict(patches: x, depthOneHot: d), out.data)
        // One patch at a time gives the same values (BatchNorm uses running statistics, dropout off).
        let single = network.predict(
            patches: Tensor(shape: [1, 3, 13, 13], data: Array(x.data[(69 * 507)..<(70 * 507)])),
            depthOneHot: Tensor(shape: [1, 4], data: Array(d.data[(69 * 4)..<(70 * 4)])))
        XCTAssertEqual(single[0], out.data[69], accuracy: 1e-6)
        network.train()
        XCTAssertNotEqual(
            network.forward(patches: x, depthOneHot: d).data, out.data, "training mode uses batch statistics")
    }

    func testTrainStep_lowersTheLossOnAFixedBatch() throws {
        let network = try Network(config: smallConfig(dropout: 0), seed: 4)
        let (x, d, y) = batch(32, seed: 5)
        let adam = Adam(parameters: network.parameters, learningRate: 1e-2)
        let first = network.trainStep(patches: x, depthOneHot: d, targets: y, optimizer: adam)
        var last = first
        for _ in 0..<30 { last = network.trainStep(patches: x, depthOneHot: d, targets: y, optimizer: adam) }
        XCTAssertLessThan(last, 0.5 * first)
    }

    func testFreeze_blocksOneToTwoKeepWeightsAndRunningStatistics() throws {
        let network = try Network(config: smallConfig(), seed: 6)
        let (x, d, y) = batch(16, seed: 7)
        let adam = Adam(parameters: network.parameters)
        network.trainStep(patches: x, depthOneHot: d, targets: y, optimizer: adam)  // non-default statistics
        network.freeze(blocks: 1...2)
        XCTAssertTrue(network.isFrozen(block: 1) && network.isFrozen(block: 2))
        XCTAssertFalse(network.isFrozen(block: 3))
        let before = network.namedTensors
        for _ in 0..<3 { network.trainStep(patches: x, depthOneHot: d, targets: y, optimizer: adam) }
        let after = network.namedTensors
        for name in before.keys {
            let frozen =
                name.hasPrefix("conv1.") || name.hasPrefix("bn1.") || name.hasPrefix("conv2.") || name.hasPrefix("bn2.")
            if frozen {
                XCTAssertEqual(after[name], before[name], "\(name) is frozen")
            } else {
                XCTAssertNotEqual(after[name], before[name], "\(name) trains")
            }
        }
        network.unfreeze(blocks: 1...2)
        XCTAssertFalse(network.isFrozen(block: 1))
    }

    func testFreeze_allBlocksStillTrainsTheOutputLayer() throws {
        let network = try Network(config: smallConfig(), seed: 8)
        network.freeze(blocks: 1...6)
        let (x, d, y) = batch(8, seed: 9)
        let before = network.namedTensors
        network.trainStep(patches: x, depthOneHot: d, targets: y, optimizer: Adam(parameters: network.parameters))
        let after = network.namedTensors
        XCTAssertNotEqual(after["out.weight"], before["out.weight"])
        XCTAssertEqual(after["fc3.weight"], before["fc3.weight"])
        XCTAssertEqual(after["bn4.running_mean"], before["bn4.running_mean"])
    }

    func testCopy_isDeep() throws {
        let network = try Network(config: smallConfig(), seed: 10)
        network.freeze(blocks: 1...1)
        let copy = network.copy()
        XCTAssertEqual(copy.namedTensors, network.namedTensors)
        XCTAssertTrue(copy.isFrozen(block: 1))
        let (x, d, y) = batch(8, seed: 11)
        copy.trainStep(patches: x, depthOneHot: d, targets: y, optimizer: Adam(parameters: copy.parameters))
        XCTAssertNotEqual(copy.namedTensors["fc1.weight"], network.namedTensors["fc1.weight"])
        XCTAssertEqual(
            try Network(config: smallConfig(), seed: 10).namedTensors["fc1.weight"], network.namedTensors["fc1.weight"],
            "the original is untouched")
    }

    func testHeads_maskedLossTrainsOnlyHeadsWithTargets() throws {
        let network = try Network(config: smallConfig(.heads, dropout: 0), seed: 12)
        let (x, _, _) = batch(8, seed: 13)
        let targets = randomTensor([8, 4], seed: 14)
        var mask = Tensor(shape: [8, 4])
        for i in 0..<8 {
            mask[i, 1] = 1
            if i < 4 { mask[i, 3] = 1 }
        }  // heads 0 and 2 have no targets
        let before = network.namedTensors
        network.trainStep(
            patches: x, depthOneHot: nil, targets: targets, mask: mask,
            optimizer: Adam(parameters: network.parameters))
        let after = network.namedTensors
        XCTAssertEqual(after["heads.0.fc1.weight"], before["heads.0.fc1.weight"])
        XCTAssertEqual(after["heads.2.out.bias"], before["heads.2.out.bias"])
        XCTAssertNotEqual(after["heads.1.fc1.weight"], before["heads.1.fc1.weight"])
        XCTAssertNotEqual(after["heads.3.out.bias"], before["heads.3.out.bias"])
        XCTAssertNotEqual(after["conv1.weight"], before["conv1.weight"])
    }

    func testHeads_predictSelectsEachSamplesHead() throws {
        let network = try Network(config: smallConfig(.heads), seed: 15)
        let (x, d, _) = batch(40, seed: 16)
        let all = network.predictHeads(patches: x)
        XCTAssertEqual(all.shape, [40, 4])
        let chosen = network.predict(patches: x, depthOneHot: d)
        for i in 0..<40 {
            let head = (0..<4).first { d[i, $0] == 1 }!
            XCTAssertEqual(chosen[i], all[i, head])
        }
    }

    func testDenseMap_equalsPatchwisePrediction() throws {
        for kind in [NetworkConfig.Kind.depthInput, .heads] {
            let config = NetworkConfig(
                kind: kind, channels: 2, patchSize: 19, depths: 3, convWidths: [4, 5, 6],
                fcWidths: [6, 5, 4])
            let network = try Network(config: config, seed: 17)
            // Non-trivial running statistics.
            let (x, d, y) = batch(16, seed: 18, channels: 2, depths: 3)
            _ = x
            _ = d
            _ = y
            for bn in network.batchNorms {
                bn.runningMean = randomTensor([bn.features], seed: 19, low: -0.2, high: 0.2)
                bn.runningVariance = randomTensor([bn.features], seed: 20, low: 0.5, high: 1.5)
            }
            network.eval()
            let tile = randomTensor([2, 25, 23], seed: 21)
            let map = network.denseMap(tile: tile, depthIndex: 1, chunkSize: 4)
            XCTAssertEqual(map.shape, [7, 5])
            var patches = Tensor(shape: [35, 2, 19, 19])
            for i in 0..<7 {
                for j in 0..<5 {
                    for c in 0..<2 {
                        for a in 0..<19 {
                            for b in 0..<19 {
                                patches[i * 5 + j, c, a, b] = tile[c, i + a, j + b]
                            }
                        }
                    }
                }
            }
            let expected = network.predict(
                patches: patches, depthOneHot: oneHot([Int](repeating: 1, count: 35), width: 3))
            assertClose(map.data, expected, relative: 1e-4, absolute: 1e-5, "\(kind) dense vs patch-wise")
        }
    }

    func testTrainableTensorNames_leaveOutFrozenBlocksWithTheirRunningStatistics() throws {
        let network = try Network(
            config: NetworkConfig(
                kind: .depthInput, channels: 2, patchSize: 13, depths: 3,
                convWidths: [4, 5, 6], fcWidths: [6, 5, 4]), seed: 5)
        XCTAssertEqual(network.trainableTensorNames, network.namedTensors.keys.sorted())
        network.freeze(blocks: 1...2)
        let names = network.trainableTensorNames
        XCTAssertFalse(
            names.contains {
                $0.hasPrefix("conv1.") || $0.hasPrefix("bn1.") || $0.hasPrefix("conv2.") || $0.hasPrefix("bn2.")
            }, "\(names)")
        for name in ["conv3.weight", "bn3.running_mean", "bn3.running_var", "fc1.weight", "out.bias"] {
            XCTAssertTrue(names.contains(name), name)
        }
        XCTAssertEqual(
            names.count, network.namedTensors.count - 2 * 2 - 2 * 4,
            "conv1/conv2 weight+bias, bn1/bn2 four tensors each")
    }
}
