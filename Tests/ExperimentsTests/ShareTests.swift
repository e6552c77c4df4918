import Runtime
import XCTest

final class ShareTests: XCTestCase {
    func testParsing_acceptsIofN_andNamesTheRuleOtherwise() throws {
        let s = try Share(parsing: "2/3")
        XCTAssertEqual(s.index, 1)
        XCTAssertEqual(s.count, 3)
        XCTAssertEqual(s.description, "2/3")
        XCTAssertEqual(try Share(parsing: " 1 / 1 "), .whole)
        for bad in ["0/3", "4/3", "3", "a/b", "1/0", "1/2/3", "", "/"] {
            XCTAssertThrowsError(try Share(parsing: bad), bad) { error in
                XCTAssertTrue("\(error)".contains("'\(bad)' must be i/n with 1 <= i <= n"), "\(error)")
            }
        }
    }

    func testDeal_coversEveryItemOnce_costliestFirstToTheLeastLoaded() {
        let costs: [Double] = [5, 1, 1, 3, 2, 2, 4]
        let shares = (0..<3).map { Share(index: $0, count: 3).deal(costs: costs) }
        XCTAssertEqual(shares.flatMap { $0 }.sorted(), Array(costs.indices))
        // Costliest first: 5 -> 0, 4 -> 1, 3 -> 2, 2 -> 2 (load 3), 2 -> 1 (load 4),
        // 1 -> 0 (5 = 5, the lower share), 1 -> 2.
        XCTAssertEqual(shares[0], [0, 1])
        XCTAssertEqual(shares[1], [5, 6])
        XCTAssertEqual(shares[2], [2, 3, 4])
        XCTAssertEqual(Share.whole.deal(costs: costs), Array(costs.indices))
    }
}
