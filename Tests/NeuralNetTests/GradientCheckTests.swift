import XCTest

@testable import NeuralNet

/// Central-difference checks of every layer's backward pass and of the whole network.
final class GradientCheckTests: XCTestCase {
    /// Checks d(Σ w·layer(x))/dx and d/dθ for every parameter at sampled indices.
    /// `reset` restores any state that changes the output between calls (the Dropout generator).
    private func checkLayer(
        _ layer: any Layer, input: Tensor, seed: UInt64 = 1, reset: (() -> Void)? = nil,
        _ name: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        reset?()
        let y = layer.forward(input)
        let weights = randomTensor(y.shape, seed: seed)
        layer.zeroGradients()
        let dx = layer.backward(weights)
        func f(_ x: Tensor) -> Double {
            reset?()
            return dot(layer.forward(x), weights)
        }
        checkGradient(value: input, analytic: dx, "\(name) input", file: file, line: line) { f($0) }
        for p in layer.parameters {
            if p.frozen {
                XCTAssertEqual(
                    p.gradient.data.map(abs).max() ?? 0, 0, "\(name).\(p.name) is frozen", file: file, line: line)
                continue
            }
            let original = p.value
            let analytic = p.gradient
            checkGradient(value: original, analytic: analytic, "\(name).\(p.name)", file: file, line: line) { v in
                p.value = v
                defer { p.value = original }
                return f(input)
            }
        }
    }

    func testConv2D_backwardMatchesCentralDifferences() {
        var g = SeededGenerator(seed: 1)
        checkLayer(
            Conv2D(inChannels: 3, outChannels: 4, kernelSize: 3, generator: &g),
            input: randomTensor([2, 3, 7, 6], seed: 2), "conv")
    }

    func testConv2D_dilatedBackwardMatchesCentralDifferences() {
        var g = SeededGenerator(seed: 3)
        checkLayer(
            Conv2D(inChannels: 2, outChannels: 3, kernelSize: 3, dilation: 2, generator: &g),
            input: randomTensor([2, 2, 8, 9], seed: 4), "dilated conv")
    }

    func testConv2D_shardedAndBlockedBackwardMatchesCentralDifferences() {
        // Large enough to be split over threads and, within a shard, into several sample blocks.
        var g = SeededGenerator(seed: 5)
        checkLayer(
            Conv2D(inChannels: 16, outChannels: 4, kernelSize: 3, generator: &g),
            input: randomTensor([12, 16, 20, 20], seed: 6), "blocked conv")
    }

    func testMaxPool2D_backwardMatchesCentralDifferences() {
        // Distinct values far apart (no ties within a step) so every window has one clear maximum.
        var g = SeededGenerator(seed: 7)
        var values = (0..<(2 * 3 * 7 * 7)).map { Float($0) * 0.05 }
        values.shuffle(using: &g)
        checkLayer(MaxPool2D(kernelSize: 3), input: Tensor(shape: [2, 3, 7, 7], data: values), "pool")
        checkLayer(
            MaxPool2D(kernelSize: 2, stride: 1), input: Tensor(shape: [2, 3, 7, 7], data: values), "pool stride 1")
    }

    func testBatchNorm2D_trainingBackwardMatchesCentralDifferences() {
        let bn = BatchNorm(features: 3)
        bn.weight.value = randomTensor([3], seed: 8, low: 0.5, high: 1.5)
        bn.bias.value = randomTensor([3], seed: 9)
        checkLayer(bn, input: randomTensor([4, 3, 3, 5], seed: 10, low: -2, high: 2), "bn2d")
    }

    func testBatchNorm1D_trainingBackwardMatchesCentralDifferences() {
        let bn = BatchNorm(features: 11)
        bn.weight.value = randomTensor([11], seed: 11, low: 0.5, high: 1.5)
        bn.bias.value = randomTensor([11], seed: 12)
        checkLayer(bn, input: randomTensor([6, 11], seed: 13, low: -2, high: 2), "bn1d")
    }

    func testFrozenBatchNorm_backwardMatchesCentralDifferences() {
        let bn = BatchNorm(features: 3)
        bn.runningMean = randomTensor([3], seed: 14)
        bn.runningVariance = randomTensor([3], seed: 15, low: 0.5, high: 2)
        bn.setFrozen(true)
        checkLayer(bn, input: randomTensor([2, 3, 2, 2], seed: 16), "frozen bn")
    }

    /// `statisticsFrozen`: training normalises with the running statistics (as inference) while γ and β
    /// train; the backward pass must be that of this affine map, with dγ and dβ.
    func testBatchNormWithFrozenStatistics_backwardMatchesCentralDifferences() {
        for (shape, seed) in [([2, 3, 2, 2], UInt64(40)), ([5, 3], UInt64(44))] {
            let bn = BatchNorm(features: 3)
            bn.runningMean = randomTensor([3], seed: seed)
            bn.runningVariance = randomTensor([3], seed: seed + 1, low: 0.5, high: 2)
            bn.weight.value = randomTensor([3], seed: seed + 2, low: 0.5, high: 1.5)
            bn.bias.value = randomTensor([3], seed: seed + 3)
            bn.statisticsFrozen = true
            let (mean, variance) = (bn.runningMean, bn.runningVariance)
            let x = randomTensor(shape, seed: seed + 4, low: -2, high: 2)
            XCTAssertEqual(bn.forward(x), bn.infer(x), "\(shape): inference-mode output")
            checkLayer(bn, input: x, "bn with frozen statistics \(shape)")
            XCTAssertEqual(bn.runningMean, mean, "\(shape): running statistics kept")
            XCTAssertEqual(bn.runningVariance, variance, "\(shape): running statistics kept")
            XCTAssertTrue((bn.copy() as! BatchNorm).statisticsFrozen, "copies keep the mode")
        }
    }

    func testSwish_backwardMatchesCentralDifferences() {
        checkLayer(Swish(), input: randomTensor([3, 2, 4, 5], seed: 17, low: -6, high: 6), "swish")
    }

    func testReLU_backwardMatchesCentralDifferencesAwayFromZero() {
        // Values at least 0.05 from the kink, beyond the 0.01 step.
        var x = randomTensor([4, 30], seed: 18, low: 0.05, high: 2)
        for i in stride(from: 0, to: x.count, by: 2) { x.data[i] = -x.data[i] }
        checkLayer(ReLU(), input: x, "relu")
    }

    func testDropout_backwardMatchesCentralDifferencesWithFixedMask() {
        let dropout = Dropout(probability: 0.3, seed: 19)
        let start = dropout.generator
        checkLayer(dropout, input: randomTensor([4, 3, 5], seed: 20), reset: { dropout.generator = start }, "dropout")
    }

    func testLinear_backwardMatchesCentralDifferences() {
        var g = SeededGenerator(seed: 21)
        checkLayer(
            Linear(inFeatures: 7, outFeatures: 5, generator: &g), input: randomTensor([6, 7], seed: 22), "linear")
    }

    func testSequential_backwardMatchesCentralDifferences() {
        var g = SeededGenerator(seed: 23)
        let net = Sequential([
            Conv2D(inChannels: 2, outChannels: 3, kernelSize: 3, generator: &g), Swish(), BatchNorm(features: 3),
            Flatten(), Linear(inFeatures: 3 * 3 * 3, outFeatures: 4, generator: &g), Swish()
        ])
        checkLayer(net, input: randomTensor([5, 2, 5, 5], seed: 24), "sequential")
    }

    /// The whole reference network (narrow, dropout off) in training mode: input and every parameter.
    func testReferenceNetwork_backwardMatchesCentralDifferences() throws {
        // P = 19 leaves conv3 a 3 x 3 output, so the flatten order matters too.
        for (kind, side) in [(NetworkConfig.Kind.depthInput, 13), (.heads, 13), (.depthInput, 19)] {
            let config = NetworkConfig(
                kind: kind, channels: 2, patchSize: side, depths: 3, convWidths: [4, 4, 6],
                fcWidths: [6, 5, 4], convDropout: 0, fcDropout: 0)
            let network = try Network(config: config, seed: 25)
            for bn in network.batchNorms {  // non-trivial affine parameters
                bn.weight.value = randomTensor([bn.features], seed: UInt64(bn.features) + 26, low: 0.6, high: 1.4)
                bn.bias.value = randomTensor([bn.features], seed: UInt64(bn.features) + 27, low: -0.2, high: 0.2)
            }
            let x = randomTensor([6, 2, side, side], seed: 28, low: -1.5, high: 1.5)
            let depth = oneHot([0, 1, 2, 1, 0, 2], width: 3)
            network.train()
            let y = network.forward(patches: x, depthOneHot: depth)
            let weights = randomTensor(y.shape, seed: 29)
            network.zeroGradients()
            let dx = try XCTUnwrap(network.backward(outputGradient: weights, needsInputGradient: true))
            func f(_ input: Tensor) -> Double { dot(network.forward(patches: input, depthOneHot: depth), weights) }
            // A smaller step than for single layers: a step moves many activations at once, and
            // max-pool windows and ReLUs switch sooner.
            checkGradient(value: x, analytic: dx, samples: 40, step: 2e-3, "\(kind) P\(side) input") { f($0) }
            for (name, p) in network.namedParameters {
                let original = p.value
                let analytic = p.gradient
                checkGradient(value: original, analytic: analytic, samples: 8, step: 2e-3, "\(kind) P\(side) \(name)") {
                    v in
                    p.value = v
                    defer { p.value = original }
                    return f(x)
                }
            }
        }
    }
}
