import XCTest

@testable import NeuralNet

/// Saving and loading models in the safetensors format.
final class SafetensorsTests: XCTestCase {
    private func trainedNetwork(_ kind: NetworkConfig.Kind = .depthInput) throws -> Network {
        let config = NetworkConfig(
            kind: kind, channels: 2, patchSize: 13, depths: 3, convWidths: [4, 4, 6],
            fcWidths: [6, 5, 4])
        let network = try Network(config: config, seed: 3)
        let x = randomTensor([8, 2, 13, 13], seed: 4)
        let d = oneHot([0, 1, 2, 0, 1, 2, 0, 1], width: 3)
        let y = randomTensor([8, kind == .heads ? 3 : 1], seed: 5)
        network.trainStep(patches: x, depthOneHot: d, targets: y, optimizer: Adam(parameters: network.parameters))
        return network
    }

    func testSaveAndLoad_roundTripsBytesOutputsAndMetadata() throws {
        let dir = try temporaryDirectory(self)
        for kind in [NetworkConfig.Kind.depthInput, .heads] {
            let network = try trainedNetwork(kind)
            let metadata = ["target.mean": "12.5", "target.sd": "3.25", "covariates": "dem,twi \"quoted\"\n"]
            let path = dir.appendingPathComponent("model-\(kind).safetensors").path
            try network.saveSafetensors(path: path, metadata: metadata)
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))

            let (loaded, loadedMetadata) = try Network.loadSafetensors(path: path)
            XCTAssertEqual(loadedMetadata, metadata)
            XCTAssertEqual(loaded.config, network.config)
            XCTAssertEqual(loaded.namedTensors, network.namedTensors)
            XCTAssertFalse(loaded.isTraining)
            let x = randomTensor([5, 2, 13, 13], seed: 6)
            let d = oneHot([0, 1, 2, 2, 1], width: 3)
            XCTAssertEqual(loaded.predict(patches: x, depthOneHot: d), network.predict(patches: x, depthOneHot: d))

            let again = dir.appendingPathComponent("again.safetensors").path
            try loaded.saveSafetensors(path: again, metadata: metadata)
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: again)), bytes, "same model, same bytes")
            try network.saveSafetensors(path: path, metadata: metadata)
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), bytes, "overwriting is deterministic")
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter {
            $0.contains(".partial-")
        }
        XCTAssertEqual(leftovers, [], "no temporary files left behind")
    }

    func testFileLayout_isSafetensors() throws {
        let tensors = ["b": Tensor(shape: [2], data: [1, -2]), "a": Tensor(shape: [1, 3], data: [0.5, 0, 3])]
        let bytes = Safetensors.encode(tensors, metadata: ["k": "v"])
        let headerLength = (0..<8).reduce(0) { $0 | Int(bytes[$1]) << (8 * $1) }
        XCTAssertEqual(headerLength % 8, 0)
        XCTAssertEqual(bytes.count, 8 + headerLength + 4 * 5)
        let header = String(decoding: bytes[8..<(8 + headerLength)], as: UTF8.self)
        XCTAssertEqual(
            header.trimmingCharacters(in: .whitespaces),
            """
            {"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[1,3],"data_offsets":[0,12]},\
            "b":{"dtype":"F32","shape":[2],"data_offsets":[12,20]}}
            """
        )
        // Little-endian IEEE floats: 0.5 is 00 00 00 3F.
        XCTAssertEqual(Array(bytes[(8 + headerLength)..<(12 + headerLength)]), [0, 0, 0, 0x3F])
    }

    func testDecode_readsHeadersWrittenByOtherTools() throws {
        // Keys in another order, no metadata, no padding, extra whitespace (as Python's json may write).
        let header = #"{ "w": {"data_offsets": [0, 8], "shape": [2], "dtype": "F32"} }"#
        var bytes = withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian, Array.init)
        bytes += Array(header.utf8)
        bytes += withUnsafeBytes(of: Float(1.5).bitPattern.littleEndian, Array.init)
        bytes += withUnsafeBytes(of: Float(-3).bitPattern.littleEndian, Array.init)
        let (tensors, metadata) = try Safetensors.decode(bytes, path: "x.safetensors")
        XCTAssertEqual(tensors["w"], Tensor(shape: [2], data: [1.5, -3]))
        XCTAssertEqual(metadata, [:])
    }

    func testLoad_reportsBadFilesWithPathAndReason() throws {
        let dir = try temporaryDirectory(self)
        let path = dir.appendingPathComponent("bad.safetensors").path
        func expectError(_ bytes: [UInt8], containing text: String, line: UInt = #line) {
            XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)), line: line)
            XCTAssertThrowsError(try Network.loadSafetensors(path: path), line: line) { error in
                XCTAssertTrue("\(error)".contains(path), "\(error)", line: line)
                XCTAssertTrue("\(error)".contains(text), "\(error)", line: line)
            }
        }
        expectError([1, 2, 3], containing: "fewer than the 8-byte")
        expectError([255, 0, 0, 0, 0, 0, 0, 0, 32], containing: "exceeds the file size")
        expectError(
            Safetensors.encode(["w": Tensor(shape: [1], data: [1])], metadata: [:]), containing: "socmap.architecture")

        // A model file with one tensor missing, and one with a wrong shape.
        let network = try trainedNetwork()
        var tensors = network.namedTensors
        var metadata = [Network.architectureKey: Network.encodeArchitecture(network.config)]
        tensors["bn3.running_var"] = nil
        expectError(Safetensors.encode(tensors, metadata: metadata), containing: "bn3.running_var")
        tensors = network.namedTensors
        tensors["fc2.weight"] = Tensor(shape: [2, 2])
        expectError(Safetensors.encode(tensors, metadata: metadata), containing: "fc2.weight")
        metadata[Network.architectureKey] = "{}"
        expectError(
            Safetensors.encode(network.namedTensors, metadata: metadata), containing: "not a valid architecture")
        XCTAssertThrowsError(try Network.loadSafetensors(path: dir.appendingPathComponent("missing").path)) { error in
            XCTAssertTrue("\(error)".contains("missing"))
        }
    }
}
