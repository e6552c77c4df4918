import Foundation
import TestSupport
import XCTest

/// The list of a run's outputs (`.socmap/outputs.json`) is trusted only when it names plain entries
/// of the output folder and matches its checksum: an edited or damaged list makes the folder foreign.
extension OutputFolderTests {
    /// The SHA-256 of `entries` each followed by a newline, by `sha256sum` (as docs/outputs.md checks it by hand).
    func sha256sum(_ entries: [String], in d: TemporaryDirectory) throws -> String {
        let text = d.file("entries.txt")
        try entries.map { $0 + "\n" }.joined().write(toFile: text, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [text]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return String(out.prefix(64))
    }

    func testAnEditedListOfOutputs_isRefused_andNothingIsMovedOrDeleted() throws {
        let p = try TinyProject()
        XCTAssertEqual(try CLI.run(["run", p.pipeline, "-q"]).status, 0)
        let recordPath = p.folder.file("out/.socmap/outputs.json")
        let written = try Data(contentsOf: URL(fileURLWithPath: recordPath))
        let outputs = try XCTUnwrap(
            (try JSONSerialization.jsonObject(with: written) as? [String: Any])?["outputs"] as? [String])
        let checksum = try XCTUnwrap(
            (try JSONSerialization.jsonObject(with: written) as? [String: Any])?["sha256"] as? String)
        XCTAssertEqual(checksum, try sha256sum(outputs, in: p.folder), "the checksum sha256sum computes")
        try "precious".write(toFile: p.folder.file("victim"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: p.folder.file("out/a"), withIntermediateDirectories: true)

        // Entries outside the folder (or not plain), each with a checksum that matches the edit.
        for bad in ["../victim", p.folder.file("victim"), "a/../../victim", "", ".", "..", ".socmap", "a/b"] {
            let entries = outputs + [bad]
            let record: [String: Any] = ["outputs": entries, "sha256": try sha256sum(entries, in: p.folder)]
            try JSONSerialization.data(withJSONObject: record).write(to: URL(fileURLWithPath: recordPath))
            try assertRefused(
                p, ["run", p.pipeline, "-q", "--overwrite"],
                ["outputs.json", "'\(bad)'", "not a plain entry", "nothing was moved or deleted"])
            try assertRefused(p, ["predict", p.pipeline, "-q"], ["outputs.json", "'\(bad)'", "not a plain entry"])
            XCTAssertEqual(try String(contentsOfFile: p.folder.file("victim"), encoding: .utf8), "precious")
            XCTAssertTrue(FileManager.default.fileExists(atPath: recordPath), "the file the message names")
        }
        // The same in the form of SOCMap 0.1 and 0.2 (no checksum).
        try JSONSerialization.data(withJSONObject: ["outputs": outputs + ["../victim"]])
            .write(to: URL(fileURLWithPath: recordPath))
        try assertRefused(p, ["run", p.pipeline, "-q", "--overwrite"], ["outputs.json", "'../victim'"])

        // A byte flipped inside an entry (same size), in the checksum, in a key, and the list truncated.
        let text = String(decoding: written, as: UTF8.self)
        let damaged = [
            text.replacingOccurrences(of: "profiles.csv", with: "profiles.csw"),
            text.replacingOccurrences(of: "\"sha256\":\"" + checksum.prefix(1), with: "\"sha256\":\"x"),
            text.replacingOccurrences(of: "\"sha256\"", with: "\"sha257\""),
            String(text.prefix(text.count / 2))
        ]
        for (i, bytes) in damaged.enumerated() {
            XCTAssertNotEqual(bytes, text)
            if i < 3 { XCTAssertEqual(bytes.utf8.count, text.utf8.count) }
            try bytes.write(toFile: recordPath, atomically: true, encoding: .utf8)
            try assertRefused(
                p, ["run", p.pipeline, "-q", "--overwrite"],
                ["outputs.json", "nothing was moved or deleted", "move away (or delete)"])
            // `socmap predict` (which replaces maps/ by the list) refuses the folder the same way.
            try assertRefused(
                p, ["predict", p.pipeline, "-q", "--overwrite"], ["outputs.json", "nothing was moved or deleted"])
            for name in outputs { XCTAssertTrue(FileManager.default.fileExists(atPath: p.folder.file("out/\(name)"))) }
        }

        // The advice: move away the outputs this run writes together with the list, then run again.
        try FileManager.default.createDirectory(atPath: p.folder.file("moved"), withIntermediateDirectories: true)
        for name in outputs {
            try FileManager.default.moveItem(
                atPath: p.folder.file("out/\(name)"), toPath: p.folder.file("moved/\(name)"))
        }
        try FileManager.default.moveItem(atPath: recordPath, toPath: p.folder.file("moved/outputs.json"))
        let again = try CLI.run(["run", p.pipeline, "-q", "--overwrite"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(try String(contentsOfFile: p.folder.file("victim"), encoding: .utf8), "precious")
        XCTAssertTrue(FileManager.default.fileExists(atPath: p.folder.file("out/a")), "not SOCMap's: left")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: recordPath)), written, "the same list again")
    }
}
