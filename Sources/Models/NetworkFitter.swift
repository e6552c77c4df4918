import Foundation
import NeuralNet
import Patches

/// How one network is trained: epochs, step size, batch size, early stopping and the fine-tuning options.
struct FitSpec {
    var epochs: Int
    var learningRate: Float
    var batchSize: Int
    var patience: Int
    var weightDecay: Float
    /// Score the starting weights on the validation set as epoch 0: kept unless an epoch beats them.
    var scoreStart = false
    /// L2-SP strength: α/2·‖θ − θ_start‖² on the parameters not frozen (0 = none).
    var l2SP: Float = 0
    /// Epochs 1...N train only the output layer (blocks 1...6 frozen); then the blocks not frozen
    /// at the start train too. Early stopping counts from epoch N + 1.
    var headFirstEpochs = 0
    /// Random rotations and flips of the training patches (`train.augment`), nil for none.
    var augmentation: PatchAugmentation? = nil
}

/// What a training run did.
public struct FitLog: Sendable, Codable, Equatable {
    /// Epochs run.
    public var epochs: Int
    /// Epoch whose weights were kept (1-based; the last one when there is no validation set; 0 for
    /// the starting weights, when they were scored (`scorePretrained`) and no epoch beat them).
    public var bestEpoch: Int
    /// Validation loss of the kept weights (scaled units; NaN without validation set).
    public var bestValidationLoss: Float
    /// Mean training loss per epoch.
    public var trainingLoss: [Float]
    /// Validation loss per epoch.
    public var validationLoss: [Float]
    /// Validation loss of the starting weights (epoch 0), when they were scored.
    public var startValidationLoss: Float? = nil
}

/// Progress of a training run: epoch done, epochs at most, training and validation loss.
public typealias TrainingProgress = (_ epoch: Int, _ epochs: Int, _ trainLoss: Float, _ validationLoss: Float) -> Void

/// Trains a network with Adam on mini-batches, early stopping on a validation set and keeping the best weights.
enum NetworkFitter {
    static func fit(
        _ network: Network, data: PatchDataset, train: [Example], validation: [Example],
        spec: FitSpec, seed: UInt64, progress: TrainingProgress?
    ) -> FitLog {
        let k = network.config.outputs
        let d = network.config.depths
        let useDepth = network.config.kind == .depthInput
        let optimizer = Adam(
            parameters: network.parameters, learningRate: spec.learningRate, weightDecay: spec.weightDecay)
        let penalty = spec.l2SP > 0 ? L2SP(alpha: spec.l2SP, parameters: network.parameters) : nil
        var rng = SeededGenerator(seed: seed)
        var order = train
        var best = Float.infinity
        var bestEpoch = 0
        var bestState = network.namedTensors
        var log = FitLog(epochs: 0, bestEpoch: 0, bestValidationLoss: .nan, trainingLoss: [], validationLoss: [])
        if spec.scoreStart, !validation.isEmpty {
            best = loss(network, data: data, examples: validation)
            log.startValidationLoss = best
        }
        // LP-FT: the output layer alone first, then the blocks that were trainable at the start.
        let trainableBlocks = (1...6).filter { !network.isFrozen(block: $0) }
        var headOnly = spec.headFirstEpochs > 0
        if headOnly { network.freeze(blocks: 1...6) }
        var sinceBest = 0
        let augmentation = spec.augmentation.map { ($0, $0.transformedChannels(data.channels)) }
        for epoch in 1...max(spec.epochs, 1) {
            if headOnly, epoch > spec.headFirstEpochs {
                network.unfreeze(blocks: trainableBlocks)
                headOnly = false
            }
            network.train()
            order.shuffle(using: &rng)
            var total: Float = 0
            var count = 0
            var start = 0
            while start < order.count {
                var end = min(order.count, start + spec.batchSize)
                // BatchNorm needs two samples: fold a lone last sample into the batch before.
                if order.count - end == 1 { end = order.count }
                let slice = order[start..<end]
                start = end
                guard slice.count >= 2 else { continue }
                let loss = network.trainStep(
                    patches: Batch.patches(slice, from: data, augmentation: augmentation, generator: &rng),
                    depthOneHot: useDepth ? Batch.depthOneHot(slice.map(\.depth), count: d) : nil,
                    targets: Batch.targets(slice, outputs: k), mask: Batch.mask(slice, outputs: k),
                    optimizer: optimizer,
                    penalty: penalty)
                total += loss * Float(slice.count)
                count += slice.count
            }
            let trainLoss = count > 0 ? total / Float(count) : .nan
            let validationLoss = validation.isEmpty ? Float.nan : loss(network, data: data, examples: validation)
            log.epochs = epoch
            log.trainingLoss.append(trainLoss)
            log.validationLoss.append(validationLoss)
            progress?(epoch, spec.epochs, trainLoss, validationLoss)
            if validation.isEmpty {
                bestEpoch = epoch
                continue
            }
            if validationLoss < best {
                best = validationLoss
                bestEpoch = epoch
                bestState = network.namedTensors
                sinceBest = 0
            } else if !headOnly {
                sinceBest += 1
                if sinceBest >= spec.patience { break }
            }
        }
        if headOnly { network.unfreeze(blocks: trainableBlocks) }
        if !validation.isEmpty {
            for (name, t) in bestState { try? network.setTensor(name, t) }
        }
        network.eval()
        log.bestEpoch = bestEpoch
        log.bestValidationLoss = validation.isEmpty ? .nan : best
        return log
    }

    /// Mean (masked) squared error of the network on examples, in inference mode.
    static func loss(_ network: Network, data: PatchDataset, examples: [Example]) -> Float {
        let k = network.config.outputs
        let slice = examples[...]
        let y = network.inferAll(
            patches: Batch.patches(slice, from: data),
            depthOneHot: network.config.kind == .depthInput
                ? Batch.depthOneHot(examples.map(\.depth), count: network.config.depths) : nil)
        var sum: Float = 0
        var weight: Float = 0
        for (i, e) in examples.enumerated() {
            for j in 0..<k {
                let m = e.mask?[j] ?? 1
                let diff = y.data[i * k + j] - e.targets[j]
                sum += m * diff * diff
                weight += m
            }
        }
        return weight > 0 ? sum / weight : .nan
    }
}
