import FileIO
import Forest
import Foundation
import NeuralNet
import Patches

/// Saves trained models for the map stage: safetensors per network, a binary file per forest,
/// `model.json` describing kind, depths, channels and scaling, and their checksums (`SHA256SUMS`,
/// written last), verified before any file of the folder is loaded.
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
        /// Files per depth of an ensemble's members 2..M (`train.ensemble` > 1), like `files` for member 1, in
        /// folders `member_2/` ...; a transfer ensemble's members share `pretrained`. Absent for a single model.
        public var members: [[String]]? = nil
        /// The covariates the channels were read from, as they were on the grid when the model was trained
        /// (values' SHA-256 and statistics): how `predict` recognises them. Absent in older models.
        public var covariates: [PatchCovariate]? = nil
        /// The members and weights of a `combined` model (each member saved in a folder named by its kind);
        /// absent for every other model.
        public var combination: Combination? = nil
    }

    /// What model.json says of a `combined` model.
    public struct Combination: Codable, Sendable, Equatable {
        /// The members' kinds, in summation order; member `k` is saved in the folder `k`.
        public var members: [ModelKind]
        /// How the weights were chosen.
        public var weighting: CombineWeights
        /// Each depth's weights, one per member.
        public var weights: [[Double]]
    }

    /// Writes a model into `folder` (created), its checksums last; returns the files written, relative to
    /// `folder`.
    @discardableResult
    public static func save(
        _ model: TrainedModel, data: PatchDataset, settings: ModelSettings, to folder: String
    ) throws -> [String] {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let labels = data.depths.map(\.label)
        let path = { (name: String) in (folder as NSString).appendingPathComponent(name) }
        var files: [String] = []
        var description = Description(
            kind: model.kind, property: data.property, unit: data.unit, depths: labels,
            channels: data.channels, patchSize: data.patchSize, scalers: [], freeze: 0,
            log1p: settings.log1p, files: [], pretrained: nil, settings: settings,
            covariates: data.covariates.isEmpty ? nil : data.covariates)
        var meta = [
            "socmap.property": data.property, "socmap.unit": data.unit,
            "socmap.depths": labels.joined(separator: ","), "socmap.model": model.kind.rawValue
        ]
        switch model {
        case .network(let model):
            description.scalers = model.scalers
            // Target scaling travels inside each safetensors file too, for users of the weights alone.
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let scalerText = { (s: [TargetScaler]) in
                String(decoding: (try? encoder.encode(s)) ?? Data(), as: UTF8.self)
            }
            meta["socmap.target_scalers"] = scalerText(model.scalers)
            description.freeze = model.freeze
            if let pre = model.pretrained, model.heads == nil {
                try pre.saveSafetensors(path: path("pretrained.safetensors"), metadata: meta)
                files.append("pretrained.safetensors")
                description.pretrained = "pretrained.safetensors"
            }
            let singles = model.singleModels
            for (i, m) in singles.enumerated() {
                // Member 1 is written where a single model is; members 2..M in folders of their own.
                let folderName = i == 0 ? "" : "member_\(i + 1)/"
                if i > 0 {
                    try FileManager.default.createDirectory(atPath: path(folderName), withIntermediateDirectories: true)
                }
                var memberMeta = meta
                if singles.count > 1 { memberMeta["socmap.ensemble_member"] = "\(i + 1)/\(singles.count)" }
                var memberFiles: [String] = []
                if let heads = m.heads {
                    let name = folderName + "heads.safetensors"
                    try heads.saveSafetensors(path: path(name), metadata: memberMeta)
                    files.append(name)
                    memberFiles = labels.map { _ in name }
                } else {
                    for (k, net) in m.perDepth.enumerated() {
                        guard let net else {
                            memberFiles.append(description.pretrained ?? "")
                            continue
                        }
                        let name = folderName + "depth_\(labels[k]).safetensors"
                        var depthMeta = memberMeta
                        depthMeta["socmap.depth"] = labels[k]
                        depthMeta["socmap.target_scalers"] = scalerText([m.scalers[k]])
                        try net.saveSafetensors(path: path(name), metadata: depthMeta)
                        files.append(name)
                        memberFiles.append(name)
                    }
                }
                if i == 0 {
                    description.files = memberFiles
                } else {
                    description.members = (description.members ?? []) + [memberFiles]
                }
            }
        case .combined(let c):
            for (kind, member) in zip(c.kinds, c.members) {
                files += try save(member, data: data, settings: settings, to: path(kind.rawValue))
                    .map { kind.rawValue + "/" + $0 }
            }
            return try writeCombination(
                in: folder, weighting: c.method, weights: c.weights, kinds: c.kinds, memberFiles: files)
        case .forest(let f):
            for (k, forest) in f.forests.enumerated() {
                guard let forest else {
                    description.files.append("")
                    continue
                }
                let name = "depth_\(labels[k]).forest"
                try forest.save(to: path(name))
                files.append(name)
                description.files.append(name)
            }
            try AtomicFile.write(
                f.importanceCSV(channels: data.channels, depths: labels), to: path(ForestModel.importanceFile))
            files.append(ForestModel.importanceFile)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(description), to: path("model.json"))
        files.append("model.json")
        try Checksums.write(in: folder, files: files)
        return files + [Checksums.fileName]
    }

    /// Completes a `combined` model's folder whose members are saved already, each in the folder named by its
    /// kind with its own checksums (`save`, or a saved unit's model copied there): writes model.json (the
    /// first member's description, kind `combined`, the largest patch, the members and weights) and the
    /// folder's `SHA256SUMS` over every file; returns the files, relative to `folder`.
    @discardableResult
    public static func writeCombination(
        in folder: String, weighting: CombineWeights, weights: [[Double]], kinds: [ModelKind],
        memberFiles: [String]? = nil
    ) throws -> [String] {
        let path = { (name: String) in (folder as NSString).appendingPathComponent(name) }
        var files = memberFiles ?? []
        var description: Description?
        for kind in kinds {
            let sub = path(kind.rawValue)
            if memberFiles == nil {
                try verify(folder: sub)
                guard let listed = Checksums.verifiedFiles(in: sub) else {
                    throw LoadError(path: sub, message: "the member has no checksum list; train it again")
                }
                files += (listed + [Checksums.fileName]).map { kind.rawValue + "/" + $0 }
            }
            let d = try describe(folder: sub)
            if var first = description {
                first.patchSize = max(first.patchSize, d.patchSize)
                description = first
            } else {
                description = d
            }
        }
        guard var d = description else { throw LoadError(path: folder, message: "a combined model needs members") }
        (d.kind, d.scalers, d.freeze, d.files, d.pretrained, d.members) = (.combined, [], 0, [], nil, nil)
        d.combination = Combination(members: kinds, weighting: weighting, weights: weights)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(d), to: path("model.json"))
        files.append("model.json")
        try Checksums.write(in: folder, files: files)
        return files + [Checksums.fileName]
    }
}

extension ModelStore {
    /// An error reading a saved model, naming the folder or file.
    public struct LoadError: Error, CustomStringConvertible, Sendable {
        /// The folder or file.
        public let path: String
        /// What is wrong.
        public let message: String
        /// Why the folder's checksums do not verify (naming the file), when that is what is wrong.
        public let damage: String?
        public var description: String { "model '\(path)': \(message)" }

        /// An error about `path`; `damage` when the folder's checksums do not verify.
        public init(path: String, message: String, damage: String? = nil) {
            self.path = path
            self.message = message
            self.damage = damage
        }
    }

    /// Verifies the checksums of a model folder (`SHA256SUMS`, listing model.json): an error naming the
    /// file that differs when a file is edited, truncated or missing, or the list is. A folder that does
    /// not exist is left to `describe`, which says to train the model.
    public static func verify(folder: String) throws {
        guard FileManager.default.fileExists(atPath: folder) else { return }
        if case .damaged(let reason) = Checksums.verify(in: folder, required: ["model.json"]) {
            throw LoadError(
                path: folder,
                message: """
                    the saved model is damaged (\(reason)); train it again or restore the folder from a \
                    backup
                    """,
                damage: reason)
        }
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

    /// Loads a model written by `save` once its checksums verify (`verify`); its networks must have the
    /// architecture model.json describes.
    public static func load(folder: String) throws -> (model: TrainedModel, description: Description) {
        try verify(folder: folder)
        let d = try describe(folder: folder)
        let path = { (name: String) in (folder as NSString).appendingPathComponent(name) }
        switch d.kind {
        case .combined:
            return (.combined(try combined(d, folder: folder)), d)
        case .rf:
            let forests = try d.files.map { $0.isEmpty ? nil : try RandomForest.load(from: path($0)) }
            return (
                .forest(
                    ForestModel(
                        forests: forests, tuning: forests.map { _ in [] }, log1p: d.log1p, patchSize: d.patchSize)), d
            )
        case .mtcnn, .transfer, .cnn:
            let config = architecture(d)
            let pretrained = try d.pretrained.map { try network(path($0), config: config) }
            let singles = try ([d.files] + (d.members ?? [])).map { files in
                try single(d, files: files, config: config, pretrained: pretrained, folder: folder)
            }
            return (.network(NetworkModel(ensemble: singles)), d)
        }
    }

    /// The members of a `combined` model's folder, each loaded (and verified) from its kind's folder; they must
    /// read the combination's channels at its depths.
    static func combined(_ d: Description, folder: String) throws -> CombinedModel {
        guard let c = d.combination, !c.members.isEmpty, !c.members.contains(.combined),
            c.weights.count == d.depths.count, c.weights.allSatisfy({ $0.count == c.members.count })
        else {
            throw LoadError(
                path: (folder as NSString).appendingPathComponent("model.json"),
                message: "a combined model needs its members and a weight per member and depth; train it again")
        }
        let members = try c.members.map { kind in
            let sub = (folder as NSString).appendingPathComponent(kind.rawValue)
            let (model, md) = try load(folder: sub)
            guard md.depths == d.depths, md.channels.map(\.name) == d.channels.map(\.name), md.kind == kind else {
                throw LoadError(
                    path: sub,
                    message: "the member does not have the combined model's kind, depths or channels; train it again")
            }
            return model
        }
        return CombinedModel(kinds: c.members, members: members, weights: c.weights, method: c.weighting)
    }

    /// One single model of a description: its files per depth (member 1's `files`, or an ensemble member's).
    static func single(
        _ d: Description, files: [String], config: NetworkConfig, pretrained: Network?,
        folder: String
    ) throws -> NetworkModel {
        let path = { (name: String) in (folder as NSString).appendingPathComponent(name) }
        if d.kind == .mtcnn {
            guard let file = files.first else {
                throw LoadError(path: folder, message: "model.json names no network file")
            }
            let heads = try network(path(file), config: config)
            return NetworkModel(
                kind: .mtcnn, config: config, pretrained: nil, perDepth: [], heads: heads,
                scalers: d.scalers, freeze: 0, logs: [:])
        }
        var cache: [String: Network] = [:]
        let perDepth: [Network?] = try files.map { file in
            if file.isEmpty || file == d.pretrained { return nil }
            if let n = cache[file] { return n }
            let n = try network(path(file), config: config)
            cache[file] = n
            return n
        }
        return NetworkModel(
            kind: d.kind, config: config, pretrained: pretrained, perDepth: perDepth, heads: nil,
            scalers: d.scalers, freeze: d.freeze, logs: [:])
    }

    /// The architecture model.json describes: channels, patch size and depths, and the
    /// settings' kernel, pool and widths.
    static func architecture(_ d: Description) -> NetworkConfig {
        NetworkTrainer.config(
            d.kind == .mtcnn ? .heads : .depthInput, channels: d.channels.count, patchSize: d.patchSize,
            depths: d.depths.count, settings: d.settings)
    }

    /// A network file, which must have the architecture `config`.
    static func network(_ file: String, config: NetworkConfig) throws -> Network {
        let network = try Network.loadSafetensors(path: file).network
        guard network.config == config else {
            let n = network.config
            throw LoadError(
                path: file,
                message: """
                    the network has patch size \(n.patchSize), kernel \(n.kernelSize), pool \
                    \(n.poolSize) and \(n.channels) channels, but model.json describes patch size \
                    \(config.patchSize), kernel \(config.kernelSize), pool \(config.poolSize) and \
                    \(config.channels) channels; train the model again
                    """
            )
        }
        return network
    }
}
