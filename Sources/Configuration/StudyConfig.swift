import Evaluation
import Foundation
import Models
import Yams

/// A study file (`socmap study <pipeline.yaml> <variants.yaml>`): named variants of the pipeline's
/// models, scored on the pipeline's folds, and the baselines each variant is compared with.
public struct StudyConfig: Sendable {
    /// One variant: a model and the `train` keys it changes, optionally with its own seed.
    public struct Variant: Sendable {
        /// The variant's name (its column in predictions.csv).
        public var name: String
        /// The model it trains.
        public var model: ModelKind
        /// The pipeline's train settings with the variant's keys applied.
        public var settings: ModelSettings
        /// The training seed: the pipeline's seed unless `seed` is set (folds always use the pipeline's).
        public var seed: UInt64
        /// The keys it changes as written, e.g. "freeze: 0, fine_tune_learning_rate: 0.001" ("" for none).
        public var changes: String
    }

    /// The study file.
    public var file: String
    /// The pipeline whose data, folds and train section the variants start from.
    public var pipeline: PipelineConfig
    /// The study's output folder (the study owns it; default: the pipeline's output + "-study").
    public var output: String
    /// The variants, in file order.
    public var variants: [Variant]
    /// Names of the variants every variant is compared with.
    public var baselines: [String]
    /// Bootstrap resamples of sites for the paired intervals.
    public var resamples: Int
    /// What the study's own `train` and `split` keys change for every variant, as written ("" for nothing).
    public var common: String
    /// `reference`: another implementation's scores to print beside the variants of the same names.
    public var reference: ReferenceScores? = nil

    /// The default baselines: the variants named rf, cnn and mtcnn, in that order, when present.
    static let defaultBaselineNames = ["rf", "cnn", "mtcnn"]

    /// Reads a study file for a loaded pipeline; errors name the file, key and line.
    public static func load(path: String, pipeline: PipelineConfig) throws -> StudyConfig {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        guard let data = FileManager.default.contents(atPath: url.path), let text = String(data: data, encoding: .utf8)
        else {
            throw ConfigError(
                file: path, key: "", line: nil, column: nil,
                message: "cannot read the study file as UTF-8 text; check the path")
        }
        return try parse(text: text, file: url.path, pipeline: pipeline)
    }

    /// Parses study YAML text through `StudyKeys`; `file` names it in errors and anchors `output`.
    public static func parse(text: String, file: String, pipeline: PipelineConfig) throws -> StudyConfig {
        typealias K = StudyKeys
        let source = YAMLSource(file: file, text: text)
        let root = try source.root().mapping()
        guard var train = pipeline.train else {
            throw ConfigError(
                file: pipeline.file, key: "train", line: nil, column: nil,
                message: "a study varies the pipeline's 'train' section: add one (its models need not be listed)")
        }
        guard var evaluate = pipeline.evaluate else {
            throw ConfigError(
                file: pipeline.file, key: "evaluate", line: nil, column: nil,
                message: "a study scores variants on the pipeline's cross-validation folds: add an 'evaluate' section")
        }
        var pipeline = pipeline
        var common: [String] = []
        if let t = try root.section(K.train) {
            if let models = t.optional(TrainKeys.models.name) {
                throw models.error("the study's models are its variants' 'model' keys")
            }
            train = try PipelineConfig.parseTrain(t, poolAlias: nil, base: train)!
            common = try describe(t)
        }
        if let split = try root.given(K.split), let v = root.optional(K.split.name) {
            if let conflict = split.conflictWithBlocks, evaluate.blockSize != nil {
                throw v.error(
                    conflict.replacingOccurrences(of: "block_size", with: "the pipeline's evaluate.block_size"))
            }
            evaluate.split = split
            common.append("split: \(split.rawValue)")
        }
        pipeline.evaluate = evaluate
        pipeline.train = train
        let base = URL(fileURLWithPath: file).deletingLastPathComponent().path
        var output = pipeline.output + "-study"
        if let o = try root.given(K.output) {
            output = resolve((o as NSString).expandingTildeInPath, against: base)
        }
        if output == pipeline.output {
            throw root.optional(K.output.name)!.error(
                "the study needs its own folder, not the pipeline's output folder (the run owns that)")
        }
        let resamples = try root.read(K.bootstrap)
        _ = try root.require(
            K.variants, hint: "name each variant, e.g. 'transfer-F0: {model: transfer, train: {freeze: 0}}'")
        let list = root.optional(K.variants.name)!
        let variantMap = try list.mapping()
        var variants: [Variant] = []
        for name in variantMap.keys {
            let node = variantMap.optional(name)
            let m = try node?.mapping()
            try K.variant.check(name, at: node ?? list)
            let model: ModelKind
            if let given = try m?.given(K.model) {
                model = given
            } else if let named = ModelKind(rawValue: name) {
                model = named
            } else {
                throw (node ?? list).error(K.notAModel(name))
            }
            var settings = train.settings
            var changes: [String] = []
            if let t = try m?.section(K.variantTrain) {
                if let models = t.optional(TrainKeys.models.name) {
                    throw models.error("a variant trains one model: give it as '\(name).model', not 'train.models'")
                }
                settings = try PipelineConfig.parseTrain(t, poolAlias: nil, base: train)!.settings
                if model != .rf,
                    let problem = PipelineConfig.networkGeometryProblem(patches: pipeline.patches, settings: settings)
                {
                    throw (m?.optional(K.variantTrain.name) ?? list).error(problem)
                }
                changes = try describe(t)
            }
            var seed = pipeline.seed
            if let v = try m?.given(K.seed) {
                seed = UInt64(v)
                changes.append("seed: \(v)")
            }
            try m?.finish()
            variants.append(
                Variant(
                    name: name, model: model, settings: settings, seed: seed, changes: changes.joined(separator: ", ")))
        }
        let names = variants.map(\.name)
        var baselines = defaultBaselineNames.filter(names.contains)
        if let given = try root.given(K.baselines) {
            let items = try root.optional(K.baselines.name)!.list()
            for (n, item) in zip(given, items) where !names.contains(n) {
                throw item.error("'\(n)' is not a variant of this study; choose from \(names.joined(separator: ", "))")
            }
            baselines = given
        }
        if baselines.isEmpty { baselines = [names[0]] }
        var reference: ReferenceScores?
        if let text = try root.given(K.reference).map({ ($0 as NSString).expandingTildeInPath }) {
            do {
                reference = try ReferenceScores(
                    path: resolve(text, against: base), label: (text as NSString).lastPathComponent)
            } catch let e as EvaluationError {
                throw root.optional(K.reference.name)!.error(e.message)
            }
        }
        try root.finish()
        return StudyConfig(
            file: file, pipeline: pipeline, output: output, variants: variants, baselines: baselines,
            resamples: resamples, common: common.joined(separator: ", "), reference: reference)
    }

    /// `path` as an absolute path: as it is when absolute, else below `base` (the study file's folder).
    static func resolve(_ path: String, against base: String) -> String {
        path.hasPrefix("/") ? path : URL(fileURLWithPath: base).appendingPathComponent(path).standardizedFileURL.path
    }

    /// "key: value" for each key of a mapping as written, nested keys joined with dots.
    static func describe(_ m: YAMLMapping) throws -> [String] {
        try m.keys.flatMap { key -> [String] in
            guard let v = m.optional(key) else { return [] }
            if case .mapping = v.node { return try describe(try v.mapping()).map { "\(key).\($0)" } }
            return ["\(key): \(flow(v.node))"]
        }
    }

    /// A value as one line: scalars as written, lists as [a, b], mappings as {k: v}.
    static func flow(_ node: Node) -> String {
        switch node {
        case .scalar(let s): return s.string
        case .sequence(let seq): return "[" + seq.map(flow).joined(separator: ", ") + "]"
        case .mapping(let map):
            return "{" + map.map { "\(flow($0.key)): \(flow($0.value))" }.joined(separator: ", ") + "}"
        default: return "\(node)"
        }
    }

    /// Pairs of variants that differ only in their seed (same model and settings).
    public var seedPairs: [(String, String)] {
        var pairs: [(String, String)] = []
        for (i, a) in variants.enumerated() {
            for b in variants[(i + 1)...] where a.model == b.model && a.settings == b.settings && a.seed != b.seed {
                pairs.append((a.name, b.name))
            }
        }
        return pairs
    }
}
