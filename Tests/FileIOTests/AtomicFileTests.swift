import FileIO
import Foundation
import XCTest

/// The one atomic writer: the target is replaced in one rename, never deleted first, and a
/// failure names the file and the system's reason.
final class AtomicFileTests: XCTestCase {
    private func makeFolder() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("atomicfile-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }

    func testWrite_createsAndReplacesWithoutLeavingTemporaryFiles() throws {
        let dir = try makeFolder()
        let path = (dir as NSString).appendingPathComponent("out.txt")
        try AtomicFile.write("first", to: path)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "first")
        try AtomicFile.write(Data("second, longer".utf8), to: path)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "second, longer")
        try AtomicFile.write(Data(), to: path)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), Data())
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["out.txt"])
    }

    func testWrite_replacesByRename_soAnOpenReaderKeepsTheOldFile() throws {
        let dir = try makeFolder()
        let path = (dir as NSString).appendingPathComponent("out.bin")
        try AtomicFile.write("old", to: path)
        let reader = try XCTUnwrap(FileHandle(forReadingAtPath: path))
        defer { try? reader.close() }
        try AtomicFile.write("new", to: path)
        XCTAssertEqual(
            String(decoding: reader.readDataToEndOfFile(), as: UTF8.self), "old",
            "the old file was renamed over, not truncated or deleted and rewritten")
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "new")
    }

    func testTemporaryPath_isHiddenBesideTheTarget() {
        let temporary = AtomicFile.temporaryPath(for: "/data/maps/soc.tif", suffix: ".tif")
        XCTAssertTrue(temporary.hasPrefix("/data/maps/.soc.tif.partial-"), temporary)
        XCTAssertTrue(temporary.hasSuffix(".tif"))
    }

    func testMoveIntoPlace_renamesAFileAnotherWriterMade_andNamesAMissingOne() throws {
        let dir = try makeFolder()
        let path = (dir as NSString).appendingPathComponent("map.tif")
        let temporary = AtomicFile.temporaryPath(for: path, suffix: ".tif")
        try AtomicFile.write("old", to: path)
        try Data("new".utf8).write(to: URL(fileURLWithPath: temporary))
        try AtomicFile.moveIntoPlace(temporary, at: path)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "new")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["map.tif"])
        XCTAssertThrowsError(try AtomicFile.moveIntoPlace(temporary, at: path)) { error in
            XCTAssertEqual((error as? FileWriteError)?.path, path)
            XCTAssertEqual((error as? FileWriteError)?.reason, "No such file or directory")
        }
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "new", "a failed move leaves the target")
    }

    func testWrite_intoAMissingFolder_namesThePathAndReason() throws {
        let dir = try makeFolder()
        let path = (dir as NSString).appendingPathComponent("missing/out.txt")
        XCTAssertThrowsError(try AtomicFile.write("x", to: path)) { error in
            let e = error as? FileWriteError
            XCTAssertEqual(e?.path, path)
            XCTAssertEqual(e?.step, .create)
            XCTAssertEqual(e?.reason, "No such file or directory")
            XCTAssertTrue("\(error)".contains(path))
        }
    }

    func testWrite_overAFolder_failsAtTheRenameAndKeepsTheFolder() throws {
        let dir = try makeFolder()
        let path = (dir as NSString).appendingPathComponent("taken")
        try FileManager.default.createDirectory(
            atPath: (path as NSString).appendingPathComponent("inner"), withIntermediateDirectories: true)
        XCTAssertThrowsError(try AtomicFile.write("x", to: path)) { error in
            XCTAssertEqual((error as? FileWriteError)?.step, .rename)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent("inner")))
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: dir), ["taken"], "the temporary file is removed")
    }
}
