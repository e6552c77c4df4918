import Foundation
import NeuralNet
import Patches
import SoilData
import TestSupport
import XCTest

@testable import Models

/// The `combined` model: members of different kinds summed with per-depth weights, and its weights' fit.
final class CombinedModelTests: XCTestCase {
    /// Predictions of three members for `n` samples of y = 2 + x: the first good, the second biased, the third noise.
    func members(n: Int, seed: UInt64 = 4) -> (x: [[Double]], y: [Double]) {
        var g = SeededGenerator(seed: seed)
        let u = { Double(g.next() % 10_000) / 10_000 }
        var x = [[Double]](repeating: [], count: 3)
        var y: [Double] = []
        for _ in 0..<n {
            let t = 2 + 3 * u()
            y.append(t + 0.3 * (u() - 0.5))
            x[0].append(t + 0.2 * (u() - 0.5))
            x[1].append(0.8 * t + 0.4 * (u() - 0.5))
            x[2].append(5 * u())
        }
        return (x, y)
    }

    /// The unscaled NNLS solution satisfies the Kuhn-Tucker conditions: zero gradient on the positive weights, a
    /// non-negative one on the zero weights.
    func testNNLS_meetsTheKuhnTuckerConditions_andSumsToOne() throws {
        for seed in UInt64(1)...6 {
            let (x, y) = members(n: 40, seed: seed)
            let w = try XCTUnwrap(Stacking.nnls(x, y))
            XCTAssertEqual(w.reduce(0, +), 1, accuracy: 1e-12)
            XCTAssertTrue(w.allSatisfy { $0 >= 0 })
            // Undo the rescaling: the unscaled solution is the LS fit on the positive members.
            let positive = w.indices.filter { w[$0] > 0 }
            let beta = try XCTUnwrap(Stacking.leastSquares(positive.map { x[$0] }, y))
            var raw = [Double](repeating: 0, count: 3)
            for (j, c) in positive.enumerated() { raw[c] = beta[j] }
            let residual = y.indices.map { i in (0..<3).reduce(0) { $0 + raw[$1] * x[$1][i] } - y[i] }
            for c in 0..<3 {
                let gradient = zip(x[c], residual).reduce(0) { $0 + $1.0 * $1.1 }
                if raw[c] > 0 {
                    XCTAssertEqual(gradient, 0, accuracy: 1e-8 * Double(y.count), "seed \(seed) member \(c)")
                } else {
                    XCTAssertGreaterThanOrEqual(gradient, -1e-8, "seed \(seed) member \(c)")
                }
            }
            XCTAssertGreaterThan(w[0], w[2], "the good member weighs more than noise (seed \(seed))")
        }
    }

    /// scipy.optimize.nnls (Lawson-Hanson) on the same data: the same weights to 1e-9.
    func testNNLS_agreesWithScipy() throws {
        var script = "import json,sys\nimport numpy as np\nfrom scipy.optimize import nnls\nout=[]\n"
        var ours: [[Double]] = []
        for seed in UInt64(1)...5 {
            let (x, y) = members(n: 30, seed: seed)
            ours.append(try XCTUnwrap(Stacking.nnls(x, y)))
            script += "A=np.array(\(x)).T\nb=np.array(\(y))\nw,_=nnls(A,b)\nout.append((w/w.sum()).tolist())\n"
        }
        script += "print(json.dumps(out))\n"
        let file = NSTemporaryDirectory() + "socmap-nnls-\(UUID().uuidString).py"
        try script.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        guard let text = runTool("python3", [file]), let data = text.data(using: .utf8),
            let theirs = try? JSONDecoder().decode([[Double]].self, from: data)
        else { throw missingClient("python3 with scipy (Debian's python3-scipy) is not installed") }
        XCTAssertEqual(theirs.count, ours.count)
        for (a, b) in zip(ours, theirs) {
            for (u, v) in zip(a, b) { XCTAssertEqual(u, v, accuracy: 1e-9, "\(ours) vs scipy \(theirs)") }
        }
    }

    func testNNLS_givesNoWeightsWithoutEnoughFiniteSamples() {
        XCTAssertNil(Stacking.nnls([[1], [2]], [1]), "fewer samples than members")
        XCTAssertNil(Stacking.nnls([[1, .nan], [2, 1]], [1, 2]), "a prediction that is not finite")
        XCTAssertNil(Stacking.nnls([[-1, -2], [-2, -4]], [1, 2]), "no positive fit")
        XCTAssertEqual(Stacking.nnls([[1, 2], [2, 4]], [1, 2]) ?? [], [1, 0], "collinear members: the first suffices")
    }

    func testCombine_isTheWeightedSum_andNaNOnlyWhereAWeightedMemberIsMissing() {
        XCTAssertEqual(Stacking.combine([2, 4], weights: [0.25, 0.75]), 3.5)
        XCTAssertTrue(Stacking.combine([2, .nan], weights: [0.5, 0.5]).isNaN)
        XCTAssertEqual(Stacking.combine([2, .nan], weights: [1, 0]), 2, "a member of weight 0 is not needed")
    }

    /// A network and a forest combined: patch-wise predictions are the weighted sums of the members', the dense maps
    /// of a tile too, and they agree cell by cell; saved and loaded, the combination predicts the same bytes.
    func testNetworkAndForest_combinePatchWiseAndDensely_andRoundTripThroughTheStore() throws {
        let data = syntheticData(sites: 50)
        var settings = ModelSettings()
        (settings.epochs, settings.fineTuneEpochs, settings.patience) = (3, 2, 2)
        (settings.convWidths, settings.fcWidths) = ([4, 8, 8], [8, 8, 4])
        (settings.trees, settings.tuningTrees, settings.maxFeatures, settings.minSamplesLeaf) = (10, 5, [2], [3])
        let all = Array(data.samples.indices)
        let (fitted, _) = try ModelFitting.fit(
            [.transfer, .rf], data: TrainingData(data: data, samples: all), settings: settings, seed: 3)
        let weights: [[Double]] = (0..<6).map { (d: Int) -> [Double] in
            let a = 0.2 + 0.1 * Double(d)
            return [a, 1 - a]
        }
        let combined = CombinedModel(
            kinds: [.transfer, .rf], members: [fitted[.transfer]!, fitted[.rf]!], weights: weights, method: .nnls)
        let model = TrainedModel.combined(combined)
        XCTAssertEqual(model.kind, ModelKind.combined)
        XCTAssertEqual(model.patchSize, 13)
        let each = combined.members.map { $0.predict(data, samples: all) }
        let got = model.predict(data, samples: all)
        for (i, s) in all.enumerated() {
            let w = weights[data.samples[s].depth]
            let (a, b) = (Double(each[0][i]), Double(each[1][i]))
            let want: Float = a.isFinite && b.isFinite ? Float(w[0] * a + w[1] * b) : .nan
            XCTAssertEqual(got[i].isNaN, want.isNaN)
            if want.isFinite { XCTAssertEqual(got[i], want, accuracy: 1e-5 * max(1, abs(want))) }
        }
        var g = SeededGenerator(seed: 9)
        let tile = Tensor(shape: [3, 20, 18], data: (0..<(3 * 20 * 18)).map { _ in Float(g.next() % 1000) / 1000 })
        let dense = model.denseMaps(tile: tile, depths: 6)
        let memberMaps = combined.members.map { $0.denseMaps(tile: tile, depths: 6) }
        let (oh, ow) = (20 - 13 + 1, 18 - 13 + 1)
        for d in 0..<6 {
            XCTAssertEqual(dense[d].count, oh * ow)
            for k in 0..<(oh * ow) {
                XCTAssertEqual(
                    dense[d][k].bitPattern,
                    Stacking.combine([memberMaps[0][d][k], memberMaps[1][d][k]], weights: weights[d]).bitPattern)
            }
        }
        let folder = NSTemporaryDirectory() + "socmap-combined-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let files = try ModelStore.save(model, data: data, settings: settings, to: folder)
        XCTAssertTrue(files.contains("transfer/model.json") && files.contains("rf/SHA256SUMS"), "\(files)")
        let (loaded, description) = try ModelStore.load(folder: folder)
        XCTAssertEqual(description.kind, .combined)
        XCTAssertEqual(description.combination?.members, [.transfer, .rf])
        XCTAssertEqual(description.combination?.weights, weights)
        XCTAssertEqual(description.combination?.weighting, .nnls)
        XCTAssertEqual(loaded.predict(data, samples: all).map(\.bitPattern), got.map(\.bitPattern))
        // A member's file damaged: the whole combination is refused, naming the file.
        let forest = (folder as NSString).appendingPathComponent("rf/depth_0-5cm.forest")
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: forest))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([1]))
        try handle.close()
        XCTAssertThrowsError(try ModelStore.load(folder: folder)) { error in
            XCTAssertTrue("\(error)".contains("rf/depth_0-5cm.forest"), "\(error)")
        }
    }
}
