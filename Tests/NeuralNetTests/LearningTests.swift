import XCTest

@testable import NeuralNet

/// A tiny network must learn a known smooth function of a 5 x 5 patch.
final class LearningTests: XCTestCase {
    /// f(patch) = sin(2 · (centre + above − below)) + exp(left edge − right edge), patches uniform in [0, 1).
    private func data(_ n: Int, seed: UInt64) -> (Tensor, Tensor) {
        let x = randomTensor([n, 1, 5, 5], seed: seed, low: 0, high: 1)
        var y = Tensor(shape: [n, 1])
        for i in 0..<n {
            let column = x[i, 0, 2, 2] + x[i, 0, 1, 2] - x[i, 0, 3, 2]
            let edges = x[i, 0, 2, 0] - x[i, 0, 2, 4]
            y[i, 0] = Foundation.sin(2 * column) + Foundation.exp(edges)
        }
        return (x, y)
    }

    func testTinyNetwork_learnsSmoothFunctionOfPatch() {
        var g = SeededGenerator(seed: 1)
        let network = Sequential([
            Conv2D(inChannels: 1, outChannels: 16, kernelSize: 3, generator: &g), Swish(),
            Conv2D(inChannels: 16, outChannels: 32, kernelSize: 3, generator: &g), Swish(),
            Flatten(), Linear(inFeatures: 32, outFeatures: 32, generator: &g), Swish(),
            Linear(inFeatures: 32, outFeatures: 1, generator: &g)
        ])
        let adam = Adam(parameters: network.parameters, learningRate: 3e-3)
        let (train, trainY) = data(2048, seed: 2)
        let (test, testY) = data(512, seed: 3)
        let mean = testY.data.reduce(0, +) / Float(testY.count)
        let variance = testY.data.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(testY.count)
        for step in 0..<600 {
            let lo = (step * 64) % 2048
            let x = Tensor(shape: [64, 1, 5, 5], data: Array(train.data[(lo * 25)..<((lo + 64) * 25)]))
            let y = Tensor(shape: [64, 1], data: Array(trainY.data[lo..<(lo + 64)]))
            adam.zeroGradients()
            let (_, gradient) = MSELoss.evaluate(prediction: network.forward(x), target: y)
            _ = network.backward(gradient, needsInputGradient: false)
            adam.step()
        }
        let (testLoss, _) = MSELoss.evaluate(prediction: network.infer(test), target: testY)
        XCTAssertLessThan(testLoss, 0.03 * variance, "test MSE \(testLoss) vs target variance \(variance)")
    }
}
