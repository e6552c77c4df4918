import Foundation
import NeuralNet
import Patches
import XCTest

@testable import Models

/// `train.augment`: the 8 rotations and flips of training patches, and `train.augment_exclude`.
final class AugmentationTests: XCTestCase {
    /// Patches [n, c, p, p] of distinct values.
    func patches(n: Int = 1, c: Int = 1, p: Int = 5) -> Tensor {
        Tensor(shape: [n, c, p, p], data: (0..<(n * c * p * p)).map { Float($0) })
    }

    func applied(_ transforms: [PatchTransform], _ x: Tensor) -> Tensor {
        var y = x
        for t in transforms {
            PatchAugmentation.apply([t], to: &y, transformed: [Bool](repeating: true, count: x.shape[1]))
        }
        return y
    }

    func testTheEightTransforms_areAGroup_keepingTheCentreCell() {
        let x = patches(p: 5)
        let turn = PatchTransform(quarterTurns: 1, mirrored: false)
        let mirror = PatchTransform(quarterTurns: 0, mirrored: true)
        XCTAssertEqual(applied([turn, turn, turn, turn], x), x, "four quarter turns are the identity")
        XCTAssertEqual(applied([mirror, mirror], x), x, "mirroring twice is the identity")
        XCTAssertEqual(
            applied([turn], x).data[0...4], [4, 9, 14, 19, 24],
            "a counter-clockwise quarter turn brings the last column to the top row")
        let images = PatchTransform.all.map { applied([$0], x) }
        XCTAssertEqual(Set(images.map(\.data)).count, 8, "eight different transforms")
        for image in images {
            XCTAssertEqual(image.data[12], x.data[12], "the centre cell stays")
            XCTAssertEqual(Set(image.data), Set(x.data), "a permutation of the cells")
        }
        // Closed under composition, and every transform has an inverse among them.
        for a in PatchTransform.all {
            for b in PatchTransform.all { XCTAssertTrue(images.contains(applied([a, b], x)), "\(a) then \(b)") }
            XCTAssertTrue(PatchTransform.all.contains { applied([a, $0], x) == x }, "\(a) has an inverse")
        }
        XCTAssertEqual(applied([PatchTransform.all[0]], x), x, "index 0 is the identity")
    }

    func testExcludedChannels_areLeftAsTheyAre() {
        let channels = ["slope", "aspect", "landcover", "landcover"].enumerated().map { i, cov in
            PatchChannel(name: i == 3 ? "landcover=2" : cov, covariate: cov, classValue: nil, min: 0, max: 1, fill: 0)
        }
        let a = PatchAugmentation(excluding: ["aspect", "landcover"])
        XCTAssertEqual(
            a.transformedChannels(channels), [true, false, false, false], "one-hot channels by their covariate's name")
        let x = patches(n: 2, c: 4, p: 5)
        var y = x
        PatchAugmentation.apply(
            [PatchTransform(quarterTurns: 1, mirrored: true), PatchTransform(quarterTurns: 2, mirrored: false)],
            to: &y, transformed: a.transformedChannels(channels))
        for i in 0..<2 {
            for ch in 0..<4 {
                let plane = ((i * 4 + ch) * 25)..<((i * 4 + ch + 1) * 25)
                if ch == 0 {
                    XCTAssertNotEqual(y.data[plane], x.data[plane])
                } else {
                    XCTAssertEqual(y.data[plane], x.data[plane])
                }
            }
        }
    }

    func testUnknownExcludedCovariate_isAnErrorListingTheCovariates() throws {
        let data = syntheticData(sites: 20)
        var s = ModelSettings()
        s.augment = true
        s.augmentExclude = ["c1", "aspect"]
        XCTAssertThrowsError(try s.validateAugmentation(channels: data.channels)) { error in
            XCTAssertEqual("\(error)", "unknown covariate 'aspect'; the stack's covariates are c0, c1, c2")
        }
        XCTAssertThrowsError(
            try ModelFitting.fit(
                [.cnn], data: TrainingData(data: data, samples: Array(data.samples.indices)),
                settings: s, seed: 1))
        s.augmentExclude = ["c1"]
        XCTAssertNoThrow(try s.validateAugmentation(channels: data.channels))
    }

    func testAugmentationOff_drawsNothingAndBuildsTheSamePatches() {
        let data = syntheticData(sites: 10)
        let examples = (0..<10).map { Example(site: $0, depth: 0, targets: [0], mask: nil) }[...]
        var g = SeededGenerator(seed: 4)
        XCTAssertEqual(
            Batch.patches(examples, from: data, augmentation: nil, generator: &g), Batch.patches(examples, from: data))
        XCTAssertEqual(g, SeededGenerator(seed: 4), "no draw without augmentation")
        XCTAssertNil(PatchAugmentation(ModelSettings()), "off by default")
        let a = PatchAugmentation(excluding: [])
        let augmented = Batch.patches(
            examples, from: data, augmentation: (a, a.transformedChannels(data.channels)), generator: &g)
        XCTAssertNotEqual(augmented, Batch.patches(examples, from: data))
        XCTAssertNotEqual(g, SeededGenerator(seed: 4))
    }

    func testAugmentedTraining_sameSeedSameBytes_andNotTheUnaugmentedModel() throws {
        let data = syntheticData(sites: 40)
        var s = ModelSettings()
        s.epochs = 3
        s.fineTuneEpochs = 2
        s.convWidths = [4, 8, 8]
        s.fcWidths = [8, 8, 4]
        let t = TrainingData(data: data, samples: Array(data.samples.indices))
        let plain = try NetworkTrainer.transfer(t, settings: s, freezes: [2], seed: 9)[2]!
        s.augment = true
        s.augmentExclude = ["c2"]
        let a = try NetworkTrainer.transfer(t, settings: s, freezes: [2], seed: 9)[2]!
        let b = try NetworkTrainer.transfer(t, settings: s, freezes: [2], seed: 9)[2]!
        XCTAssertEqual(a.pretrained!.namedTensors, b.pretrained!.namedTensors)
        XCTAssertEqual(a.perDepth[1]!.namedTensors, b.perDepth[1]!.namedTensors)
        XCTAssertNotEqual(
            a.pretrained!.namedTensors, plain.pretrained!.namedTensors, "augmentation changes pre-training")
        XCTAssertNotEqual(a.perDepth[1]!.namedTensors["fc3.weight"], plain.perDepth[1]!.namedTensors["fc3.weight"])
        for kind in [ModelKind.cnn, .mtcnn] {
            let (x, _) = try ModelFitting.fit([kind], data: t, settings: s, seed: 2)
            let (y, _) = try ModelFitting.fit([kind], data: t, settings: s, seed: 2)
            XCTAssertEqual(
                x[kind]!.predict(data, samples: t.samples), y[kind]!.predict(data, samples: t.samples), "\(kind)")
        }
    }
}
