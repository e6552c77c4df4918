import Compute
import Foundation
import NeuralNet

/// Speed of the reference network (C = 40, P = 13, D = 6), measured like
/// /work/shared/anchors/bench.py measures PyTorch: training throughput with batch 64
/// (forward + MSE + backward + Adam) and inference throughput with batch 4096.
public enum NNBenchmark {
    /// Runs both measurements for about `seconds` in total and returns
    /// `train_samples_per_s`, `infer_patches_per_s` (medians of repeated timings) and `threads`.
    public static func run(seconds: Double = 10) -> [String: Double] {
        let config = NetworkConfig(kind: .depthInput, channels: 40, patchSize: 13, depths: 6)
        let network = try! Network(config: config, seed: 0)
        var g = SeededGenerator(seed: 1)
        func uniform(_ shape: [Int]) -> Tensor {
            Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in g.nextUnitFloat() })
        }
        func oneHot(_ n: Int) -> Tensor {
            var t = Tensor(shape: [n, 6])
            for i in 0..<n { t.data[i * 6 + Int(g.next() % 6)] = 1 }
            return t
        }
        let x = uniform([64, 40, 13, 13])
        let d = oneHot(64)
        let y = Tensor(shape: [64, 1], data: (0..<64).map { _ in g.nextNormal() })
        let adam = Adam(parameters: network.parameters, learningRate: 1e-3)
        network.train()
        let trainStepsPerRound = 10
        let train = medianRate(budget: seconds / 2, work: Double(64 * trainStepsPerRound)) {
            for _ in 0..<trainStepsPerRound {
                network.trainStep(patches: x, depthOneHot: d, targets: y, optimizer: adam)
            }
        }
        network.eval()
        let xi = uniform([4096, 40, 13, 13])
        let di = oneHot(4096)
        let infer = medianRate(budget: seconds / 2, work: 4096) {
            _ = network.predict(patches: xi, depthOneHot: di)
        }
        return ["train_samples_per_s": train, "infer_patches_per_s": infer, "threads": Double(Parallel.workers)]
    }

    /// Work per second of `body`: two warm-up runs, then at least five timed runs within about `budget` seconds.
    static func medianRate(budget: Double, work: Double, _ body: () -> Void) -> Double {
        let clock = ContinuousClock()
        body()
        body()
        var times: [Double] = []
        let start = clock.now
        while times.count < 5 || (clock.now - start) < .seconds(budget) {
            let t0 = clock.now
            body()
            let elapsed = clock.now - t0
            times.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
            if times.count >= 200 { break }
        }
        times.sort()
        return work / times[times.count / 2]
    }
}
