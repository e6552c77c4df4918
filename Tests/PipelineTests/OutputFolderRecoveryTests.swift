import Foundation
import Pipeline
import TestSupport
import Workspace
import XCTest

/// OutputFolder's lock and the publication a killed run left half done.
final class OutputFolderRecoveryTests: XCTestCase {
    func layout(_ d: TemporaryDirectory) -> OutputLayout {
        OutputLayout(root: d.file("out"), patchesFile: "patches.socp")
    }

    func testPublish_replacesTheRecordedSet_andKeepsOtherFiles() throws {
        let d = try TemporaryDirectory()
        do {
            let folder = try OutputFolder(layout(d), access: .exclusive, command: "test")
            let staged = try folder.makeStaging()
            try "one".write(toFile: staged.path("report.md"), atomically: false, encoding: .utf8)
            try FileManager.default.createDirectory(atPath: staged.path("models"), withIntermediateDirectories: true)
            try folder.publish(["report.md", "models"], replacingAll: true)
            folder.release()
        }
        try "mine".write(toFile: d.file("out/notes.txt"), atomically: false, encoding: .utf8)
        let folder = try OutputFolder(layout(d), access: .exclusive, command: "test")
        XCTAssertEqual(try folder.recordedOutputs(), ["report.md", "models"])
        XCTAssertThrowsError(try folder.checkReplaceable(["report.md"], overwrite: false))
        XCTAssertNoThrow(try folder.checkReplaceable(["report.md"], overwrite: true))
        XCTAssertThrowsError(try folder.checkReplaceable(["notes.txt"], overwrite: true), "a file SOCMap did not write")
        let staged = try folder.makeStaging()
        try "two".write(toFile: staged.path("report.md"), atomically: false, encoding: .utf8)
        try folder.publish(["report.md"], replacingAll: true)
        folder.release()
        XCTAssertEqual(
            d.contentsOf("out"), [".socmap", "notes.txt", "report.md"], "the earlier models folder went with the set")
        XCTAssertEqual(try String(contentsOfFile: d.file("out/report.md"), encoding: .utf8), "two")
        XCTAssertEqual(d.contentsOf("out/.socmap"), ["lock", "outputs.json"])
    }

    /// A run killed between moving the old outputs away and moving the new ones in: the next
    /// run finishes the publication from the journal and reports it.
    func testAPublicationCutShort_isFinishedByTheNextRun() throws {
        let d = try TemporaryDirectory()
        let fm = FileManager.default
        try fm.createDirectory(atPath: d.file("out/.socmap/staging.424242/maps"), withIntermediateDirectories: true)
        try fm.createDirectory(atPath: d.file("out/.socmap/trash.424242"), withIntermediateDirectories: true)
        try "new".write(toFile: d.file("out/.socmap/staging.424242/report.md"), atomically: false, encoding: .utf8)
        try "new map".write(
            toFile: d.file("out/.socmap/staging.424242/maps/soc.tif"), atomically: false, encoding: .utf8)
        // The old report was already moved to the trash; the old maps not yet.
        try "old".write(toFile: d.file("out/.socmap/trash.424242/report.md"), atomically: false, encoding: .utf8)
        try fm.createDirectory(atPath: d.file("out/maps"), withIntermediateDirectories: true)
        try "old map".write(toFile: d.file("out/maps/soc.tif"), atomically: false, encoding: .utf8)
        try "old models".write(toFile: d.file("out/models"), atomically: false, encoding: .utf8)
        let journal =
            #"{"process": 424242, "staging": "staging.424242", "remove": ["maps", "models", "report.md"], "#
            + #""add": ["report.md", "maps"], "record": ["report.md", "maps"]}"#
        try journal.write(toFile: d.file("out/.socmap/publishing.json"), atomically: false, encoding: .utf8)

        let folder = try OutputFolder(layout(d), access: .exclusive, command: "test")
        XCTAssertEqual(folder.recovered.count, 1)
        XCTAssertTrue(
            folder.recovered[0].contains("finished publishing the outputs of an interrupted run (process 424242)"),
            "\(folder.recovered)")
        folder.release()
        XCTAssertEqual(d.contentsOf("out"), [".socmap", "maps", "report.md"])
        XCTAssertEqual(try String(contentsOfFile: d.file("out/report.md"), encoding: .utf8), "new")
        XCTAssertEqual(try String(contentsOfFile: d.file("out/maps/soc.tif"), encoding: .utf8), "new map")
        XCTAssertEqual(d.contentsOf("out/.socmap"), ["lock", "outputs.json"])
    }

    /// A journal naming anything but plain entries of the folder (or a staging folder outside the
    /// control folder) is refused before anything is moved.
    func testAJournalNamingPathsOutsideTheFolder_isRefused_andNothingMoves() throws {
        let fm = FileManager.default
        let cases = [
            (#""staging.7", "remove": ["../victim"], "add": [], "record": []"#, "'../victim'"),
            (#""staging.7", "remove": [], "add": ["/tmp"], "record": []"#, "'/tmp'"),
            (#""staging.7", "remove": [], "add": [], "record": [".socmap"]"#, "'.socmap'"),
            (#""../../victim", "remove": [], "add": [], "record": []"#, "'../../victim'")
        ]
        for (fields, named) in cases {
            let d = try TemporaryDirectory()
            try fm.createDirectory(atPath: d.file("out/.socmap/staging.7"), withIntermediateDirectories: true)
            try "precious".write(toFile: d.file("out/victim"), atomically: false, encoding: .utf8)
            try "precious".write(toFile: d.file("victim"), atomically: false, encoding: .utf8)
            try #"{"process": 7, "staging": \#(fields)}"#.write(
                toFile: d.file("out/.socmap/publishing.json"), atomically: false, encoding: .utf8)
            XCTAssertThrowsError(try OutputFolder(layout(d), access: .exclusive, command: "test")) { error in
                for fragment in ["publishing.json", named, "not a plain entry", "nothing was moved"] {
                    XCTAssertTrue("\(error)".contains(fragment), "\(error)")
                }
            }
            XCTAssertEqual(try String(contentsOfFile: d.file("victim"), encoding: .utf8), "precious")
            XCTAssertEqual(try String(contentsOfFile: d.file("out/victim"), encoding: .utf8), "precious")
            XCTAssertTrue(fm.fileExists(atPath: d.file("out/.socmap/publishing.json")), "the file the message names")
        }
    }

    func testASecondHolder_isRefusedAtOnce_andSharedHoldersCoexist() throws {
        let d = try TemporaryDirectory()
        let first = try OutputFolder(layout(d), access: .exclusive, command: "socmap run first.yaml")
        XCTAssertThrowsError(try OutputFolder(layout(d), access: .exclusive, command: "second")) { error in
            XCTAssertTrue(
                "\(error)".contains("is in use by socmap process \(getpid()) (socmap run first.yaml"), "\(error)")
        }
        XCTAssertThrowsError(try OutputFolder(layout(d), access: .shared, command: "shard"))
        first.release()
        let a = try OutputFolder(layout(d), access: .shared, command: "shard 1")
        let b = try OutputFolder(layout(d), access: .shared, command: "shard 2")
        XCTAssertThrowsError(try OutputFolder(layout(d), access: .exclusive, command: "merge"))
        a.release()
        b.release()
        XCTAssertNoThrow(try OutputFolder(layout(d), access: .exclusive, command: "merge").release())
    }
}

extension TemporaryDirectory {
    /// Names in a sub-folder, sorted (empty when missing).
    func contentsOf(_ relative: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: file(relative))) ?? []).sorted()
    }
}
