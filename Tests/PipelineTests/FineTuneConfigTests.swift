import Models
import XCTest

@testable import Configuration
@testable import Pipeline

/// The fine-tuning keys of `train` (issue #13): defaults, values, and errors naming the key and line.
final class FineTuneConfigTests: XCTestCase {
    let minimal = minimalPipeline + "train:\n  models: [transfer, mtcnn]\n"

    func parse(_ extra: String) throws -> ModelSettings {
        let config = try PipelineConfig.parse(text: minimal + extra, file: "/data/project/p.yaml")
        return try XCTUnwrap(config.train).settings
    }

    /// The error of a train section's extra lines; its key, line (the first extra line is line 13) and message.
    func error(_ extra: String, file: StaticString = #filePath, line: UInt = #line) -> ConfigError? {
        do {
            _ = try parse(extra)
            XCTFail("expected an error for \(extra)", file: file, line: line)
            return nil
        } catch let e as ConfigError {
            return e
        } catch {
            XCTFail("\(error)", file: file, line: line)
            return nil
        }
    }

    func testAbsentKeys_leaveFineTuningAsBefore() throws {
        let s = try parse("")
        XCTAssertEqual(s, ModelSettings())
        XCTAssertEqual(s.targetScaling, .perDepth)
        XCTAssertNil(s.fineTuneBatchSize)
        XCTAssertEqual(s.effectiveFineTuneBatchSize, s.batchSize)
        XCTAssertFalse(s.scorePretrained)
        XCTAssertEqual(s.l2SP, 0)
        XCTAssertEqual(s.headFirstEpochs, 0)
        XCTAssertEqual(s.fineTuneBatchNorm, .train)
    }

    func testEveryKey_parses() throws {
        let s = try parse(
            """
              batch_size: 32
              target_scaling: pooled
              fine_tune_batch_size: 8
              score_pretrained: true
              l2_sp: 0.01
              head_first_epochs: 5
              fine_tune_batchnorm: eval

            """)
        XCTAssertEqual(s.targetScaling, .pooled)
        XCTAssertEqual(s.fineTuneBatchSize, 8)
        XCTAssertEqual(s.effectiveFineTuneBatchSize, 8)
        XCTAssertEqual(s.batchSize, 32)
        XCTAssertTrue(s.scorePretrained)
        XCTAssertEqual(s.l2SP, 0.01)
        XCTAssertEqual(s.headFirstEpochs, 5)
        XCTAssertEqual(s.fineTuneBatchNorm, .eval)
    }

    func testBadValues_areErrorsNamingTheKeyAndLine() {
        let cases: [(String, String, String)] = [
            ("  target_scaling: global\n", "train.target_scaling", "per_depth, pooled"),
            ("  fine_tune_batchnorm: frozen\n", "train.fine_tune_batchnorm", "train, eval"),
            ("  fine_tune_batch_size: 1\n", "train.fine_tune_batch_size", "between 2 and 65536"),
            ("  l2_sp: -0.1\n", "train.l2_sp", "between 0"),
            ("  score_pretrained: maybe\n", "train.score_pretrained", "true or false"),
            ("  head_first_epochs: -1\n", "train.head_first_epochs", "between 0")
        ]
        for (extra, key, message) in cases {
            guard let e = error(extra) else { continue }
            XCTAssertEqual(e.key, key, extra)
            XCTAssertEqual(e.line, 13, "\(e)")
            XCTAssertTrue("\(e)".contains(message), "\(e)")
        }
    }

    func testHeadFirstEpochs_mustLeaveFineTuningEpochs() throws {
        guard let e = error("  fine_tune_epochs: 10\n  head_first_epochs: 10\n") else { return }
        XCTAssertEqual(e.key, "train.head_first_epochs")
        XCTAssertEqual(e.line, 14)
        XCTAssertTrue("\(e)".contains("must be smaller"), "\(e)")
        XCTAssertTrue("\(e)".contains("fine_tune_epochs (10)"), "\(e)")
        // The default fine_tune_epochs (300) counts too.
        XCTAssertEqual(error("  head_first_epochs: 300\n")?.key, "train.head_first_epochs")
        XCTAssertEqual(try parse("  fine_tune_epochs: 10\n  head_first_epochs: 9\n").headFirstEpochs, 9)
    }

    func testHeadFirstEpochs_withEveryBlockFrozen_isAnError() throws {
        guard let e = error("  freeze: 6\n  head_first_epochs: 3\n") else { return }
        XCTAssertEqual(e.key, "train.head_first_epochs")
        XCTAssertTrue("\(e)".contains("freeze: 6"), "\(e)")
        XCTAssertEqual(try parse("  freeze: 6\n  head_first_epochs: 0\n").headFirstEpochs, 0)
    }

    /// pipelines/sample.yaml documents the keys commented out; uncommented, they parse.
    func testSamplePipeline_fineTuningKeysUncommented_parse() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let path = root.appendingPathComponent("pipelines/sample.yaml").path
        let keys = [
            "target_scaling", "fine_tune_batch_size", "score_pretrained", "l2_sp", "head_first_epochs",
            "fine_tune_batchnorm"
        ]
        var found: [String] = []
        var lines: [String] = []
        for line in try String(contentsOfFile: path, encoding: .utf8).split(
            separator: "\n", omittingEmptySubsequences: false)
        {
            if let key = keys.first(where: { line.hasPrefix("  # \($0):") }) {
                found.append(key)
                lines.append("  " + String(line.dropFirst(4)))
            } else {
                lines.append(String(line))
            }
        }
        let text = lines.joined(separator: "\n")
        XCTAssertEqual(found, keys)
        let config = try PipelineConfig.parse(text: text, file: path)
        let s: ModelSettings = try XCTUnwrap(config.train).settings
        XCTAssertEqual(s.targetScaling, .perDepth)
        XCTAssertEqual(s.fineTuneBatchSize, 16)
        XCTAssertTrue(s.scorePretrained)
        XCTAssertEqual(s.l2SP, 0.01)
        XCTAssertEqual(s.headFirstEpochs, 2)
        XCTAssertEqual(s.fineTuneBatchNorm, .eval)
    }

    func testFineTuningKeys_withoutTransferInModels_areAllowed() throws {
        let text =
            minimal.replacingOccurrences(of: "models: [transfer, mtcnn]", with: "models: [cnn, rf]")
            + "  l2_sp: 0.1\n  score_pretrained: true\n  target_scaling: pooled\n"
        let c = try PipelineConfig.parse(text: text, file: "/data/project/p.yaml")
        XCTAssertEqual(c.train?.settings.l2SP, 0.1)
    }
}
