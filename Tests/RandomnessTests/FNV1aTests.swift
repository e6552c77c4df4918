import Randomness
import XCTest

/// FNV-1a 64 against the published test vectors (Fowler, Noll and Vo's fnv_test.c); the
/// forest file's checksum and the sample data's stream seeds depend on these exact values.
final class FNV1aTests: XCTestCase {
    func testHash64_matchesTheReferenceVectors() {
        XCTAssertEqual(FNV1a.hash64([UInt8]()), 0xCBF2_9CE4_8422_2325)
        XCTAssertEqual(FNV1a.hash64("a".utf8), 0xAF63_DC4C_8601_EC8C)
        XCTAssertEqual(FNV1a.hash64("foobar".utf8), 0x8594_4171_F739_67E8)
    }

    func testHash64_isTheSameForArraysSlicesAndStrings() {
        let bytes = Array("foobar".utf8)
        XCTAssertEqual(FNV1a.hash64(bytes), FNV1a.hash64("foobar".utf8))
        XCTAssertEqual(FNV1a.hash64(bytes[0..<1]), FNV1a.hash64("f".utf8))
    }
}
