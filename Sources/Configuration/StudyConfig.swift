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

    /// Parses study YAML text; `file` names it in errors and anchors `output`.
    public static func parse(text: String, file: String, pipeline: PipelineConfig) throws -> StudyConfig {
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
        if let t = try root.optional("train")?.mapping() {
            if let models = t.optional("models") {
                throw models.error("the study's models are its variants' 'model' keys")
            }
            train = try PipelineConfig.parseTrain(t, poolAlias: nil, base: train)!
            common = try describe(t)
        }
        if let split = try root.given(EvaluateKeys.split), let v = root.optional(EvaluateKeys.split.name) {
            if split == .samples, evaluate.blockSize != nil {
                throw v.error(
                    "split: samples deals single samples into folds, the pipeline's evaluate.block_size deals "
                        + "spatial blocks; remove one of them")
            }
            evaluate.split = split
            common.append("split: \(split.rawValue)")
        }
        pipeline.evaluate = evaluate
        pipeline.train = train
        let base = URL(fileURLWithPath: file).deletingLastPathComponent().path
        var output = pipeline.output + "-study"
        if let o = root.optional("output") {
            let text = (try o.string() as NSString).expandingTildeInPath
            guard !text.isEmpty else { throw o.error("give a folder for the study's outputs") }
            output =
                text.hasPrefix("/")
                ? text : URL(fileURLWithPath: base).appendingPathComponent(text).standardizedFileURL.path
        }
        if output == pipeline.output {
            throw root.optional("output")!.error(
                "the study needs its own folder, not the pipeline's output folder (the run owns that)")
        }
        let resamples = try root.int("bootstrap", default: 2000, in: 100...1_000_000)
        let list = try root.required(
            "variants", hint: "name each variant, e.g. 'transfer-F0: {model: transfer, train: {freeze: 0}}'")
        let variantMap = try list.mapping()
        var variants: [Variant] = []
        for name in variantMap.keys {
            let node = variantMap.optional(name)
            let m = try node?.mapping()
            guard name.range(of: #"^[A-Za-z0-9][A-Za-z0-9_.=+-]*$"#, options: .regularExpression) != nil else {
                throw (node ?? list).error(
                    "variant names are letters, digits and _ . = + - (they name CSV columns and files)")
            }
            let modelName = try m?.optional("model")?.string() ?? name
            guard let model = ModelKind(rawValue: modelName) else {
                throw (m?.optional("model") ?? node ?? list).error(
                    "'\(modelName)' is not a model; give 'model:' one of \(ModelKind.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            var settings = train.settings
            var changes: [String] = []
            if let t = try m?.optional("train")?.mapping() {
                if let models = t.optional("models") {
                    throw models.error("a variant trains one model: give it as '\(name).model', not 'train.models'")
                }
                settings = try PipelineConfig.parseTrain(t, poolAlias: nil, base: train)!.settings
                if model != .rf,
                    let problem = PipelineConfig.networkGeometryProblem(patches: pipeline.patches, settings: settings)
                {
                    throw (m?.optional("train") ?? list).error(problem)
                }
                changes = try describe(t)
            }
            var seed = pipeline.seed
            if let s = m?.optional("seed") {
                let v = try s.int()
                guard v >= 0 else { throw s.error("seed must be zero or positive") }
                seed = UInt64(v)
                changes.append("seed: \(v)")
            }
            try m?.finish()
            variants.append(
                Variant(
                    name: name, model: model, settings: settings, seed: seed, changes: changes.joined(separator: ", ")))
        }
        guard !variants.isEmpty else { throw list.error("list at least one variant") }
        let names = variants.map(\.name)
        var baselines = defaultBaselineNames.filter(names.contains)
        if let b = root.optional("baselines") {
            baselines = try b.list().map { item in
                let n = try item.string()
                guard names.contains(n) else {
                    throw item.error(
                        "'\(n)' is not a variant of this study; choose from \(names.joined(separator: ", "))")
                }
                return n
            }
        }
        if baselines.isEmpty { baselines = [names[0]] }
        var reference: ReferenceScores?
        if let r = root.optional("reference") {
            let text = (try r.string() as NSString).expandingTildeInPath
            let path =
                text.hasPrefix("/")
                ? text : URL(fileURLWithPath: base).appendingPathComponent(text).standardizedFileURL.path
            do { reference = try ReferenceScores(path: path, label: (text as NSString).lastPathComponent) } catch let e
                as EvaluationError
            {
                throw r.error(e.message)
            }
        }
        try root.finish()
        return StudyConfig(
            file: file, pipeline: pipeline, output: output, variants: variants, baselines: baselines,
            resamples: resamples, common: common.joined(separator: ", "), reference: reference)
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
