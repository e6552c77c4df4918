import FileIO
import Forest
import Foundation
import NeuralNet
import Patches

/// Saves trained models for the map stage: safetensors per network, a binary file per forest,
/// and `model.json` describing kind, depths, channels and scaling.
public enum ModelStore {
    /// What `model.json` holds.
    public struct Description: Codable, Sendable, Equatable {
        /// Model kind.
        public var kind: ModelKind
        /// Property and unit.
        public var property: String
        /// Unit of the property.
        public var unit: String
        /// Depth labels in order.
        public var depths: [String]
        /// Channels and their scaling, in input order.
        public var channels: [PatchChannel]
        /// Patch edge P of the training patches (for networks, also in each network file's architecture;
        /// `load` checks that they agree). The loaded `TrainedModel` owns it: use its `patchSize` and `halo`.
        public var patchSize: Int
        /// Target scaling per depth (networks).
        public var scalers: [TargetScaler]
        /// Frozen blocks (transfer).
        public var freeze: Int
        /// Whether targets were log1p-transformed.
        public var log1p: Bool
        /// Files per depth (relative to the model folder); for mtcnn every depth names the heads file.
        public var files: [String]
        /// The pre-trained network file (transfer).
        public var pretrained: String?
        /// Settings the model was trained with.
        public var settings: ModelSettings
    }

    /// Writes a model into `folder` (created); returns the files written, relative to `folder`.
    @discardableResult
    public static func save(_ model: TrainedModel, data: PatchDataset, settings: ModelSettings, to folder: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let labels = data.depths.map(\.label)
        let path = { (name: String) in (folder as NSString).appendingPathComponent(name) }
        var files: [String] = []
        var description = Description(kind: model.kind, property: data.property, unit: data.unit, depths: labels,
                                      channels: data.channels, patchSize: data.patchSize, scalers: [], freeze: 0,
                                      log1p: settings.log1p, files: [], pretrained: nil, settings: settings)
        var meta = ["socmap.property": data.property, "socmap.unit": data.unit,
                    "socmap.depths": labels.joined(separator: ","), "socmap.model": model.kind.rawValue]
        switch model {
        case .network(let m):
            description.scalers = m.scalers
            // Target scaling travels inside each safetensors file too, for users of the weights alone.
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let scalerText = { (s: [TargetScaler]) in String(decoding: (try? encoder.encode(s)) ?? Data(), as: UTF8.self) }
            meta["socmap.target_scalers"] = scalerText(m.scalers)
            description.freeze = m.freeze
            if let heads = m.heads {
                try heads.saveSafetensors(path: path("heads.safetensors"), metadata: meta)
                files.append("heads.safetensors")
                description.files = labels.map { _ in "heads.safetensors" }
            } else {
                if let pre = m.pretrained {
                    try pre.saveSafetensors(path: path("pretrained.safetensors"), metadata: meta)
                    files.append("pretrained.safetensors")
                    description.pretrained = "pretrained.safetensors"
                }
                for (k, net) in m.perDepth.enumerated() {
                    guard let net else { description.files.append(description.pretrained ?? ""); continue }
                    let name = "depth_\(labels[k]).safetensors"
                    var depthMeta = meta
                    depthMeta["socmap.depth"] = labels[k]
                    depthMeta["socmap.target_scalers"] = scalerText([m.scalers[k]])
                    try net.saveSafetensors(path: path(name), metadata: depthMeta)
                    files.append(name)
                    description.files.append(name)
                }
            }
        case .forest(let f):
            for (k, forest) in f.forests.enumerated() {
                guard let forest else { description.files.append(""); continue }
                let name = "depth_\(labels[k]).forest"
                try forest.save(to: path(name))
                files.append(name)
                description.files.append(name)
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(description), to: path("model.json"))
        files.append("model.json")
        return files
    }
}

extension ModelStore {
    /// An error reading a saved model, naming the folder or file.
    public struct LoadError: Error, CustomStringConvertible, Sendable {
        /// The folder or file.
        public let path: String
        /// What is wrong.
        public let message: String
        public var description: String { "model '\(path)': \(message)" }
    }

    /// Reads `model.json` of a model folder.
    public static func describe(folder: String) throws -> Description {
        let path = (folder as NSString).appendingPathComponent("model.json")
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LoadError(path: path, message: "missing; train the model first (a pipeline with a 'train' section)")
        }
        do { return try JSONDecoder().decode(Description.self, from: data) } catch {
            throw LoadError(path: path, message: "unreadable: \(error)")
        }
    }

    /// Loads a model written by `save`; its networks must have the architecture model.json describes.
    public static func load(folder: String) throws -> (model: TrainedModel, description: Description) {
        let d = try describe(folder: folder)
        let path = { (name: String) in (folder as NSString).appendingPathComponent(name) }
        switch d.kind {
        case .rf:
            let forests = try d.files.map { $0.isEmpty ? nil : try RandomForest.load(from: path($0)) }
            return (.forest(ForestModel(forests: forests, tuning: forests.map { _ in [] }, log1p: d.log1p, patchSize: d.patchSize)), d)
        case .mtcnn:
            guard let file = d.files.first else { throw LoadError(path: folder, message: "model.json names no network file") }
            let config = architecture(d)
            let heads = try network(path(file), config: config)
            return (.network(NetworkModel(kind: .mtcnn, config: config, pretrained: nil, perDepth: [], heads: heads,
                                          scalers: d.scalers, freeze: 0, logs: [:])), d)
        case .transfer, .cnn:
            let config = architecture(d)
            let pretrained = try d.pretrained.map { try network(path($0), config: config) }
            var cache: [String: Network] = [:]
            let perDepth: [Network?] = try d.files.map { file in
                if file.isEmpty || file == d.pretrained { return nil }
                if let n = cache[file] { return n }
                let n = try network(path(file), config: config)
                cache[file] = n
                return n
            }
            return (.network(NetworkModel(kind: d.kind, config: config, pretrained: pretrained, perDepth: perDepth, heads: nil,
                                          scalers: d.scalers, freeze: d.freeze, logs: [:])), d)
        }
    }

    /// The architecture model.json describes: channels, patch size and depths, and the settings' kernel, pool and widths.
    static func architecture(_ d: Description) -> NetworkConfig {
        NetworkTrainer.config(d.kind == .mtcnn ? .heads : .depthInput, channels: d.channels.count, patchSize: d.patchSize,
                              depths: d.depths.count, settings: d.settings)
    }

    /// A network file, which must have the architecture `config`.
    static func network(_ file: String, config: NetworkConfig) throws -> Network {
        let network = try Network.loadSafetensors(path: file).network
        guard network.config == config else {
            let n = network.config
            throw LoadError(path: file, message: "the network has patch size \(n.patchSize), kernel \(n.kernelSize), pool \(n.poolSize) "
                            + "and \(n.channels) channels, but model.json describes patch size \(config.patchSize), kernel "
                            + "\(config.kernelSize), pool \(config.poolSize) and \(config.channels) channels; train the model again")
        }
        return network
    }
}
