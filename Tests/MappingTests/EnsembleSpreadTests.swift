import Mapping
import XCTest

final class EnsembleSpreadTests: XCTestCase {
    func testSpread_standardDeviationAndQuantilesPerCell() {
        // Cell 0: models 1...5; cell 1: all equal; cell 2: one model without a value.
        let predictions: [[Float]] = [[1, 7, 3], [2, 7, .nan], [3, 7, 3], [4, 7, 3], [5, 7, 3]]
        let spread = EnsembleSpread(predictions: predictions)
        XCTAssertEqual(spread.standardDeviation[0], Float(2.5.squareRoot()), accuracy: 1e-6)
        XCTAssertEqual(spread.lower[0], 1.2, accuracy: 1e-6, "type 7: 1 + 0.05 * 4")
        XCTAssertEqual(spread.upper[0], 4.8, accuracy: 1e-6)
        XCTAssertEqual(spread.standardDeviation[1], 0)
        XCTAssertEqual(spread.lower[1], 7)
        XCTAssertTrue(spread.standardDeviation[2].isNaN && spread.lower[2].isNaN && spread.upper[2].isNaN)
    }

    func testMapNames_followTheDepthConvention() {
        XCTAssertEqual(MapNames.base(property: "soc", top: 0, bottom: 5), "soc_0-5cm")
        XCTAssertEqual(MapNames.base(property: "soc", top: 100, bottom: 200), "soc_100-200cm")
        XCTAssertEqual(MapNames.depthTitle(top: 5, bottom: 15), "5-15 cm")
        XCTAssertEqual(MapNames.spread("soc_0-5cm"), "soc_0-5cm_sd")
        XCTAssertEqual(MapNames.quantile("soc_0-5cm", 0.05), "soc_0-5cm_q05")
        XCTAssertEqual(MapNames.quantile("soc_0-5cm", 0.95), "soc_0-5cm_q95")
    }
}
