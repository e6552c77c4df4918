import XCTest

@testable import NeuralNet

/// Forward values of the layers against naive reference computations, and their modes.
final class LayerTests: XCTestCase {
    /// Direct 7-loop convolution (cross-correlation) with dilation: the reference for Conv2D.
    private func naiveConv(_ x: Tensor, _ w: Tensor, _ b: Tensor, dilation d: Int) -> Tensor {
        let (n, cin, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (cout, k) = (w.shape[0], w.shape[2])
        let (ho, wo) = (h - d * (k - 1), wd - d * (k - 1))
        var y = Tensor(shape: [n, cout, ho, wo])
        for s in 0..<n {
            for o in 0..<cout {
                for oy in 0..<ho {
                    for ox in 0..<wo {
                        var sum = Double(b.data[o])
                        for c in 0..<cin {
                            for i in 0..<k {
                                for j in 0..<k {
                                    sum += Double(x[s, c, oy + i * d, ox + j * d]) * Double(w[o, c, i, j])
                                }
                            }
                        }
                        y[s, o, oy, ox] = Float(sum)
                    }
                }
            }
        }
        return y
    }

    func testConv2D_matchesNaiveConvolution_forShardsBlocksBandsAndDilation() {
        // Small batches, a batch in several sample blocks, and an image large enough for row bands.
        for (n, cin, cout, side, d) in [
            (2, 3, 4, 7, 1), (3, 2, 5, 11, 3), (12, 16, 6, 20, 1), (1, 1, 1, 3, 1),
            (1, 8, 3, 70, 2)
        ] {
            var g = SeededGenerator(seed: UInt64(n * 100 + side))
            let conv = Conv2D(inChannels: cin, outChannels: cout, kernelSize: 3, dilation: d, generator: &g)
            let x = randomTensor([n, cin, side, side], seed: UInt64(side))
            let expected = naiveConv(x, conv.weight.value, conv.bias.value, dilation: d)
            XCTAssertEqual(conv.infer(x).shape, expected.shape)
            assertClose(conv.infer(x).data, expected.data, relative: 1e-5, absolute: 1e-5, "infer n\(n) d\(d)")
            assertClose(conv.forward(x).data, expected.data, relative: 1e-5, absolute: 1e-5, "forward n\(n) d\(d)")
        }
    }

    func testConv2D_followsWeightChangesAfterPreparing() {
        var g = SeededGenerator(seed: 9)
        let conv = Conv2D(inChannels: 2, outChannels: 3, kernelSize: 3, generator: &g)
        let x = randomTensor([2, 2, 5, 5], seed: 10)
        conv.prepareForInference()
        _ = conv.infer(x)
        conv.weight.value.data[4] += 0.5  // in place, as the optimizer does
        assertClose(
            conv.infer(x).data, naiveConv(x, conv.weight.value, conv.bias.value, dilation: 1).data,
            relative: 1e-5, absolute: 1e-5, "a stale kept copy is not used")
        conv.prepareForInference()
        assertClose(
            conv.infer(x).data, naiveConv(x, conv.weight.value, conv.bias.value, dilation: 1).data,
            relative: 1e-5, absolute: 1e-5, "after preparing again")
    }

    func testConv2D_initialisesUniformWithinPyTorchBound() {
        var g = SeededGenerator(seed: 1)
        let conv = Conv2D(inChannels: 40, outChannels: 32, kernelSize: 3, generator: &g)
        let bound = 1 / Float(360).squareRoot()
        XCTAssertLessThanOrEqual(conv.weight.value.data.map(abs).max()!, bound)
        XCTAssertGreaterThan(conv.weight.value.data.map(abs).max()!, 0.95 * bound)
        XCTAssertLessThanOrEqual(conv.bias.value.data.map(abs).max()!, bound)
        let mean = conv.weight.value.data.reduce(0, +) / Float(conv.weight.value.count)
        XCTAssertEqual(mean, 0, accuracy: 0.05 * bound)
        var g2 = SeededGenerator(seed: 1)
        XCTAssertEqual(
            Conv2D(inChannels: 40, outChannels: 32, kernelSize: 3, generator: &g2).weight.value,
            conv.weight.value, "same seed, same weights")
    }

    func testMaxPool2D_takesMaximumAndSendsGradientToFirstOfTies() {
        let x = Tensor(
            shape: [1, 1, 3, 4],
            data: [
                1, 5, 2, 2,
                5, 0, 2, 7,
                9, 9, 2, 2
            ])
        let pool = MaxPool2D(kernelSize: 2, stride: 1)
        let y = pool.forward(x)
        XCTAssertEqual(y.shape, [1, 1, 2, 3])
        XCTAssertEqual(y.data, [5, 5, 7, 9, 9, 7])
        let dx = pool.backward(Tensor(shape: [1, 1, 2, 3], data: [1, 10, 100, 1000, 10000, 100000]))
        // Window (0,0) ties 5 at (0,1) and (1,0): the first in row-major order wins, as in PyTorch.
        XCTAssertEqual(
            dx.data,
            [
                0, 11, 0, 0,
                0, 0, 0, 100_100,
                1000, 10000, 0, 0
            ])
        XCTAssertEqual(pool.infer(x), y)
        let nanInput = Tensor(shape: [1, 1, 2, 2], data: [1, .nan, 3, 2])
        XCTAssertTrue(MaxPool2D(kernelSize: 2).infer(nanInput).data[0].isNaN, "NaN propagates like PyTorch")
    }

    func testMaxPool2D_strideEqualToWindowTilesTheInput() {
        let x = randomTensor([2, 3, 9, 9], seed: 3)
        let y = MaxPool2D(kernelSize: 3).infer(x)
        XCTAssertEqual(y.shape, [2, 3, 3, 3])
        XCTAssertEqual(y[1, 2, 1, 2], (3..<6).flatMap { i in (6..<9).map { x[1, 2, i, $0] } }.max()!)
    }

    func testBatchNorm_trainingUsesBatchStatisticsAndUpdatesRunningOnesUnbiased() {
        let bn = BatchNorm(features: 2)
        // Channel 0 holds 1, 2, 3, 4; channel 1 holds 10, 10, 30, 30 (batch 2, 1 x 2 images).
        let x = Tensor(shape: [2, 2, 1, 2], data: [1, 2, 10, 10, 3, 4, 30, 30])
        let y = bn.forward(x)
        let var0: Float = 1.25
        let var1: Float = 100
        XCTAssertEqual(y[0, 0, 0, 0], (1 - 2.5) / (var0 + 1e-5).squareRoot(), accuracy: 1e-5)
        XCTAssertEqual(y[1, 1, 0, 1], (30 - 20) / (var1 + 1e-5).squareRoot(), accuracy: 1e-5)
        // running = 0.9 · old + 0.1 · batch, with the unbiased variance (4/3 of the biased one).
        assertClose(bn.runningMean.data, [0.25, 2], "running mean")
        assertClose(bn.runningVariance.data, [0.9 + 0.1 * var0 * 4 / 3, 0.9 + 0.1 * var1 * 4 / 3], "running var")
        // Inference uses the running statistics.
        let yi = bn.infer(x)
        XCTAssertEqual(yi[0, 0, 0, 0], (1 - 0.25) / (bn.runningVariance.data[0] + 1e-5).squareRoot(), accuracy: 1e-5)
    }

    func testBatchNorm_frozenKeepsAndUsesRunningStatistics() {
        let bn = BatchNorm(features: 3)
        bn.runningMean = Tensor(shape: [3], data: [0.5, -1, 2])
        bn.runningVariance = Tensor(shape: [3], data: [2, 0.5, 1])
        bn.setFrozen(true)
        let x = randomTensor([4, 3], seed: 4)
        let y = bn.forward(x)
        XCTAssertEqual(y, bn.infer(x))
        XCTAssertEqual(bn.runningMean.data, [0.5, -1, 2])
        XCTAssertEqual(bn.runningVariance.data, [2, 0.5, 1])
        bn.setFrozen(false)
        _ = bn.forward(x)
        XCTAssertNotEqual(bn.runningMean.data, [0.5, -1, 2])
    }

    func testDropout_isIdentityAtInferenceAndSeededInTraining() {
        let x = randomTensor([8, 4, 10, 10], seed: 5, low: 1, high: 2)
        let a = Dropout(probability: 0.25, seed: 42)
        let b = Dropout(probability: 0.25, seed: 42)
        XCTAssertEqual(a.infer(x), x)
        let ya = a.forward(x)
        let yb = b.forward(x)
        XCTAssertEqual(ya, yb, "same seed, same mask")
        let dropped = ya.data.filter { $0 == 0 }.count
        XCTAssertEqual(Double(dropped) / Double(x.count), 0.25, accuracy: 0.02)
        for i in 0..<x.count where ya.data[i] != 0 { XCTAssertEqual(ya.data[i], x.data[i] / 0.75, accuracy: 1e-6) }
        XCTAssertNotEqual(a.forward(x), ya, "a new mask every step")
        let copy = a.copy() as! Dropout
        XCTAssertEqual(copy.forward(x), a.forward(x), "a copy continues the same stream")
    }

    func testLinear_matchesNaiveProduct() {
        var g = SeededGenerator(seed: 6)
        let linear = Linear(inFeatures: 5, outFeatures: 3, generator: &g)
        let x = randomTensor([4, 5], seed: 7)
        let y = linear.infer(x)
        for i in 0..<4 {
            for o in 0..<3 {
                let expected =
                    linear.bias.value.data[o]
                    + (0..<5).map { x[i, $0] * linear.weight.value[o, $0] }.reduce(0, +)
                XCTAssertEqual(y[i, o], expected, accuracy: 1e-5)
            }
        }
    }

    func testSwishAndReLU_matchDefinitions() {
        let x = Tensor(shape: [1, 7], data: [-100, -5, -0.5, 0, 0.5, 5, 80])
        let swish = Swish().infer(x)
        for i in 0..<7 {
            let v = Double(x.data[i])
            XCTAssertEqual(Double(swish.data[i]), v / (1 + Foundation.exp(-v)), accuracy: 1e-6 * max(1, abs(v)))
        }
        XCTAssertEqual(ReLU().infer(x).data, [0, 0, 0, 0, 0.5, 5, 80])
    }

    func testFlattenAndAppendFeatures_keepOrderAndSplitGradients() {
        let x = randomTensor([2, 3, 2, 2], seed: 8)
        let flatten = Flatten()
        let f = flatten.forward(x)
        XCTAssertEqual(f.shape, [2, 12])
        XCTAssertEqual(f.data, x.data)
        let append = AppendFeatures(extraFeatures: 2)
        let z = append.forward(f, extra: Tensor(shape: [2, 2], data: [1, 0, 0, 1]))
        XCTAssertEqual(z.shape, [2, 14])
        XCTAssertEqual(Array(z.data[12..<14]), [1, 0])
        XCTAssertEqual(Array(z.data[14..<26]), Array(x.data[12..<24]))
        let back = append.backward(z)
        XCTAssertEqual(back, f)
        XCTAssertEqual(flatten.backward(back).shape, [2, 3, 2, 2])
    }

    func testAdam_matchesPyTorchFormulaWithWeightDecay() {
        let p = Parameter(name: "w", value: Tensor(shape: [3], data: [1, -2, 0.5]))
        let adam = Adam(parameters: [p], learningRate: 0.01, weightDecay: 0.1)
        var theta: [Double] = [1, -2, 0.5]
        var m = [Double](repeating: 0, count: 3)
        var v = m
        let grads: [[Double]] = [[0.3, -1, 0], [0.1, 0.2, -0.4], [-0.5, 0.5, 2]]
        for (t, grad) in grads.enumerated() {
            p.gradient = Tensor(shape: [3], data: grad.map(Float.init))
            adam.step()
            for i in 0..<3 {
                let g = grad[i] + 0.1 * theta[i]
                m[i] = 0.9 * m[i] + 0.1 * g
                v[i] = 0.999 * v[i] + 0.001 * g * g
                let mHat = m[i] / (1 - pow(0.9, Double(t + 1)))
                let vHat = v[i] / (1 - pow(0.999, Double(t + 1)))
                theta[i] -= 0.01 * mHat / (vHat.squareRoot() + 1e-8)
            }
        }
        assertClose(p.value.data, theta.map(Float.init), relative: 1e-5, "after three steps")
    }

    func testAdam_skipsFrozenParameters() {
        let p = Parameter(name: "w", value: Tensor(shape: [2], data: [1, 2]), frozen: true)
        p.gradient = Tensor(shape: [2], data: [1, 1])
        Adam(parameters: [p]).step()
        XCTAssertEqual(p.value.data, [1, 2])
    }

    func testMSELoss_meanAndMaskedMean() {
        let prediction = Tensor(shape: [2, 2], data: [1, 2, 3, 4])
        let target = Tensor(shape: [2, 2], data: [0, 2, 1, 0])
        let (loss, gradient) = MSELoss.evaluate(prediction: prediction, target: target)
        XCTAssertEqual(loss, (1 + 0 + 4 + 16) / 4)
        XCTAssertEqual(gradient.data, [0.5, 0, 1, 2])
        let mask = Tensor(shape: [2, 2], data: [1, 0, 0, 1])
        let masked = MSELoss.evaluate(prediction: prediction, target: target, mask: mask)
        XCTAssertEqual(masked.loss, (1 + 16) / 2)
        XCTAssertEqual(masked.gradient.data, [1, 0, 0, 4])
        let none = MSELoss.evaluate(prediction: prediction, target: target, mask: Tensor(shape: [2, 2]))
        XCTAssertEqual(none.loss, 0)
        XCTAssertEqual(none.gradient.data, [0, 0, 0, 0])
    }
}
