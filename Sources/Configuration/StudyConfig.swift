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
        /// A `combined` variant's members (names of other variants) and weights; nil for every other variant.
        public var combine: Combination? = nil
        /// A kriged variant's target (another variant whose residuals it kriges); nil for every other variant.
        public var krige: Kriging? = nil
    }

    /// What a kriged variant kriges: another variant's held-out residuals, each fold's from its inner folds.
    public struct Kriging: Sendable, Equatable {
        /// The variant whose residuals are kriged (trained or combined).
        public var of: String
        /// Sites an estimate weighs at most.
        public var neighbours: Int
        /// Folds of the inner cross-validation whose held-out residuals each outer fold kriges.
        public var innerFolds: Int
    }

    /// What a `combined` variant combines: other variants of the study, and how they are weighed.
    public struct Combination: Sendable, Equatable {
        /// The members' variant names, in summation order.
        public var members: [String]
        /// Equal weights, or NNLS weights per depth nested in each fold.
        public var weights: CombineWeights
        /// Folds of the inner cross-validation inside each outer fold (`nnls`).
        public var innerFolds: Int
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
            let krige = try m?.given(K.krige)
            if let krige, let v = m?.optional(K.model.name) {
                throw v.error("a kriged variant takes the model of '\(krige)', the variant whose residuals it kriges")
            }
            if krige != nil {
                model = .combined  // set to the target's model below
            } else if let given = try m?.given(K.model) {
                model = given
            } else if let named = ModelKind(rawValue: name) {
                model = named
            } else {
                throw (node ?? list).error(K.notAModel(name))
            }
            var settings = train.settings
            var changes: [String] = []
            var combine: Combination?
            var kriging: Kriging?
            if let krige {
                kriging = Kriging(
                    of: krige, neighbours: try m!.read(K.neighbours), innerFolds: try m!.read(K.innerFolds))
                changes = ["residuals of \(krige) kriged (\(kriging!.neighbours) neighbours)"]
                if let v = m!.optional(K.variantTrain.name) ?? m!.optional(K.seed.name) ?? m!.optional(K.members.name) {
                    throw v.error("a kriged variant trains nothing: it kriges the residuals of '\(krige)'")
                }
            } else if model == .combined {
                combine = try parseCombination(m, name: name, node: node ?? list)
                changes = [combine!.members.joined(separator: " + ") + ", " + combine!.weights.rawValue + " weights"]
            } else if let given = [K.members.name, K.weights.name, K.innerFolds.name, K.neighbours.name]
                .compactMap({ m?.optional($0) }).first
            {
                throw given.error(
                    "only a combined variant ('model: combined') has members and weights, only those and a kriged "
                        + "variant ('krige: <variant>') inner_folds, only a kriged variant neighbours")
            }
            if let t = try m?.section(K.variantTrain) {
                if model == .combined {
                    throw m!.optional(K.variantTrain.name)!.error(
                        "a combined variant trains nothing: its members are other variants, which take train keys")
                }
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
                    name: name, model: model, settings: settings, seed: seed, changes: changes.joined(separator: ", "),
                    combine: combine, krige: kriging))
        }
        try checkCombinations(&variants, list: variantMap)
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

    /// A combined variant's `members`, `weights` and `inner_folds` (members required, at least two, none twice).
    static func parseCombination(_ m: YAMLMapping?, name: String, node: YAMLValue) throws -> Combination {
        typealias K = StudyKeys
        guard let m, let members = try m.given(K.members) else {
            throw node.error(
                "a combined variant names its members, other variants of the study: e.g. '\(name): {model: combined, "
                    + "members: [transfer, rf]}'")
        }
        if let twice = members.first(where: { n in members.filter { $0 == n }.count > 1 }) {
            throw m.optional(K.members.name)!.error("'\(twice)' is listed twice among the members; list each once")
        }
        if m.optional(K.seed.name) != nil {
            throw m.optional(K.seed.name)!.error("a combined variant trains nothing, so it takes no seed")
        }
        return Combination(
            members: members, weights: try m.read(K.weights), innerFolds: try m.read(K.innerFolds))
    }

    /// Every combined variant's members are trained variants, a kriged variant's target is a trained or
    /// combined variant (whose model it takes), and a variant cross-validated inside each fold by several
    /// nested variants (`nnls` combinations, kriging) has the same inner folds for each.
    static func checkCombinations(_ variants: inout [Variant], list: YAMLMapping) throws {
        var innerOf: [String: Int] = [:]
        for (i, v) in variants.enumerated() {
            guard let k = v.krige else { continue }
            let place =
                (try? list.optional(v.name)?.mapping())??.optional(StudyKeys.krige.name) ?? list.optional(v.name)!
            guard let target = variants.first(where: { $0.name == k.of }), target.krige == nil else {
                throw place.error(
                    "'\(k.of)' is not a variant this one can krige; choose from "
                        + variants.filter { $0.krige == nil }.map(\.name).joined(separator: ", "))
            }
            variants[i].model = target.model
        }
        // The variants whose inner folds each trained variant must fit, and how many.
        func need(_ member: String, _ folds: Int, _ place: YAMLValue) throws {
            if let k = innerOf[member], k != folds {
                throw place.error(
                    "'\(member)' is cross-validated inside each fold by nested variants with \(k) and \(folds) inner "
                        + "folds; give them the same inner_folds")
            }
            innerOf[member] = folds
        }
        for v in variants {
            guard let c = v.combine, c.weights == .nnls else { continue }
            let place =
                (try? list.optional(v.name)?.mapping())??.optional(StudyKeys.members.name) ?? list.optional(v.name)!
            for member in c.members where variants.contains(where: { $0.name == member && $0.combine == nil }) {
                try need(member, c.innerFolds, place)
            }
        }
        for v in variants {
            guard let k = v.krige else { continue }
            let place =
                (try? list.optional(v.name)?.mapping())??.optional(StudyKeys.krige.name) ?? list.optional(v.name)!
            let target = variants.first { $0.name == k.of }!
            for member in target.combine?.members ?? [target.name] { try need(member, k.innerFolds, place) }
        }
        for v in variants {
            guard let c = v.combine else { continue }
            let node = (try? list.optional(v.name)?.mapping())??.optional(StudyKeys.members.name)
            let place = node ?? list.optional(v.name)!
            for member in c.members {
                guard let other = variants.first(where: { $0.name == member }), other.combine == nil, other.krige == nil
                else {
                    throw place.error(
                        "member '\(member)' is not a trained variant of this study; choose from "
                            + variants.filter { $0.combine == nil && $0.krige == nil }.map(\.name)
                            .joined(separator: ", "))
                }
            }
            if c.members.count < 2 { throw place.error("a combination needs at least two members") }
        }
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
