import Compute
import XCTest

/// Linear between knots, flat beyond the ends, NaN for a non-finite argument.
final class PiecewiseLinearTests: XCTestCase {
    func testValues_betweenAndBeyondTheKnots() {
        let f = PiecewiseLinear(x: [0, 1, 1, 3], y: [1, 2, 4, 0])
        XCTAssertEqual(f(-1), 1, "flat before the first knot")
        XCTAssertEqual(f(0.5), 1.5)
        XCTAssertEqual(f(1), 2, "at a repeated knot, the first one's value")
        XCTAssertEqual(f(2), 2, "after a repeated knot, from the last one (4) down to 0")
        XCTAssertEqual(f(9), 0, "flat after the last knot")
        XCTAssertTrue(f(.nan).isNaN)
        XCTAssertEqual(PiecewiseLinear(x: [5], y: [7])(100), 7)
    }

    func testEqualGroups_coverEveryItemOnce() {
        XCTAssertEqual(PiecewiseLinear.equalGroups(count: 25, groups: 10, minimumSize: 10), [0..<13, 13..<25])
        XCTAssertEqual(PiecewiseLinear.equalGroups(count: 5, groups: 10, minimumSize: 10), [0..<5])
        let many = PiecewiseLinear.equalGroups(count: 1003, groups: 10, minimumSize: 10)
        XCTAssertEqual(many.count, 10)
        XCTAssertEqual(many.map(\.count), [101, 101, 101] + [Int](repeating: 100, count: 7))
        XCTAssertEqual(many.last?.upperBound, 1003)
    }
}
