import Foundation
import TestSupport
import XCTest

@testable import Configuration
@testable import Models
@testable import Pipeline

/// The key declarations (issue #23): pipelines/sample.yaml documents every declared key and no other,
/// the `train` declarations are model.json's names, and checks after loading keep line and column.
final class KeyDeclarationTests: XCTestCase {
    static let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("pipelines/sample.yaml").path

    /// A key written in sample.yaml: its path (list items as `[]`), line, and whether it is commented out.
    struct SampleKey: Hashable {
        let path: String
        let line: Int
        let commented: Bool
    }

    /// The keys of sample.yaml, written or commented out. A commented-out key is a comment line
    /// `# key: value` whose `#` stands where the key would start (`#` and one space replace the key's
    /// first column); deeper keys of a commented-out block add spaces after the `#` (`#   crs:`),
    /// list items are written `# - path:`. Other comment lines are prose and must not start with `word:`.
    static func sampleKeys(_ text: String) -> [SampleKey] {
        var stack: [(indent: Int, path: String)] = []
        var keys: [SampleKey] = []
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = Substring(raw)
            let lead = line.prefix { $0 == " " }.count
            var content = line.dropFirst(lead)
            var indent = lead
            let commented = content.hasPrefix("#")
            if commented {
                content = content.dropFirst()
                let spaces = content.prefix { $0 == " " }.count
                guard spaces >= 1 else { continue }
                indent = lead + spaces - 1
                content = content.dropFirst(spaces)
            }
            let item = content.hasPrefix("- ")
            if item { content = content.dropFirst(2) }
            guard let colon = content.firstIndex(of: ":"),
                content[..<colon].allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "_" }),
                !content[..<colon].isEmpty,
                content.index(after: colon) == content.endIndex || content[content.index(after: colon)] == " "
            else { continue }
            let name = String(content[..<colon])
            let keyIndent = item ? indent + 2 : indent
            while let top = stack.last, top.indent >= (item ? indent : keyIndent) { stack.removeLast() }
            var parent = stack.last?.path ?? ""
            if item {
                parent += "[]"
                stack.append((indent, parent))
            }
            let path = parent.isEmpty ? name : "\(parent).\(name)"
            stack.append((keyIndent, path))
            keys.append(SampleKey(path: path, line: n + 1, commented: commented))
        }
        return keys
    }

    func testSample_documentsEveryDeclaredKeyAndNoOther() throws {
        let keys = Self.sampleKeys(try String(contentsOfFile: Self.sample, encoding: .utf8))
        let written = Set(keys.map(\.path))
        let declared = PipelineKeys.all
        XCTAssertEqual(Set(declared.map(\.path)).count, declared.count, "a key is declared twice")
        for d in declared where !d.deprecated {
            XCTAssertTrue(written.contains(d.path), "\(d.path) is declared but not in pipelines/sample.yaml")
        }
        let paths = Set(declared.map(\.path))
        for key in keys where !paths.contains(key.path) {
            let isSection = paths.contains { $0.hasPrefix(key.path + ".") || $0.hasPrefix(key.path + "[].") }
            XCTAssertTrue(isSection, "sample.yaml line \(key.line): '\(key.path)' is not a declared key")
        }
    }

    /// The keys the loader reads from sample.yaml are the ones the scan finds written (not commented out),
    /// so the scan reads the file as the loader does, and the loader reads only declared keys.
    func testSample_loaderReadsTheWrittenKeys() throws {
        let text = try String(contentsOfFile: Self.sample, encoding: .utf8)
        let config = try PipelineConfig.parse(text: text, file: Self.sample)
        let read = Set(
            config.positions.keys.filter { !$0.hasSuffix("]") }
                .map { $0.replacingOccurrences(of: #"\[[0-9]+\]"#, with: "[]", options: .regularExpression) })
        let written = Set(Self.sampleKeys(text).filter { !$0.commented }.map(\.path))
        XCTAssertEqual(read, written)
        let paths = Set(PipelineKeys.all.map(\.path))
        for path in read where !paths.contains(path) {
            XCTAssertTrue(
                paths.contains { $0.hasPrefix(path + ".") }, "the loader reads '\(path)', which is not declared")
        }
    }

    func testDeclarations_haveOneLineDocsAndTypes() {
        for d in PipelineKeys.all {
            XCTAssertFalse(d.doc.isEmpty, d.path)
            XCTAssertFalse(d.doc.contains("\n"), d.path)
            XCTAssertLessThanOrEqual(d.doc.count, 100, d.path)
            XCTAssertFalse(d.type.isEmpty, d.path)
        }
        let epochs = PipelineKeys.declaration("train.epochs")
        XCTAssertEqual(epochs?.defaultText, "\(ModelSettings().epochs)")
        XCTAssertEqual(epochs?.allowed, "1 to 100000")
        XCTAssertEqual(epochs?.type, "whole number")
        XCTAssertEqual(PipelineKeys.declaration("train.fine_tune_batch_size")?.defaultText, "batch_size")
        XCTAssertEqual(
            PipelineKeys.declaration("predict.interval_method")?.type,
            "one of conformal, adaptive, log_conformal, scaled_conformal")
    }

    /// model.json's settings are named as the `train` keys, one to one.
    func testTrainKeys_areModelSettingsCodingKeys() throws {
        let names = TrainKeys.settings.map(\.declaration.name)
        XCTAssertEqual(names.sorted(), ModelSettings.CodingKeys.allCases.map(\.rawValue).sorted())
        let s = StoredSettings.everyKeyWritten
        let json = try StoredSettings.json(s)
        XCTAssertEqual(Set(json.keys), Set(names))
        XCTAssertEqual(json["fine_tune_epochs"] as? Int, s.fineTuneEpochs)
        XCTAssertEqual(json["conv_widths"] as? [Int], s.convWidths)
    }

    /// `PipelineConfig.error(at:_:)` names the key's line and column, or its section's when the key is absent.
    func testErrorAt_namesTheKeysPositionOrItsSections() throws {
        let text =
            "name: t\ncovariates:\n  grid: {raster: a.tif}\n  files: [covs/]\nsites:\n  file: s.csv\n"
            + "  crs: EPSG:4326\nprofiles:\n  horizons: {file: h.csv, value_column: soc}\n"
        let config = try PipelineConfig.parse(text: text, file: "/data/p.yaml")
        let e = config.error(at: "sites.crs", "bad")
        XCTAssertEqual(e.line, 7)
        XCTAssertEqual(e.column, 8)
        XCTAssertEqual(e.snippet, "  crs: EPSG:4326\n       ^")
        XCTAssertTrue("\(e)".hasPrefix("/data/p.yaml:7:8: key 'sites.crs': bad"), "\(e)")
        let absent = config.error(at: "sites.x_column", "bad")
        XCTAssertEqual(absent.key, "sites.x_column")
        XCTAssertEqual(absent.line, 6, "the section's first key: the mapping's position")
        XCTAssertNil(config.error(at: "stocks", "bad").line)
    }

    /// A check made after loading (the site CRS, by `validate`) names the key's line and column.
    func testPostLoadCheck_namesLineAndColumn() throws {
        let p = try TinyProject()
        try p.editPipeline("  crs: EPSG:4283\n", "  crs: EPSG:999999\n")
        let config = try PipelineConfig.load(path: p.pipeline)
        XCTAssertThrowsError(try PipelineValidator.validate(config)) { error in
            let e = error as? ConfigError
            XCTAssertEqual(e?.key, "sites.crs", "\(error)")
            XCTAssertEqual(e?.line, 13, "\(error)")
            XCTAssertEqual(e?.column, 8, "\(error)")
            XCTAssertTrue("\(error)".contains("pipeline.yaml:13:8: key 'sites.crs'"), "\(error)")
        }
        let q = try TinyProject()
        try q.editPipeline("categorical: [geo]", "categorical: [geo, nope]")
        XCTAssertThrowsError(try PipelineValidator.validate(try PipelineConfig.load(path: q.pipeline))) { error in
            let e = error as? ConfigError
            XCTAssertEqual(e?.key, "covariates.categorical", "\(error)")
            XCTAssertEqual(e?.line, 7, "\(error)")
            XCTAssertEqual(e?.column, 16, "\(error)")
        }
    }
}
