import FileIO
import Foundation
import TestSupport
import XCTest

final class ChecksumsTests: XCTestCase {
    /// A folder with two files and their list.
    func listedFolder() throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir.file("model"), withIntermediateDirectories: true)
        try AtomicFile.write("{\"held_out\":[1.5,2.25]}", to: dir.file("unit.json"))
        try AtomicFile.write(Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7) }), to: dir.file("model/w.bin"))
        try Checksums.write(in: dir.path, files: ["unit.json", "model/w.bin"])
        return dir
    }

    func testVerify_intactFolder_andSha256sumAgrees() throws {
        let dir = try listedFolder()
        XCTAssertEqual(Checksums.verify(in: dir.path, required: ["unit.json"]), .intact)
        guard let output = runTool("sh", ["-c", "cd '\(dir.path)' && sha256sum -c \(Checksums.fileName)"]) else {
            throw missingClient("sha256sum is not installed (coreutils)")
        }
        XCTAssertTrue(output.contains("unit.json: OK") && output.contains("model/w.bin: OK"), output)
    }

    func testVerify_aByteChangedInPlace_truncated_orMissing_isDamagedNamingTheFile() throws {
        let dir = try listedFolder()
        // same size, one digit edited (an edited held-out prediction)
        try AtomicFile.write("{\"held_out\":[1.5,2.75]}", to: dir.file("unit.json"))
        XCTAssertEqual(Checksums.verify(in: dir.path), .damaged("unit.json does not match its checksum"))

        let weights = try listedFolder()
        var bytes = try Data(contentsOf: URL(fileURLWithPath: weights.file("model/w.bin")))
        bytes[100] ^= 0x40
        try bytes.write(to: URL(fileURLWithPath: weights.file("model/w.bin")))
        XCTAssertEqual(Checksums.verify(in: weights.path), .damaged("model/w.bin does not match its checksum"))

        let truncated = try listedFolder()
        try Data(bytes.prefix(10)).write(to: URL(fileURLWithPath: truncated.file("model/w.bin")))
        XCTAssertEqual(Checksums.verify(in: truncated.path), .damaged("model/w.bin does not match its checksum"))

        let missing = try listedFolder()
        try FileManager.default.removeItem(atPath: missing.file("model/w.bin"))
        XCTAssertEqual(Checksums.verify(in: missing.path), .damaged("model/w.bin is missing"))
    }

    func testVerify_noList_anUnlistedRequiredFile_orAPathOutside_isDamaged() throws {
        let dir = try listedFolder()
        XCTAssertEqual(
            Checksums.verify(in: dir.path, required: ["unit.json", "other.json"]),
            .damaged("SHA256SUMS does not list other.json"))
        let outside = try listedFolder()
        let hash = try SHA256Hasher.hex(fileAt: outside.file("unit.json"))
        try AtomicFile.write("\(hash)  ../unit.json\n", to: outside.file(Checksums.fileName))
        XCTAssertEqual(Checksums.verify(in: outside.path), .damaged("SHA256SUMS has a malformed line"))
        try FileManager.default.removeItem(atPath: outside.file(Checksums.fileName))
        XCTAssertEqual(Checksums.verify(in: outside.path), .damaged("SHA256SUMS is missing or unreadable"))
    }
}
