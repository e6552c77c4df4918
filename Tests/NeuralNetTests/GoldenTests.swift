import Foundation
import XCTest

@testable import NeuralNet

/// Matches PyTorch's numbers in Fixtures/golden.json (a copy of ../shared/anchors/golden.json, written
/// by make_golden.py there: a narrow variant of the reference network, dropout off, fixed weights and inputs).
final class GoldenTests: XCTestCase {
    private var golden: [String: Any] = [:]

    override func setUpWithError() throws {
        let url = try XCTUnwrap(
            Bundle.module.url(forResource: "golden", withExtension: "json"),
            "the test fixture golden.json is missing from the NeuralNetTests bundle")
        let data = try Data(contentsOf: url)
        golden = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    private func tensor(_ object: Any?) throws -> Tensor {
        let dict = try XCTUnwrap(object as? [String: Any], "golden entry is not a tensor")
        let shape = try XCTUnwrap(dict["shape"] as? [Int])
        let values = try XCTUnwrap(dict["values"] as? [NSNumber]).map { $0.floatValue }
        return Tensor(shape: shape, data: values)
    }

    private func section(_ key: String) throws -> [String: Any] {
        try XCTUnwrap(golden[key] as? [String: Any], "golden.json has no '\(key)'")
    }

    /// The narrow network of make_golden.py with its initial parameters and statistics.
    private func makeNetwork() throws -> Network {
        let c = try section("config")
        let config = NetworkConfig(
            kind: .depthInput, channels: c["channels"] as! Int, patchSize: c["patch"] as! Int,
            depths: c["depths"] as! Int, poolSize: c["pool"] as! Int, convWidths: c["conv_widths"] as! [Int],
            fcWidths: c["fc_widths"] as! [Int], convDropout: 0, fcDropout: 0)
        let network = try Network(config: config, seed: 123)
        let params = try section("params")
        XCTAssertEqual(Set(params.keys), Set(network.namedTensors.keys), "tensor names differ from PyTorch's")
        for (name, value) in params { try network.setTensor(name, try tensor(value)) }
        return network
    }

    private var inputs: (x: Tensor, depth: Tensor, target: Tensor) {
        get throws { (try tensor(golden["input"]), try tensor(golden["depth"]), try tensor(golden["target"])) }
    }

    func testEvalOutput_matchesPyTorch() throws {
        let network = try makeNetwork()
        network.eval()
        let (x, depth, _) = try inputs
        let out = network.forward(patches: x, depthOneHot: depth)
        assertClose(out.data, try tensor(golden["eval_output"]).data, "eval_output")
        assertClose(network.predict(patches: x, depthOneHot: depth), try tensor(golden["eval_output"]).data, "predict")
    }

    func testTrainingForwardAndBackward_matchPyTorch() throws {
        let network = try makeNetwork()
        network.train()
        let (x, depth, target) = try inputs
        network.zeroGradients()
        let out = network.forward(patches: x, depthOneHot: depth)
        assertClose(out.data, try tensor(golden["train_output"]).data, "train_output")
        let (loss, gradient) = MSELoss.evaluate(prediction: out, target: target)
        let expectedLoss = try XCTUnwrap(golden["train_loss"] as? NSNumber).floatValue
        XCTAssertEqual(loss, expectedLoss, accuracy: 1e-4 * abs(expectedLoss), "train_loss")
        let inputGradient = try XCTUnwrap(network.backward(outputGradient: gradient, needsInputGradient: true))

        // Gradients that nearly cancel carry float32 rounding of the tensor's scale, in PyTorch as
        // here (make_golden.py in float64 differs from golden.json by the same amount): 1e-4 relative,
        // or 1e-5 of the tensor's largest magnitude.
        func scale(_ t: Tensor) -> Float { 1e-5 * (t.data.map(abs).max() ?? 0) }
        let grads = try section("grads")
        let expectedInput = try tensor(grads["input"])
        assertClose(inputGradient.data, expectedInput.data, absolute: scale(expectedInput), "grad input")
        for p in network.namedParameters {
            let expected = try tensor(grads[p.0])
            XCTAssertEqual(p.1.gradient.shape, expected.shape, p.0)
            assertClose(p.1.gradient.data, expected.data, absolute: scale(expected), "grad \(p.0)")
        }
        let running = try section("running_after_one_step")
        let tensors = network.namedTensors
        for (name, value) in running {
            assertClose(try XCTUnwrap(tensors[name]).data, try tensor(value).data, "running \(name)")
        }
    }

    func testThreeAdamSteps_matchPyTorch() throws {
        let network = try makeNetwork()
        network.train()
        let (x, depth, target) = try inputs
        let adam = try section("adam")
        let optimizer = Adam(parameters: network.parameters, learningRate: (adam["lr"] as! NSNumber).floatValue)
        for _ in 0..<(adam["steps"] as! Int) {
            network.trainStep(patches: x, depthOneHot: depth, targets: target, optimizer: optimizer)
        }
        let after = try section("params_after_adam")
        for (name, parameter) in network.namedParameters {
            // A step moves a parameter by about lr; 1e-4 relative of the value, 2e-6 absolute.
            assertClose(parameter.value.data, try tensor(after[name]).data, absolute: 2e-6, "after Adam \(name)")
        }
    }

    func testDenseMap_matchesPyTorchPatchwise() throws {
        let network = try makeNetwork()
        network.eval()
        let dense = try section("dense")
        let tile = try tensor(dense["tile"])
        let depthIndex = try XCTUnwrap(dense["depth_index"] as? Int)
        let expected = try tensor(dense["map"])
        for chunkSize in [3, 96] {
            let map = network.denseMap(tile: tile, depthIndex: depthIndex, chunkSize: chunkSize)
            XCTAssertEqual(map.shape, expected.shape)
            assertClose(map.data, expected.data, "dense map, chunks of \(chunkSize)")
        }
    }
}
