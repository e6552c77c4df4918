import XCTest

@testable import NeuralNet

final class DenseMapperTests: XCTestCase {
    let config = NetworkConfig(
        kind: .depthInput, channels: 2, patchSize: 13, depths: 4, convWidths: [4, 5, 6],
        fcWidths: [6, 5, 4])

    /// A pre-trained network with non-trivial BatchNorm statistics, in inference mode.
    func pretrained() throws -> Network {
        let network = try Network(config: config, seed: 31)
        for (i, bn) in network.batchNorms.enumerated() {
            bn.runningMean = randomTensor([bn.features], seed: 40 + UInt64(i), low: -0.2, high: 0.2)
            bn.runningVariance = randomTensor([bn.features], seed: 50 + UInt64(i), low: 0.5, high: 1.5)
        }
        network.eval()
        return network
    }

    /// Copies of `pre`, one per depth, with blocks 1...frozen frozen and every other tensor
    /// changed (as fine-tuning does).
    func fineTuned(_ pre: Network, frozen: Int) throws -> [Network] {
        return try (0..<config.depths).map { d in
            let net = pre.copy()
            if frozen > 0 { net.freeze(blocks: 1...frozen) }
            let tensors = net.namedTensors
            for (k, name) in net.trainableTensorNames.enumerated() {
                let t = tensors[name]!
                try net.setTensor(
                    name,
                    Tensor(
                        shape: t.shape,
                        data: randomTensor(t.shape, seed: UInt64(100 * d + k), low: 0.9, high: 1.1)
                            .data.enumerated().map { t.data[$0.offset] * $0.element }))
            }
            return net
        }
    }

    func testFrozenBlocks_areFoundAndSharedWithoutChangingAnyValue() throws {
        let pre = try pretrained()
        let tile = randomTensor([2, 31, 29], seed: 60, low: 0, high: 1)
        for frozen in 0...6 {
            let nets = try fineTuned(pre, frozen: frozen)
            let members = nets.enumerated().map { (network: $0.element, depthIndex: $0.offset) }
            let mapper = DenseMapper(members: members)
            // Conv blocks 1..F, and from F = 4 fc1's product (its bias differs with the depth input).
            XCTAssertEqual(mapper.sharedBlocks, min(frozen, 4), "F = \(frozen)")
            let maps = mapper.maps(tile: tile, chunkSize: 7)
            XCTAssertEqual(maps.shape, [4, 19, 17])
            let whole = DenseMapper(members: members, share: false)
            XCTAssertEqual(whole.sharedBlocks, 0)
            XCTAssertTrue(
                maps == whole.maps(tile: tile, chunkSize: 7), "F = \(frozen): shared and whole runs are bitwise equal")
            for (d, net) in nets.enumerated() {
                // Same output chunks, same kernels: bitwise equal (other chunk sizes differ in the last bit).
                let own = net.denseMap(tile: tile, depthIndex: d, chunkSize: 7)
                XCTAssertTrue(
                    Array(maps.data[(d * 19 * 17)..<((d + 1) * 19 * 17)]) == own.data, "F = \(frozen), depth \(d)")
            }
            if frozen >= 1 {
                // The members really differ: the test would not pass with one network's maps copied.
                XCTAssertNotEqual(Array(maps.data[0..<(19 * 17)]), Array(maps.data[(19 * 17)..<(2 * 19 * 17)]))
            }
        }
    }

    func testRunningStatisticsCount_aBlockWithOtherBatchNormStatisticsIsNotShared() throws {
        let pre = try pretrained()
        let other = pre.copy()
        let bn2 = other.namedTensors["bn2.running_var"]!
        try other.setTensor("bn2.running_var", Tensor(shape: bn2.shape, data: bn2.data.map { $0 * 1.5 }))
        XCTAssertEqual(DenseMapper.commonConvBlocks([pre, other]), 1)
        XCTAssertEqual(DenseMapper.commonConvBlocks([pre, pre.copy()]), 3)
        XCTAssertEqual(DenseMapper.commonConvBlocks([pre, try Network(config: config, seed: 32)]), 0)
    }

    func testHeadsNetwork_sharesItsWholeTrunk() throws {
        var c = config
        c.kind = .heads
        let net = try Network(config: c, seed: 33)
        net.eval()
        let tile = randomTensor([2, 20, 24], seed: 61, low: 0, high: 1)
        let mapper = DenseMapper(members: (0..<4).map { (net, $0) })
        XCTAssertEqual(mapper.sharedBlocks, 3)
        let maps = mapper.maps(tile: tile)
        for d in 0..<4 {
            XCTAssertTrue(
                Array(maps.data[(d * 8 * 12)..<((d + 1) * 8 * 12)]) == net.denseMap(tile: tile, depthIndex: d).data,
                "head \(d)")
        }
    }

    func testDescription_namesWhatIsShared() {
        XCTAssertEqual(DenseMapper.describe(sharedBlocks: 1), "conv block 1")
        XCTAssertEqual(DenseMapper.describe(sharedBlocks: 2), "conv blocks 1-2")
        XCTAssertEqual(DenseMapper.describe(sharedBlocks: 4), "conv blocks 1-3 and fc1's product")
    }
}
