import Foundation
import XCTest

@testable import SoilData

final class DepthIntervalTests: XCTestCase {
    func testLabel_hasNoTrailingZeroDecimal() {
        XCTAssertEqual(DepthInterval(top: 0, bottom: 5).label, "0-5cm")
        XCTAssertEqual(DepthInterval(top: 100, bottom: 200).label, "100-200cm")
        XCTAssertEqual(DepthInterval(top: 2.5, bottom: 7.5).description, "2.5-7.5cm")
    }

    func testStandard_isTheSixGlobalSoilMapDepths() {
        XCTAssertEqual(
            DepthInterval.standard.map(\.label),
            ["0-5cm", "5-15cm", "15-30cm", "30-60cm", "60-100cm", "100-200cm"])
    }

    func testParse_acceptsCommonSpellings() throws {
        for text in ["0-5", "0-5cm", "0–5 cm", " 0 - 5 CM ", "000_005_cm"] {
            XCTAssertEqual(try DepthInterval.parse(text), DepthInterval(top: 0, bottom: 5), text)
        }
        XCTAssertEqual(try DepthInterval.parse("100-200cm"), DepthInterval(top: 100, bottom: 200))
    }

    func testParse_rejectsBadText() {
        for text in ["5-0", "5-5", "abc", "0-5-10", "", "-5-0", "0-x"] {
            let e = soilError { _ = try DepthInterval.parse(text) }
            XCTAssertEqual(e?.kind, .badDepthInterval, text)
        }
    }

    func testCodable_roundTripsAndAcceptsLabelStrings() throws {
        let d = DepthInterval(top: 15, bottom: 30)
        let data = try JSONEncoder().encode(d)
        XCTAssertEqual(try JSONDecoder().decode(DepthInterval.self, from: data), d)
        let fromText = try JSONDecoder().decode(
            [DepthInterval].self, from: Data(#"["0-5cm", {"top": 5, "bottom": 15}]"#.utf8))
        XCTAssertEqual(fromText, [DepthInterval(top: 0, bottom: 5), DepthInterval(top: 5, bottom: 15)])
        XCTAssertThrowsError(try JSONDecoder().decode(DepthInterval.self, from: Data(#"{"top": 5, "bottom": 5}"#.utf8)))
    }
}
