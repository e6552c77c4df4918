import Foundation
import Patches
import XCTest

@testable import Models
@testable import NeuralNet

/// The fine-tuning options of issue #13: target scaling, fine-tune batch size, scoring the
/// pre-trained weights, L2-SP, LP-FT (head first) and BatchNorm in eval mode while fine-tuning.
final class FineTuningTests: XCTestCase {
    /// A small, fast network and protocol.
    var settings: ModelSettings {
        var s = ModelSettings()
        s.epochs = 6
        s.fineTuneEpochs = 4
        s.patience = 100
        s.batchSize = 16
        s.fineTuneLearningRate = 5e-4
        s.convWidths = [4, 8, 8]
        s.fcWidths = [8, 8, 4]
        return s
    }

    func training(_ sites: Int = 40) -> TrainingData {
        let data = syntheticData(sites: sites)
        return TrainingData(data: data, samples: Array(data.samples.indices))
    }

    /// Sum of squared differences between two networks' parameters.
    func squaredDistance(_ a: Network, _ b: Network) -> Double {
        let bt = b.namedTensors
        var sum = 0.0
        for (name, parameter) in a.namedParameters {
            for (x, y) in zip(parameter.value.data, bt[name]!.data) {
                let d = Double(x) - Double(y)
                sum += d * d
            }
        }
        return sum
    }

    // MARK: model.json

    /// settings as model.json held them before the fine-tuning options (synthesised Codable, sorted keys).
    let earlierSettingsJSON = """
        {"batchSize":64,"convDropout":0.1,"convWidths":[32,64,128],"epochs":600,"fcDropout":0.2,"fcWidths":[128,64,32],\
        "fineTuneEpochs":300,"fineTuneLearningRate":0.0001,"freeze":2,\
        "kernelSize":3,"learningRate":0.001,"log1p":false,\
        "maxFeatures":[5,10,15,20,25,30,35,40,45,50,55,60,65,70,75,80,85,90,95,100],\
        "minSamplesLeaf":[10,20,30,40,50,60,70,80,90,100],"patience":30,"poolSize":3,"trees":500,"tuningTrees":100,\
        "validationFraction":0.1,"weightDecay":0}
        """

    func testModelSettings_decodesModelJSONOfEarlierVersionsWithTheNewOptionsOff() throws {
        let decoded = try JSONDecoder().decode(ModelSettings.self, from: Data(earlierSettingsJSON.utf8))
        XCTAssertEqual(decoded, ModelSettings())
        XCTAssertEqual(decoded.targetScaling, .perDepth)
        XCTAssertNil(decoded.fineTuneBatchSize)
        XCTAssertFalse(decoded.scorePretrained)
        XCTAssertEqual(decoded.l2SP, 0)
        XCTAssertEqual(decoded.headFirstEpochs, 0)
        XCTAssertEqual(decoded.fineTuneBatchNorm, .train)
        // Without the options, the settings encode to what earlier versions wrote, under the `train` keys' names.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        XCTAssertEqual(
            String(decoding: try encoder.encode(ModelSettings()), as: UTF8.self),
            """
            {"batch_size":64,"conv_dropout":0.1,"conv_widths":[32,64,128],"epochs":600,"fc_dropout":0.2,\
            "fc_widths":[128,64,32],"fine_tune_epochs":300,"fine_tune_learning_rate":0.0001,"freeze":2,"kernel_size":3,\
            "learning_rate":0.001,"log1p":false,\
            "max_features":[5,10,15,20,25,30,35,40,45,50,55,60,65,70,75,80,85,90,95,100],\
            "min_samples_leaf":[10,20,30,40,50,60,70,80,90,100],"patience":30,"pool":3,"trees":500,"tuning_trees":100,\
            "validation_fraction":0.1,"weight_decay":0}
            """)
    }

    func testModelSettings_roundTripTheFineTuningOptions() throws {
        var s = ModelSettings()
        s.targetScaling = .pooled
        s.fineTuneBatchSize = 8
        s.scorePretrained = true
        s.l2SP = 0.01
        s.headFirstEpochs = 3
        s.fineTuneBatchNorm = .eval
        let text = String(decoding: try JSONEncoder().encode(s), as: UTF8.self)
        for key in [
            "target_scaling", "fine_tune_batch_size", "score_pretrained", "l2_sp", "head_first_epochs",
            "fine_tune_batchnorm"
        ] {
            XCTAssertTrue(text.contains("\"\(key)\""), key)
        }
        XCTAssertEqual(try JSONDecoder().decode(ModelSettings.self, from: Data(text.utf8)), s)
        // A missing key that earlier versions always wrote is still an error.
        let broken = earlierSettingsJSON.replacingOccurrences(of: "\"freeze\":2,", with: "")
        XCTAssertThrowsError(try JSONDecoder().decode(ModelSettings.self, from: Data(broken.utf8)))
    }

    // MARK: target_scaling

    func testPooledTargetScaling_givesOneScalerForEveryDepthOfTransferAndMTCNN_cnnStaysPerDepth() throws {
        let t = training()
        var s = settings
        s.epochs = 1
        s.fineTuneEpochs = 1
        s.targetScaling = .pooled
        let pooled = TargetScaler(fitting: t.samples.map { t.data.samples[$0].value }, log1p: false)
        let transfer = try NetworkTrainer.transfer(t, settings: s, freezes: [2], seed: 1)[2]!
        let mtcnn = try NetworkTrainer.mtcnn(t, settings: s, seed: 1)
        XCTAssertEqual(transfer.scalers, [TargetScaler](repeating: pooled, count: 6))
        XCTAssertEqual(mtcnn.scalers, [TargetScaler](repeating: pooled, count: 6))
        let cnn = try NetworkTrainer.cnn(t, settings: s, seed: 1)
        XCTAssertEqual(Set(cnn.scalers.map(\.mean)).count, 6, "cnn scales each depth with its own mean")
        // The default: each depth its own scaler, as before.
        let perDepth = NetworkTrainer.scalers(t, settings: settings)
        XCTAssertEqual(Set(perDepth.map(\.mean)).count, 6)
        XCTAssertEqual(perDepth, cnn.scalers)
        // Predictions are unscaled with the pooled scaler: finite, in the values' range.
        let predictions = transfer.predict(t.data, samples: t.samples)
        XCTAssertFalse(predictions.contains { !$0.isFinite })
    }

    // MARK: fine_tune_batch_size

    func testFineTuneBatchSize_isTheFineTuningStepBudget() throws {
        var s = settings
        XCTAssertEqual(NetworkTrainer.spec(s, fineTune: true).batchSize, 16, "default: batch_size")
        s.fineTuneBatchSize = 4
        XCTAssertEqual(NetworkTrainer.spec(s, fineTune: true).batchSize, 4)
        XCTAssertEqual(NetworkTrainer.spec(s, fineTune: false).batchSize, 16, "pre-training keeps batch_size")
        // More, smaller steps move the fine-tuned weights further from the pre-trained ones.
        s.validationFraction = 0
        let t = training()
        var big = s
        big.fineTuneBatchSize = nil
        let small = try NetworkTrainer.transfer(t, settings: s, freezes: [2], seed: 2)[2]!
        let large = try NetworkTrainer.transfer(t, settings: big, freezes: [2], seed: 2)[2]!
        XCTAssertEqual(small.pretrained!.namedTensors, large.pretrained!.namedTensors, "same pre-training")
        XCTAssertGreaterThan(
            squaredDistance(small.perDepth[0]!, small.pretrained!),
            squaredDistance(large.perDepth[0]!, large.pretrained!))
    }

    // MARK: score_pretrained

    func testScorePretrained_keepsThePretrainedWeightsWhenNoEpochBeatsThem() throws {
        let t = training(60)
        var s = settings
        s.fineTuneLearningRate = 1  // ruins the weights: no fine-tuning epoch beats the pre-trained ones
        s.patience = 2
        s.scorePretrained = true
        let model = try NetworkTrainer.transfer(t, settings: s, freezes: [2], seed: 3)[2]!
        for label in t.data.depths.map(\.label) {
            let log = try XCTUnwrap(model.logs[label], label)
            XCTAssertEqual(log.bestEpoch, 0, label)
            XCTAssertEqual(log.epochs, 2, "\(label): stops `patience` epochs after epoch 0")
            XCTAssertEqual(log.bestValidationLoss, try XCTUnwrap(log.startValidationLoss), label)
            XCTAssertLessThan(log.bestValidationLoss, log.validationLoss.min()!, label)
        }
        XCTAssertEqual(
            model.perDepth[1]!.namedTensors, model.pretrained!.namedTensors, "the pre-trained weights are kept")
        // Without scoring, the best fine-tuned epoch is kept, however bad.
        s.scorePretrained = false
        let unscored = try NetworkTrainer.transfer(t, settings: s, freezes: [2], seed: 3)[2]!
        XCTAssertGreaterThanOrEqual(unscored.logs["0-5cm"]!.bestEpoch, 1)
        XCTAssertNil(unscored.logs["0-5cm"]!.startValidationLoss)
        XCTAssertNotEqual(unscored.perDepth[1]!.namedTensors, unscored.pretrained!.namedTensors)
    }

    func testScorePretrained_keepsAFineTunedEpochThatBeatsThem() throws {
        let t = training(60)
        var s = settings
        s.epochs = 2  // a poorly pre-trained network that fine-tuning improves
        s.fineTuneEpochs = 8
        s.fineTuneLearningRate = 3e-3
        s.scorePretrained = true
        let model = try NetworkTrainer.transfer(t, settings: s, freezes: [0], seed: 4)[0]!
        let log = model.logs["0-5cm"]!
        XCTAssertGreaterThanOrEqual(log.bestEpoch, 1)
        XCTAssertLessThan(log.bestValidationLoss, log.startValidationLoss!)
    }

    // MARK: l2_sp

    func testL2SP_keepsFineTunedWeightsCloserToThePretrainedOnes() throws {
        let t = training()
        var s = settings
        s.validationFraction = 0  // keep the last epoch: the distance is what training did
        s.fineTuneEpochs = 6
        s.fineTuneLearningRate = 2e-3
        let free = try NetworkTrainer.transfer(t, settings: s, freezes: [2], seed: 5)[2]!
        s.l2SP = 1000
        let anchored = try NetworkTrainer.transfer(t, settings: s, freezes: [2], seed: 5)[2]!
        XCTAssertEqual(free.pretrained!.namedTensors, anchored.pretrained!.namedTensors, "same pre-training")
        for k in [0, 3, 5] {
            let dFree = squaredDistance(free.perDepth[k]!, free.pretrained!)
            let dAnchored = squaredDistance(anchored.perDepth[k]!, anchored.pretrained!)
            XCTAssertLessThan(dAnchored, 0.5 * dFree, "depth \(k): \(dAnchored) vs \(dFree)")
        }
        // L2-SP replaces weight decay while fine-tuning; pre-training keeps it.
        s.weightDecay = 0.01
        XCTAssertEqual(NetworkTrainer.spec(s, fineTune: true).weightDecay, 0)
        XCTAssertEqual(NetworkTrainer.spec(s, fineTune: true).l2SP, 1000)
        XCTAssertEqual(NetworkTrainer.spec(s, fineTune: false).weightDecay, 0.01)
        XCTAssertEqual(NetworkTrainer.spec(s, fineTune: false).l2SP, 0)
    }

    // MARK: head_first_epochs

    func testHeadFirstEpochs_trainOnlyTheOutputLayerThenTheConfiguredBlocks() throws {
        let t = training()
        let scalers = NetworkTrainer.scalers(t, settings: settings)
        let examples = NetworkTrainer.examples(t, t.samples(atDepth: 1)) { scalers[$0] }
        let start = try Network(config: NetworkTrainer.config(.depthInput, data: t.data, settings: settings), seed: 6)
        start.freeze(blocks: 1...2)
        func fineTune(epochs: Int, headFirst: Int) -> Network {
            let net = start.copy()
            var spec = NetworkTrainer.spec(settings, fineTune: true)
            spec.epochs = epochs
            spec.headFirstEpochs = headFirst
            _ = NetworkFitter.fit(
                net, data: t.data, train: examples, validation: [], spec: spec, seed: 7, progress: nil)
            return net
        }
        // All epochs in the head phase: only the output layer moved (BatchNorm statistics too stayed).
        let headOnly = fineTune(epochs: 2, headFirst: 2)
        let before = start.namedTensors
        let after = headOnly.namedTensors
        let changed = before.keys.filter { before[$0] != after[$0] }.sorted()
        XCTAssertEqual(changed, ["out.bias", "out.weight"])
        XCTAssertEqual(
            (1...6).map { headOnly.isFrozen(block: $0) }, [true, true, false, false, false, false],
            "the configured freeze is restored")
        // Then blocks 3...6 fine-tune too; blocks 1...2 stay frozen.
        let both = fineTune(epochs: 4, headFirst: 2).namedTensors
        for name in ["fc3.weight", "fc1.weight", "conv3.weight", "bn4.running_mean"] {
            XCTAssertNotEqual(before[name], both[name], name)
        }
        for name in ["conv1.weight", "conv2.bias", "bn2.running_var"] { XCTAssertEqual(before[name], both[name], name) }
    }

    func testHeadFirstEpochs_earlyStoppingWaitsForTheFullFineTuning() throws {
        let t = training(60)
        var s = settings
        s.fineTuneEpochs = 6
        s.patience = 1
        s.headFirstEpochs = 4
        s.fineTuneLearningRate = 1e-7  // nothing improves much: without the head phase patience 1 would stop at epoch 2
        let model = try NetworkTrainer.transfer(t, settings: s, freezes: [2], seed: 8)[2]!
        for (label, log) in model.logs where label != "pre-train" {
            XCTAssertGreaterThanOrEqual(log.epochs, 5, label)
        }
    }

    // MARK: fine_tune_batchnorm

    func testFineTuneBatchNormEval_keepsRunningStatisticsWhileTheAffineParametersTrain() throws {
        let t = training()
        var s = settings
        s.validationFraction = 0
        s.fineTuneBatchNorm = .eval
        let eval = try NetworkTrainer.transfer(t, settings: s, freezes: [2], seed: 9)[2]!
        s.fineTuneBatchNorm = .train
        let train = try NetworkTrainer.transfer(t, settings: s, freezes: [2], seed: 9)[2]!
        let pre = eval.pretrained!.namedTensors
        let tunedEval = eval.perDepth[2]!.namedTensors
        let tunedTrain = train.perDepth[2]!.namedTensors
        for bn in ["bn3", "bn4", "bn5"] {
            XCTAssertEqual(tunedEval["\(bn).running_mean"], pre["\(bn).running_mean"], bn)
            XCTAssertEqual(tunedEval["\(bn).running_var"], pre["\(bn).running_var"], bn)
            XCTAssertNotEqual(tunedEval["\(bn).weight"], pre["\(bn).weight"], "\(bn): γ still trains")
            XCTAssertNotEqual(tunedTrain["\(bn).running_mean"], pre["\(bn).running_mean"], "\(bn) in train mode")
        }
        // The mode ends with fine-tuning.
        XCTAssertFalse(eval.perDepth[2]!.batchNorms.contains { $0.statisticsFrozen })
    }
}
