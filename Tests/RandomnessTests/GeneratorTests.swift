import Randomness
import XCTest

/// The generators' streams are fixed: reference words from Vigna's SplitMix64 and from an
/// independent Python implementation of xoshiro256** and Lemire's bounded draw.
final class GeneratorTests: XCTestCase {
    func testSplitMix64_matchesTheReferenceOutput() {
        var random = SplitMix64(seed: 0)
        XCTAssertEqual(random.next(), 0xE220_A839_7B1D_CDAF)
        XCTAssertEqual(random.next(), 0x6E78_9E6A_A1B9_65F4)
    }

    func testXoshiro256_matchesTheReferenceOutput() {
        var zero = Xoshiro256(seed: 0)
        XCTAssertEqual(
            [zero.next(), zero.next(), zero.next()],
            [0x99EC_5F36_CB75_F2B4, 0xBF6E_1F78_4956_452A, 0x1A5F_849D_4933_E6E0])
        var seeded = Xoshiro256(seed: 2025)
        XCTAssertEqual([seeded.next(), seeded.next()], [0xC9FC_BF65_C046_112F, 0x7B7B_3399_E150_A198])
    }

    func testBelow_isLemiresDrawAndStaysInRange() {
        var small = SplitMix64(seed: 4)
        XCTAssertEqual((0..<8).map { _ in small.next(below: 7) }, [3, 6, 6, 3, 2, 4, 6, 3])
        var large = Xoshiro256(seed: 9)
        XCTAssertEqual((0..<4).map { _ in large.next(below: 1_000_003) }, [2583, 251_490, 132_462, 732_696])
        var seen = Set<Int>()
        for _ in 0..<500 {
            let v = small.next(below: 7)
            XCTAssertTrue((0..<7).contains(v))
            seen.insert(v)
        }
        XCTAssertEqual(seen, Set(0..<7))
    }

    func testShuffle_isASeededPermutation() {
        var a = SplitMix64(seed: 4)
        var b = SplitMix64(seed: 4)
        var x = Array(0..<50)
        var y = Array(0..<50)
        a.shuffle(&x)
        b.shuffle(&y)
        XCTAssertEqual(x.sorted(), Array(0..<50))
        XCTAssertNotEqual(x, Array(0..<50))
        XCTAssertEqual(x, y, "same seed, same order")
    }

    func testUnitDrawsAndGaussian_haveTheirRangeAndMoments() {
        var random = Xoshiro256(seed: 3)
        let floats = (0..<20_000).map { _ in random.nextUnitFloat() }
        let doubles = (0..<20_000).map { _ in random.nextUnitDouble() }
        XCTAssertTrue(floats.allSatisfy { (0..<1).contains($0) })
        XCTAssertTrue(doubles.allSatisfy { (0..<1).contains($0) })
        XCTAssertEqual(doubles.reduce(0, +) / 20_000, 0.5, accuracy: 0.01)
        let normal = (0..<20_000).map { _ in random.nextGaussian() }
        let mean = normal.reduce(0, +) / 20_000
        let variance = normal.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 19_999
        XCTAssertEqual(mean, 0, accuracy: 0.03)
        XCTAssertEqual(variance, 1, accuracy: 0.05)
    }
}
