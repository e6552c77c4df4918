import Foundation
import TestSupport
import XCTest

@testable import Configuration
@testable import Models

/// The study file's key declarations (`StudyKeys`): docs/study.md's table agrees with them, the shipped
/// studies use every key and no other, the parser fills in their defaults, and a wrong key or value is an
/// error naming the file, line and key.
final class StudyKeyTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The pipeline the parse tests start from (it has `train` and `evaluate`, no `evaluate.block_size`).
    static func pipeline() throws -> PipelineConfig {
        let path = repository.appendingPathComponent("pipelines/sample.yaml").path
        return try PipelineConfig.parse(text: try String(contentsOfFile: path, encoding: .utf8), file: path)
    }

    func testDeclarations_areUniqueWithOneLineDocsAndTypes() {
        let declared = StudyKeys.all
        XCTAssertEqual(Set(declared.map(\.path)).count, declared.count, "a key is declared twice")
        for d in declared {
            XCTAssertFalse(d.doc.isEmpty, d.path)
            XCTAssertFalse(d.doc.contains("\n"), d.path)
            XCTAssertLessThanOrEqual(d.doc.count, 100, d.path)
            XCTAssertFalse(d.type.isEmpty, d.path)
            XCTAssertFalse(d.deprecated, d.path)
        }
        XCTAssertEqual(StudyKeys.bootstrap.defaultValue, 2000)
        XCTAssertEqual(StudyKeys.bootstrap.declaration.allowed, "100 to 1000000")
        XCTAssertEqual(StudyKeys.split.type.name, EvaluateKeys.split.type.name, "the pipeline's split values")
        XCTAssertEqual(StudyKeys.seed.declaration.allowed, RunKeys.seed.declaration.allowed, "the pipeline's seed rule")
    }

    /// docs/study.md has one table row per key, with the declaration's type, default, allowed values and doc
    /// ("–" for none, "required" for the default of a required key).
    func testDocs_tableAgreesWithTheDeclarations() throws {
        let text = try String(
            contentsOfFile: Self.repository.appendingPathComponent("docs/study.md").path, encoding: .utf8)
        var rows: [String: [String]] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                .map { $0.trimmingCharacters(in: .whitespaces) }
            XCTAssertEqual(cells.count, 5, String(line))
            guard cells.count == 5 else { continue }
            let path = cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            XCTAssertNil(rows[path], "docs/study.md lists '\(path)' twice")
            rows[path] = cells.dropFirst().map { $0 == "–" ? "" : $0 }
        }
        let declared = Set(StudyKeys.all.map(\.path))
        for path in declared.subtracting(rows.keys).sorted() { XCTFail("\(path) is declared but not in docs/study.md") }
        for path in Set(rows.keys).subtracting(declared).sorted() {
            XCTFail("docs/study.md lists '\(path)', which is not a declared study key")
        }
        for d in StudyKeys.all {
            guard let row = rows[d.path] else { continue }
            XCTAssertEqual(row, [d.type, d.required ? "required" : d.defaultText, d.allowed, d.doc], d.path)
        }
    }

    /// The key paths a study file writes: `<name>` for each variant's name, `train` keys as
    /// `train.<key>` and `variants.<name>.train.<key>` (nested ones dotted, `train.forest.trees`).
    static func writtenKeys(_ file: String) throws -> Set<String> {
        let source = YAMLSource(file: file, text: try String(contentsOfFile: file, encoding: .utf8))
        func paths(_ value: YAMLValue?, _ prefix: String) throws -> [String] {
            guard let value, case .mapping = value.node else { return [] }
            let m = try value.mapping()
            return try m.keys.flatMap { key -> [String] in
                let name = prefix == "variants" ? "<name>" : key
                return ["\(prefix).\(name)"] + (try paths(m.optional(key), "\(prefix).\(name)"))
            }
        }
        let root = try source.root().mapping()
        return Set(try root.keys.flatMap { [$0] + (try paths(root.optional($0), $0)) })
    }

    /// Every declared key is written in a shipped study (pipelines/studies), and every key written there is
    /// declared: a study key, or below a `train` a declared `train` key (not `models`).
    func testShippedStudies_useEveryKeyAndNoOther() throws {
        let folder = Self.repository.appendingPathComponent("pipelines/studies")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }
        XCTAssertFalse(files.isEmpty)
        let study = Set(StudyKeys.all.map(\.path))
        let train = Set(TrainKeys.all.map(\.path)).subtracting([TrainKeys.models.path])
        var written = Set<String>()
        for file in files.sorted() {
            let keys = try Self.writtenKeys(folder.appendingPathComponent(file).path)
            written.formUnion(keys)
            for key in keys where !study.contains(key) {
                let trainKey = key.replacingOccurrences(
                    of: #"^(variants\.<name>\.)?train\."#, with: "train.", options: .regularExpression)
                let isSection = train.contains { $0.hasPrefix(trainKey + ".") }
                XCTAssertTrue(
                    train.contains(trainKey) || isSection, "\(file): '\(key)' is neither a study nor a train key")
            }
        }
        for path in study.subtracting(written).sorted() {
            XCTFail("\(path) is declared but no study in pipelines/studies uses it")
        }
    }

    /// A study of one variant gets every default its keys declare.
    func testParse_fillsInTheDeclaredDefaults() throws {
        let pipeline = try Self.pipeline()
        let study = try StudyConfig.parse(text: "variants:\n  rf:\n", file: "/data/study.yaml", pipeline: pipeline)
        XCTAssertEqual(study.resamples, StudyKeys.bootstrap.defaultValue)
        XCTAssertEqual(study.output, pipeline.output + "-study")
        XCTAssertEqual(study.baselines, ["rf"])
        XCTAssertEqual(study.variants.map(\.name), ["rf"])
        XCTAssertEqual(study.variants[0].model, .rf, "the model of the variant's name")
        XCTAssertEqual(study.variants[0].seed, pipeline.seed)
        XCTAssertEqual(study.variants[0].settings, pipeline.train?.settings)
        XCTAssertEqual(study.variants[0].changes, "")
        XCTAssertEqual(study.common, "")
        XCTAssertNil(study.reference)
        XCTAssertEqual(study.pipeline.evaluate?.split, pipeline.evaluate?.split)
        let two = try StudyConfig.parse(
            text: "variants: {x: {model: transfer}, cnn: {}}", file: "/data/study.yaml", pipeline: pipeline)
        XCTAssertEqual(two.baselines, ["cnn"], "the default baselines that exist")
        let none = try StudyConfig.parse(
            text: "variants: {x: {model: transfer}, y: {model: rf}}", file: "/data/study.yaml", pipeline: pipeline)
        XCTAssertEqual(none.baselines, ["x"], "else the first variant")
    }

    /// A study that gives every key reads each into its place.
    func testParse_readsEveryKey() throws {
        let dir = try TemporaryDirectory()
        try #"{"models": {"rf": {"0-5": {"RMSE": 1.5, "R2": 0.4}}}}"#.write(
            toFile: dir.file("scores.json"), atomically: true, encoding: .utf8)
        let text = """
            output: results
            baselines: [rf]
            bootstrap: 500
            train: {epochs: 7}
            split: samples
            reference: scores.json
            variants:
              rf: {}
              transfer-F0: {model: transfer, seed: 9, train: {freeze: 0}}

            """
        let file = dir.file("study.yaml")
        let study = try StudyConfig.parse(text: text, file: file, pipeline: try Self.pipeline())
        XCTAssertEqual(study.output, dir.file("results"))
        XCTAssertEqual(study.baselines, ["rf"])
        XCTAssertEqual(study.resamples, 500)
        XCTAssertEqual(study.common, "epochs: 7, split: samples")
        XCTAssertEqual(study.pipeline.evaluate?.split, .samples)
        XCTAssertEqual(study.reference?.models["rf"]?["0-5"]?.rmse, 1.5)
        let f0 = study.variants[1]
        XCTAssertEqual(f0.model, .transfer)
        XCTAssertEqual(f0.seed, 9)
        XCTAssertEqual(f0.settings.freeze, 0)
        XCTAssertEqual(f0.settings.epochs, 7, "the study's train, then the variant's")
        XCTAssertEqual(f0.changes, "freeze: 0, seed: 9")
    }

    /// A combined variant: its members, weights and inner folds, and a change text that says what it combines.
    func testParse_readsACombinedVariant() throws {
        let study = try StudyConfig.parse(
            text:
                "variants:\n  rf: {}\n  t: {model: transfer}\n  t+rf: {model: combined, members: [t, rf], weights: nnls}",
            file: "/data/study.yaml", pipeline: try Self.pipeline())
        let c = study.variants[2]
        XCTAssertEqual(c.model, .combined)
        XCTAssertEqual(c.combine, StudyConfig.Combination(members: ["t", "rf"], weights: .nnls, innerFolds: 5))
        XCTAssertEqual(c.changes, "t + rf, nnls weights")
        XCTAssertNil(study.variants[0].combine)
        let kriged = try StudyConfig.parse(
            text: "variants:\n  rf: {}\n  t: {model: transfer}\n  c: {model: combined, members: [t, rf]}\n"
                + "  rf+rk: {krige: rf}\n  c+rk: {krige: c, neighbours: 8}",
            file: "/data/study.yaml", pipeline: try Self.pipeline())
        XCTAssertEqual(kriged.variants[3].krige, StudyConfig.Kriging(of: "rf", neighbours: 32, innerFolds: 5))
        XCTAssertEqual(kriged.variants[3].model, .rf, "the kriged variant's model")
        XCTAssertEqual(kriged.variants[4].krige, StudyConfig.Kriging(of: "c", neighbours: 8, innerFolds: 5))
        XCTAssertEqual(kriged.variants[4].model, .combined)
        XCTAssertEqual(kriged.variants[4].changes, "residuals of c kriged (8 neighbours)")
    }

    /// An unknown key, a value out of its range or of the wrong kind: the error names the study file, the
    /// line and the key.
    func testErrors_nameFileLineAndKey() throws {
        let pipeline = try Self.pipeline()
        let file = "/data/study.yaml"
        let cases: [(text: String, key: String, line: Int, message: String)] = [
            ("bootstrap: 50\nvariants: {rf: {}}", "bootstrap", 1, "must be between 100 and 1000000, found 50"),
            ("variants: {rf: {}}\nbootstrap: 2000000", "bootstrap", 2, "must be between 100 and 1000000"),
            ("variants: {rf: {}}\nresamples: 500", "resamples", 2, "unknown key 'resamples'"),
            ("variants:\n  rf: {}\n  t: {model: transfer, sed: 3}", "variants.t.sed", 3, "unknown key 'sed'"),
            ("variants:\n  rf: {}\n  t: {model: transfer, seed: -1}", "variants.t.seed", 3, "zero or positive"),
            ("variants:\n  rf: {}\n  t: {model: transformer}", "variants.t.model", 3, "'transformer' is not a model"),
            ("variants:\n  forest: {}", "variants.forest", 2, "'forest' is not a model; give 'model:' one of"),
            ("variants:\n  a/b: {model: rf}", "variants.a/b", 2, "variant names are letters, digits"),
            ("variants:\n  cnn: {train: {freez: 0}}", "variants.cnn.train.freez", 2, "unknown key 'freez'"),
            ("variants:\n  cnn: {train: {models: [rf]}}", "variants.cnn.train.models", 2, "give it as 'cnn.model'"),
            ("variants: {rf: {}}\ntrain:\n  epochs: 0", "train.epochs", 3, "must be between 1 and 100000"),
            ("variants: {rf: {}}\ntrain: {models: [rf]}", "train.models", 2, "variants' 'model' keys"),
            ("variants: {rf: {}}\nsplit: site", "split", 2, "unknown value 'site'; choose from sites, samples"),
            ("variants: {rf: {}}\nbaselines: [rf, cnn]", "baselines[1]", 2, "'cnn' is not a variant"),
            ("variants: {rf: {}}\noutput: ''", "output", 2, "give a folder for the study's outputs"),
            ("variants: {}", "variants", 1, "list at least one variant"),
            ("bootstrap: 500", "variants", 1, "required key is missing; name each variant"),
            ("variants:\n  rf: {}\n  c: {model: combined}", "variants.c", 3, "a combined variant names its members"),
            (
                "variants:\n  rf: {}\n  c: {model: combined, members: [rf, cnn]}", "variants.c.members", 3,
                "member 'cnn' is not a trained variant of this study; choose from rf"
            ),
            (
                "variants:\n  rf: {}\n  c: {model: combined, members: [rf]}", "variants.c.members", 3,
                "at least two members"
            ),
            (
                "variants:\n  rf: {}\n  c: {model: combined, members: [rf, rf]}", "variants.c.members", 3,
                "'rf' is listed twice"
            ),
            (
                "variants:\n  rf: {}\n  cnn: {}\n  c: {model: combined, members: [rf, cnn], train: {epochs: 3}}",
                "variants.c.train", 4, "a combined variant trains nothing"
            ),
            (
                "variants:\n  rf: {}\n  cnn: {weights: nnls}", "variants.cnn.weights", 3,
                "only a combined variant"
            ),
            (
                "variants:\n  rf: {}\n  cnn: {}\n  c: {model: combined, members: [rf, cnn], weights: nnls, inner_folds: 1}",
                "variants.c.inner_folds", 4, "must be between 2 and 20"
            ),
            (
                """
                variants:
                  rf: {}
                  cnn: {}
                  a: {model: combined, members: [rf, cnn], weights: nnls, inner_folds: 3}
                  b: {model: combined, members: [rf, cnn], weights: nnls}
                """, "variants.b.members", 5, "give them the same inner_folds"
            ),
            (
                "variants:\n  rf: {}\n  k: {krige: cnn}", "variants.k.krige", 3,
                "'cnn' is not a variant this one can krige"
            ),
            ("variants:\n  rf: {}\n  k: {krige: rf, model: rf}", "variants.k.model", 3, "takes the model of 'rf'"),
            ("variants:\n  rf: {}\n  k: {krige: rf, train: {epochs: 2}}", "variants.k.train", 3, "trains nothing"),
            ("variants:\n  rf: {neighbours: 8}", "variants.rf.neighbours", 2, "only a kriged variant neighbours"),
            ("variants:\n  rf: {}\n  k: {krige: rf, neighbours: 0}", "variants.k.neighbours", 3, "between 1 and 10000"),
            (
                "variants:\n  rf: {}\n  k: {krige: rf, inner_folds: 3}\n  j: {krige: rf}", "variants.j.krige", 4,
                "nested variants with 3 and 5 inner folds"
            )
        ]
        for c in cases {
            XCTAssertThrowsError(try StudyConfig.parse(text: c.text, file: file, pipeline: pipeline), c.text) {
                let e = $0 as? ConfigError
                XCTAssertEqual(e?.file, file, c.text)
                XCTAssertEqual(e?.key, c.key, "\(c.text): \($0)")
                XCTAssertEqual(e?.line, c.line, "\(c.text): \($0)")
                XCTAssertTrue("\($0)".hasPrefix("\(file):\(c.line):"), "\(c.text): \($0)")
                XCTAssertTrue("\($0)".contains("key '\(c.key)': "), "\(c.text): \($0)")
                XCTAssertTrue(e?.message.contains(c.message) == true, "\(c.text): \($0)")
            }
        }
    }
}
