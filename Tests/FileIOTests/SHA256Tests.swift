import FileIO
import Foundation
import Randomness
import TestSupport
import XCTest

final class SHA256Tests: XCTestCase {
    func testSHA256_knownVectors() {
        // FIPS 180-4 / NIST examples.
        XCTAssertEqual(SHA256Hasher.hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256Hasher.hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(
            SHA256Hasher.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(
            SHA256Hasher.hex(
                """
                abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn\
                hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu
                """
            ),
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
        XCTAssertEqual(
            SHA256Hasher.hex([UInt8](repeating: 0x61, count: 1_000_000)),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testSHA256_piecewiseUpdatesEqualOneShotAcrossBlockBoundaries() {
        var generator = SplitMix64(seed: 7)
        for length in [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000] {
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            var hash = SHA256Hasher()
            var start = 0
            while start < length {
                let size = Int(generator.next() % 70) + 1
                hash.update(bytes[start..<min(length, start + size)])
                start += size
            }
            XCTAssertEqual(hash.hexDigest(), SHA256Hasher.hex(bytes), "length \(length)")
        }
    }

    func testSHA256_matchesCoreutilsAtPaddingBoundaries() throws {
        let dir = try TemporaryDirectory()
        for length in [55, 56, 64, 119, 120, 4097] {
            let path = dir.file("bytes-\(length)")
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            guard let output = runTool("sha256sum", [path]) else {
                throw missingClient("sha256sum is not installed (coreutils)")
            }
            XCTAssertEqual(try SHA256Hasher.hex(fileAt: path), String(output.prefix(64)), "length \(length)")
        }
    }

    func testSHA256_missingFileThrowsNamingIt() {
        XCTAssertThrowsError(try SHA256Hasher.hex(fileAt: "/nonexistent/pipeline.yaml")) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/pipeline.yaml"), "\(error)")
        }
    }
}
