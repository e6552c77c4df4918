import Foundation
import Reports
import TestSupport
import XCTest

/// report.json is the run's record (`Reports.RunRecord`); report.md is rendered from it alone, its
/// times are the units' true training times, and it cites no file outside the repository.
final class RunRecordTests: XCTestCase {
    /// The repository's root, found from this file's path.
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// A run with training, cross-validation, intervals and maps (with their depth consistency).
    func evaluatedRun() throws -> TinyProject {
        let p = try TinyProject()
        try p.editPipeline("  size: 7\n", "  size: 7\n" + OutputFolderTests.quickTraining)
        let r = try CLI.run(["run", p.pipeline, "-q"])
        XCTAssertEqual(r.status, 0, r.stderr)
        return p
    }

    func testReportJSON_decodesIntoTheRecord_whoseRenderingIsReportMD() throws {
        for p in [try evaluatedRun(), try notEvaluatedRun()] {
            let data = try Data(contentsOf: URL(fileURLWithPath: p.folder.file("out/report.json")))
            let record = try RunRecord.read(data)
            let markdown = try String(contentsOfFile: p.folder.file("out/report.md"), encoding: .utf8)
            XCTAssertEqual(
                MarkdownReport.render(record), markdown, "report.md is the decoded record's rendering, byte for byte")
            XCTAssertEqual(
                String(decoding: try record.json(), as: UTF8.self), String(decoding: data, as: UTF8.self),
                "the decoded record encodes to report.json's bytes")
            let html = try String(contentsOfFile: p.folder.file("out/report.html"), encoding: .utf8)
            XCTAssertTrue(html.contains("<h1"), "report.html renders the same record")
        }
    }

    /// report.json of the output folder `out` decodes into the record whose rendering is report.md and
    /// whose encoding is report.json (used by the tests of the sections: selection, zones, AOA, stocks).
    static func assertRecordIsTheReport(_ out: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: (out as NSString).appendingPathComponent("report.json")))
        let record = try RunRecord.read(data)
        let markdown = try String(
            contentsOfFile: (out as NSString).appendingPathComponent("report.md"), encoding: .utf8)
        XCTAssertEqual(MarkdownReport.render(record), markdown, "report.md renders report.json", file: file, line: line)
        XCTAssertEqual(
            String(decoding: try record.json(), as: UTF8.self), String(decoding: data, as: UTF8.self),
            "report.json round-trips", file: file, line: line)
    }

    func notEvaluatedRun() throws -> TinyProject {
        let p = try TinyProject()
        let r = try CLI.run(["run", p.pipeline, "-q"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: p.folder.file("out/report.json"))))
        XCTAssertEqual(
            (json as? [String: Any])?["evaluation"] as? String, "not evaluated", "the string stays the wire format")
        return p
    }

    /// The heading names the cross-validation units' own training time (their saved seconds), not the
    /// seconds the evaluation took to assemble them; report.json times every stage.
    func testCrossValidationHeading_namesTheUnitsTrainingTime_andEveryStageIsTimed() throws {
        let p = try evaluatedRun()
        let report = try String(contentsOfFile: p.folder.file("out/report.md"), encoding: .utf8)
        let json = try XCTUnwrap(
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: p.folder.file("out/report.json")))) as? [String: Any])
        let training = try XCTUnwrap(json["training"] as? [String: Any])
        let units = try XCTUnwrap(training["units"] as? [[String: Any]])
        XCTAssertEqual(units.count, 3 * 2 + 2, "3 folds x 2 models + 2 final fits")
        let cv = units.filter { $0["fold"] != nil }
        let cvSeconds = cv.compactMap { $0["seconds"] as? Double }.reduce(0, +)
        XCTAssertEqual(cv.count, 6)
        XCTAssertGreaterThan(cvSeconds, 0, "the units recorded their training time")

        let heading = try XCTUnwrap(
            report.split(separator: "\n").first { $0.hasPrefix("## Cross-validation (") }, report)
        XCTAssertTrue(heading.hasPrefix("## Cross-validation (3 folds; units trained for "), String(heading))
        let named = try XCTUnwrap(
            Self.seconds(
                inWords: String(
                    heading.split(separator: ";")[1]
                        .replacingOccurrences(of: " units trained for ", with: "").prefix { $0 != ")" && $0 != "," })),
            String(heading))
        XCTAssertGreaterThanOrEqual(
            named + 0.05, cvSeconds, "the heading names at least the CV units' saved seconds: \(heading)")
        XCTAssertLessThanOrEqual(named, cvSeconds + 0.5, String(heading))
        XCTAssertTrue(report.contains("Time: the 6 cross-validation units trained for "), report)

        let timings = try XCTUnwrap(json["timings"] as? [String: Double])
        for stage in [
            "stack", "profiles", "patches", "training", "evaluation", "final_models", "maps", "report", "total"
        ] {
            XCTAssertNotNil(timings[stage], "timings.\(stage): \(timings)")
        }
        XCTAssertNil(timings["selection"], "no select section: no selection time")
        let fittedHere = units.filter { $0["fitted_here"] as? Bool == true }
        XCTAssertEqual(fittedHere.count, units.count, "a first run fits every unit")
        let fittedSeconds = fittedHere.compactMap { $0["seconds"] as? Double }.reduce(0, +)
        XCTAssertGreaterThanOrEqual(
            try XCTUnwrap(timings["training"]) + 0.01, fittedSeconds,
            "the units are fitted one after another within the training stage")
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(timings["total"]), try XCTUnwrap(timings["training"]))
        XCTAssertTrue(report.contains("\n## Timings\n"), report)
    }

    /// report.md and report.json name no file that is not in the repository (the protocol is the paper's).
    func testReports_citeNoFileOutsideTheRepository() throws {
        let p = try evaluatedRun()
        for name in ["report.md", "report.json"] {
            let text = try String(contentsOfFile: p.folder.file("out/\(name)"), encoding: .utf8)
            XCTAssertFalse(text.contains("design/"), "\(name) cites design/: \(text)")
            XCTAssertFalse(text.contains("model.md"), "\(name) cites model.md")
            // Every repository path it names (docs/..., pipelines/...) exists.
            for prefix in ["docs/", "pipelines/"] {
                for part in text.components(separatedBy: prefix).dropFirst() {
                    let path = prefix + part.prefix { !" `)(,;\"\n".contains($0) }
                    XCTAssertTrue(
                        FileManager.default.fileExists(atPath: Self.repository.appendingPathComponent(path).path),
                        "\(name) names \(path), which is not in the repository")
                }
            }
        }
        let report = try String(contentsOfFile: p.folder.file("out/report.md"), encoding: .utf8)
        XCTAssertTrue(
            report.contains(
                "Training: the paper's protocol (Han et al. 2025, Front. Environ. Sci. 13:1580085) except "), report)
    }

    /// Seconds of a duration in `DurationText.words` form: "3.2 s", "42 s", "4 min 12 s", "2 h 05 min".
    static func seconds(inWords text: String) -> Double? {
        let words = text.trimmingCharacters(in: .whitespaces).split(separator: " ")
        var total = 0.0
        var i = 0
        while i + 1 < words.count {
            guard let value = Double(words[i]) else { return nil }
            switch words[i + 1] {
            case "h": total += 3600 * value
            case "min": total += 60 * value
            case "s": total += value
            default: return nil
            }
            i += 2
        }
        return i == words.count && i > 0 ? total : nil
    }
}
