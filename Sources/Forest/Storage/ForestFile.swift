// The forest file: a compact little-endian binary format with deterministic bytes.
//
// Layout (all integers little-endian, floats as IEEE bit patterns):
//   "SOCMAPRF" magic, UInt32 version (1),
//   parameters: trees Int64, maxFeatures Int64, minSamplesLeaf Int64, bootstrap UInt8,
//               maxDepth Int64 (-1 for none), seed UInt64,
//   featureCount Int64, trainingRows Int64,
//   featureImportance p x Float64, oobMSE Float64, oobR2 Float64 (NaN for none),
//   oobPredictions n x Float32 (NaN for none),
//   tree count Int64, then per tree: node count Int64, then per node array:
//     feature Int32, threshold Float32, left Int32, right Int32, value Float32,
//     sampleCount Int32, drawCount Int32 (each array whole, node after node),
//   FNV-1a 64 checksum of every byte before it.
import FileIO
import Foundation
import Randomness

/// A forest file that cannot be read or written, with the path and what to do.
public struct ForestFileError: Error, CustomStringConvertible, Equatable {
    /// The file.
    public let path: String
    /// What is wrong and what to do.
    public let reason: String

    /// An error about `path`.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// "Forest file <path>: <reason>".
    public var description: String { "Forest file \(path): \(reason)" }
}

extension RandomForest {
    /// The file's first bytes.
    static let magic = Array("SOCMAPRF".utf8)
    /// The format version written.
    static let formatVersion: UInt32 = 1

    /// The forest in the binary forest-file format; the same forest always gives the same bytes.
    public func serializedBytes() -> [UInt8] {
        var w = ByteWriter()
        w.write(bytes: RandomForest.magic)
        w.write(RandomForest.formatVersion)
        w.write(Int64(parameters.trees))
        w.write(Int64(parameters.maxFeatures))
        w.write(Int64(parameters.minSamplesLeaf))
        w.write(UInt8(parameters.bootstrap ? 1 : 0))
        w.write(Int64(parameters.maxDepth ?? -1))
        w.write(parameters.seed)
        w.write(Int64(featureCount))
        w.write(Int64(trainingRows))
        for v in featureImportance { w.write(v) }
        w.write(oobMSE ?? .nan)
        w.write(oobR2 ?? .nan)
        for v in oobPredictions { w.write(v ?? .nan) }
        w.write(Int64(trees.count))
        for tree in trees {
            w.write(Int64(tree.nodes.count))
            w.write(array: tree.nodes.map(\.feature))
            w.write(array: tree.nodes.map(\.threshold.bitPattern))
            w.write(array: tree.nodes.map(\.left))
            w.write(array: tree.nodes.map(\.right))
            w.write(array: tree.values.map(\.bitPattern))
            w.write(array: tree.sampleCounts)
            w.write(array: tree.drawCounts)
        }
        w.write(FNV1a.hash64(w.bytes))
        return w.bytes
    }

    /// Reads a forest from bytes written by `serializedBytes()`; `path` names the source in errors.
    public init(serializedBytes bytes: [UInt8], path: String = "<memory>") throws {
        guard bytes.count >= RandomForest.magic.count + 12,
            Array(bytes.prefix(RandomForest.magic.count)) == RandomForest.magic
        else {
            throw ForestFileError(
                path: path,
                reason: """
                    not a SOCMap forest file (it does not start with SOCMAPRF); give the path of a file \
                    written by RandomForest.save(to:)
                    """
            )
        }
        let body = bytes.count - 8
        var tail = ByteReader(Array(bytes[body...]), path: path)
        let stored = try tail.read(UInt64.self, "checksum")
        guard stored == FNV1a.hash64(bytes[..<body]) else {
            throw ForestFileError(
                path: path, reason: "checksum mismatch: the file is corrupt or truncated; save the forest again")
        }
        var r = ByteReader(Array(bytes[..<body]), path: path)
        _ = try r.read(bytes: RandomForest.magic.count, "magic")
        let version = try r.read(UInt32.self, "version")
        guard version == RandomForest.formatVersion else {
            throw ForestFileError(
                path: path,
                reason: """
                    format version \(version), this build reads version \(RandomForest.formatVersion); \
                    refit or save the forest with this build
                    """
            )
        }
        func count(_ what: String, max: Int = Int(Int32.max)) throws -> Int {
            let v = try r.read(Int64.self, what)
            guard v >= 0, v <= Int64(max) else {
                throw ForestFileError(path: path, reason: "\(what) is \(v), out of range; the file is corrupt")
            }
            return Int(v)
        }
        let trees = try count("parameters.trees")
        let maxFeatures = try count("parameters.maxFeatures")
        let minSamplesLeaf = try count("parameters.minSamplesLeaf")
        let bootstrap = try r.read(UInt8.self, "parameters.bootstrap") != 0
        let depth = try r.read(Int64.self, "parameters.maxDepth")
        let seed = try r.read(UInt64.self, "parameters.seed")
        let parameters = ForestParameters(
            trees: trees, maxFeatures: maxFeatures, minSamplesLeaf: minSamplesLeaf,
            bootstrap: bootstrap, maxDepth: depth < 0 ? nil : Int(depth), seed: seed)
        let p = try count("featureCount")
        let n = try count("trainingRows")
        var importance: [Double] = []
        for _ in 0..<p { importance.append(try r.readDouble("featureImportance")) }
        let mse = try r.readDouble("oobMSE")
        let r2 = try r.readDouble("oobR2")
        guard r.remaining / 4 >= n else { throw r.truncated("oobPredictions") }
        var oob: [Float?] = []
        oob.reserveCapacity(n)
        for _ in 0..<n {
            let v = try r.readFloat("oobPredictions")
            oob.append(v.isNaN ? nil : v)
        }
        let treeCount = try count("tree count")
        guard treeCount == trees, treeCount >= 1 else {
            throw ForestFileError(
                path: path, reason: "holds \(treeCount) trees but its parameters say \(trees); the file is corrupt")
        }
        var forestTrees: [DecisionTree] = []
        for t in 0..<treeCount {
            let nodeCount = try count("tree \(t) node count")
            guard nodeCount >= 1 else {
                throw ForestFileError(path: path, reason: "tree \(t) has no nodes; the file is corrupt")
            }
            let feature = try r.read(array: Int32.self, count: nodeCount, "tree \(t) features")
            let threshold = try r.read(array: UInt32.self, count: nodeCount, "tree \(t) thresholds")
            let left = try r.read(array: Int32.self, count: nodeCount, "tree \(t) left children")
            let right = try r.read(array: Int32.self, count: nodeCount, "tree \(t) right children")
            let value = try r.read(array: UInt32.self, count: nodeCount, "tree \(t) values")
            let samples = try r.read(array: Int32.self, count: nodeCount, "tree \(t) sample counts")
            let draws = try r.read(array: Int32.self, count: nodeCount, "tree \(t) draw counts")
            let nodes = (0..<nodeCount).map {
                DecisionTree.Node(
                    feature: feature[$0], threshold: Float(bitPattern: threshold[$0]), left: left[$0], right: right[$0])
            }
            let tree = DecisionTree(
                nodes: nodes, values: value.map(Float.init(bitPattern:)), sampleCounts: samples, drawCounts: draws)
            if let problem = tree.structuralProblem(featureCount: p) {
                throw ForestFileError(path: path, reason: "tree \(t): \(problem); the file is corrupt")
            }
            forestTrees.append(tree)
        }
        guard r.remaining == 0 else {
            throw ForestFileError(
                path: path, reason: "\(r.remaining) unexpected bytes after the last tree; the file is corrupt")
        }
        self.init(
            parameters: parameters, featureCount: p, trainingRows: n, trees: forestTrees, oobPredictions: oob,
            oobMSE: mse.isNaN ? nil : mse, oobR2: r2.isNaN ? nil : r2, featureImportance: importance)
    }

    /// Writes the forest to `path` atomically (`FileIO.AtomicFile`).
    public func save(to path: String) throws {
        do {
            try AtomicFile.write(Data(serializedBytes()), to: path)
        } catch let e as FileWriteError {
            throw ForestFileError(path: path, reason: "\(e.message); check that the folder exists and is writable")
        }
    }

    /// Reads a forest written by `save(to:)`.
    public static func load(from path: String) throws -> RandomForest {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ForestFileError(path: path, reason: "cannot read: \(SystemError.reason(error)); check the path")
        }
        return try RandomForest(serializedBytes: [UInt8](data), path: path)
    }
}
