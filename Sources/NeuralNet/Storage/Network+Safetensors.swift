import Foundation

/// Saving and loading a whole model: architecture, weights, BatchNorm statistics and the caller's metadata.
extension Network {
    /// Metadata key holding the architecture (NetworkConfig as JSON with sorted keys).
    public static let architectureKey = "socmap.architecture"

    /// Writes the model to `path` in the safetensors format, atomically and deterministically
    /// (the same model and metadata give the same bytes). Tensor names follow PyTorch
    /// (conv1.weight, bn1.running_var, ...), so numpy/safetensors users can open the file;
    /// `metadata` (e.g. scaling of covariates and targets) is stored beside the architecture.
    public func saveSafetensors(path: String, metadata: [String: String] = [:]) throws {
        precondition(
            metadata[Self.architectureKey] == nil && metadata["format"] == nil,
            "Network.saveSafetensors: metadata keys '\(Self.architectureKey)' and 'format' are reserved")
        var all = metadata
        all[Self.architectureKey] = Self.encodeArchitecture(config)
        all["format"] = "pt"
        try Safetensors.write(namedTensors, metadata: all, to: path)
    }

    /// Reads a model written by `saveSafetensors` (in inference mode, nothing frozen) and the metadata
    /// given at save time. Throws when the file is not one of our models or a tensor is missing or misshaped.
    public static func loadSafetensors(path: String) throws -> (network: Network, metadata: [String: String]) {
        let (tensors, metadata) = try Safetensors.read(path: path)
        guard let text = metadata[architectureKey] else {
            throw NeuralNetError.badFile(
                path: path,
                reason: "metadata has no '\(architectureKey)': the file was not written by Network.saveSafetensors")
        }
        let config: NetworkConfig
        do {
            config = try JSONDecoder().decode(NetworkConfig.self, from: Data(text.utf8))
        } catch {
            throw NeuralNetError.badFile(
                path: path, reason: "metadata '\(architectureKey)' is not a valid architecture (\(error))")
        }
        let network: Network
        do {
            network = try Network(config: config, seed: 0)
        } catch {
            throw NeuralNetError.badFile(path: path, reason: "stored architecture is invalid: \(error)")
        }
        let expected = network.namedTensors
        for (name, _) in expected where tensors[name] == nil {
            throw NeuralNetError.missingTensor(name: name, path: path)
        }
        for (name, value) in tensors {
            guard expected[name] != nil else {
                throw NeuralNetError.badFile(
                    path: path, reason: "tensor '\(name)' does not belong to a \(config.kind) network")
            }
            do {
                try network.setTensor(name, value)
            } catch let error as NeuralNetError {
                throw NeuralNetError.badFile(path: path, reason: error.description)
            }
        }
        network.eval()
        var user = metadata
        user[architectureKey] = nil
        user["format"] = nil
        return (network, user)
    }

    static func encodeArchitecture(_ config: NetworkConfig) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try! encoder.encode(config), as: UTF8.self)
    }
}
