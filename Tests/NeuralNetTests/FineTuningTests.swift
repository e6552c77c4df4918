import XCTest

@testable import NeuralNet

/// What fine-tuning adds to the engine: the L2-SP penalty and BatchNorm with frozen running statistics.
final class FineTuningTests: XCTestCase {
    private func smallNetwork(seed: UInt64) throws -> Network {
        try Network(
            config: NetworkConfig(
                channels: 2, patchSize: 13, depths: 3, convWidths: [4, 4, 6], fcWidths: [6, 5, 4],
                convDropout: 0, fcDropout: 0), seed: seed)
    }

    /// The gradient after `trainStep`'s backward plus `L2SP.addGradient()` is that of MSE + α/2·‖θ − θ₀‖²
    /// (central differences), and the penalty leaves frozen parameters alone.
    func testL2SP_gradientMatchesCentralDifferencesOfThePenalisedLoss() throws {
        var g = SeededGenerator(seed: 50)
        let net = Sequential([
            Linear(inFeatures: 5, outFeatures: 4, generator: &g), Swish(),
            Linear(inFeatures: 4, outFeatures: 2, generator: &g)
        ])
        let penalty = L2SP(alpha: 0.7, parameters: net.parameters)
        // Move away from the starting point so that θ − θ₀ is not zero.
        var steps: [[Float]] = []
        for (i, p) in net.parameters.enumerated() {
            steps.append(randomTensor(p.value.shape, seed: 51 + UInt64(i)).data.map { 0.5 * $0 })
            p.value = Tensor(shape: p.value.shape, data: zip(p.value.data, steps[i]).map { $0 + $1 })
        }
        let frozen = net.parameters[1]  // the first layer's bias
        frozen.frozen = true
        let x = randomTensor([6, 5], seed: 60)
        let y = randomTensor([6, 2], seed: 61)
        func penalisedLoss() -> Double {
            Double(MSELoss.evaluate(prediction: net.forward(x), target: y).loss) + penalty.value()
        }
        net.zeroGradients()
        let (_, dy) = MSELoss.evaluate(prediction: net.forward(x), target: y)
        _ = net.backward(dy, needsInputGradient: false)
        penalty.addGradient()
        XCTAssertEqual(frozen.gradient.data.map(abs).max(), 0, "no penalty gradient on a frozen parameter")
        for (i, p) in net.parameters.enumerated() where !p.frozen {
            let original = p.value
            let analytic = p.gradient
            checkGradient(value: original, analytic: analytic, step: 1e-2, "parameter \(i)") { v in
                p.value = v
                defer { p.value = original }
                return penalisedLoss()
            }
        }
        // The penalty alone: α/2·Σ(θ − θ₀)² over the parameters not frozen; the distance counts every one.
        func sumOfSquares(_ v: [Float]) -> Double { v.reduce(0) { $0 + Double($1) * Double($1) } }
        let all = steps.map(sumOfSquares)
        let trainable = all.enumerated().filter { $0.offset != 1 }.map(\.element)
        XCTAssertEqual(penalty.value(), 0.35 * trainable.reduce(0, +), accuracy: 1e-4)
        XCTAssertEqual(penalty.squaredDistance(), all.reduce(0, +), accuracy: 1e-4)
    }

    func testL2SP_withLargeAlphaTrainingStaysNearTheStart() throws {
        func distance(alpha: Float) throws -> Double {
            let network = try smallNetwork(seed: 70)
            network.freeze(blocks: 1...2)
            let penalty = alpha > 0 ? L2SP(alpha: alpha, parameters: network.parameters) : nil
            let probe = L2SP(alpha: 0, parameters: network.parameters)
            let adam = Adam(parameters: network.parameters, learningRate: 1e-2)
            let x = randomTensor([8, 2, 13, 13], seed: 71)
            let d = oneHot([0, 1, 2, 0, 1, 2, 0, 1], width: 3)
            let y = randomTensor([8, 1], seed: 72)
            for _ in 0..<20 {
                network.trainStep(patches: x, depthOneHot: d, targets: y, optimizer: adam, penalty: penalty)
            }
            return probe.squaredDistance()
        }
        let free = try distance(alpha: 0)
        let anchored = try distance(alpha: 100)
        XCTAssertLessThan(anchored, 0.2 * free, "\(anchored) vs \(free)")
    }

    func testFreezeBatchNormStatistics_keepsRunningStatisticsWhileAffineParametersTrain() throws {
        let network = try smallNetwork(seed: 80)
        let x = randomTensor([8, 2, 13, 13], seed: 81)
        let d = oneHot([0, 1, 2, 0, 1, 2, 0, 1], width: 3)
        let y = randomTensor([8, 1], seed: 82)
        let adam = Adam(parameters: network.parameters)
        network.trainStep(patches: x, depthOneHot: d, targets: y, optimizer: adam)  // non-default statistics
        network.freezeBatchNormStatistics()
        let before = network.namedTensors
        network.train()
        XCTAssertEqual(
            network.forward(patches: x, depthOneHot: d), network.inferAll(patches: x, depthOneHot: d),
            "training forward equals inference (no dropout)")
        for _ in 0..<3 { network.trainStep(patches: x, depthOneHot: d, targets: y, optimizer: adam) }
        let after = network.namedTensors
        for bn in ["bn1", "bn2", "bn3", "bn4", "bn5"] {
            XCTAssertEqual(after["\(bn).running_mean"], before["\(bn).running_mean"], bn)
            XCTAssertEqual(after["\(bn).running_var"], before["\(bn).running_var"], bn)
            XCTAssertNotEqual(after["\(bn).weight"], before["\(bn).weight"], "\(bn): γ trains")
            XCTAssertNotEqual(after["\(bn).bias"], before["\(bn).bias"], "\(bn): β trains")
        }
        XCTAssertTrue(network.copy().batchNorms.allSatisfy(\.statisticsFrozen), "copies keep the mode")
        network.freezeBatchNormStatistics(false)
        network.trainStep(patches: x, depthOneHot: d, targets: y, optimizer: adam)
        XCTAssertNotEqual(network.namedTensors["bn4.running_mean"], after["bn4.running_mean"], "batch statistics again")
    }
}
