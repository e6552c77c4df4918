import Foundation
import TextFormat
import XCTest

/// The one XML escaper, JSON string writer and number formatter of the outputs.
final class TextFormatTests: XCTestCase {
    func testXMLText_escapesSpecialCharactersAndDropsControls() {
        XCTAssertEqual(XMLText.escape("a < b & \"c\" > 'd'"), "a &lt; b &amp; &quot;c&quot; &gt; &apos;d&apos;")
        XCTAssertEqual(
            XMLText.escape("line\nnext\tcol\u{1}"), "line&#10;next&#9;col",
            "newline and tab kept, other controls dropped")
        XCTAssertEqual(XMLText.escape("R² g/kg"), "R² g/kg")
    }

    func testJSONText_quotesLikeAJSONParserReadsBack() throws {
        let tricky = "a \"b\" \\ c/d\n\r\t\u{1} é"
        let quoted = JSONText.quoted(tricky)
        XCTAssertEqual(quoted, "\"a \\\"b\\\" \\\\ c/d\\n\\r\\t\\u0001 é\"", "slashes and non-ASCII as is")
        let back = try JSONSerialization.jsonObject(with: Data("[\(quoted)]".utf8)) as? [String]
        XCTAssertEqual(back, [tricky])
    }

    func testCSVText_quotesOnlyWhatNeedsIt() {
        XCTAssertEqual(CSVText.field("plain"), "plain")
        XCTAssertEqual(CSVText.field("a,\"b\""), "\"a,\"\"b\"\"\"")
        XCTAssertEqual(CSVText.field("two\nlines"), "\"two\nlines\"")
        XCTAssertEqual(CSVText.field("cr\r"), "\"cr\r\"")
    }

    func testNumberText_fixedIsLocaleFreeNeverMinusZeroAndSafeOnNaN() {
        XCTAssertEqual(NumberText.fixed(3.14159, 2), "3.14")
        XCTAssertEqual(NumberText.fixed(-0.0004, 3), "0.000")
        XCTAssertEqual(NumberText.fixed(-0.0001, 2), "0.00")
        XCTAssertEqual(NumberText.fixed(105.000001, 6), "105.000001")
        XCTAssertEqual(NumberText.fixed(-0.05, 2), "-0.05")
        XCTAssertEqual(NumberText.fixed(7, 1), "7.0")
        XCTAssertEqual(NumberText.fixed(7, 0), "7")
        // C's printf rounding of the exact binary value: ties to even, 1.005 is just below 1.005.
        XCTAssertEqual(NumberText.fixed(-12.5, 0), "-12")
        XCTAssertEqual(NumberText.fixed(0.125, 2), "0.12")
        XCTAssertEqual(NumberText.fixed(1.005, 2), "1.00")
        XCTAssertEqual(NumberText.fixed(.nan, 2), "NA")
        // The sample data's rounding: x × 10^d rounded as a Double, halves away from zero.
        XCTAssertEqual(NumberText.fixed(-12.5, 0, rounding: .halfAwayFromZero), "-13")
        XCTAssertEqual(NumberText.fixed(0.125, 2, rounding: .halfAwayFromZero), "0.13")
        XCTAssertEqual(NumberText.fixed(18.25, 1, rounding: .halfAwayFromZero), "18.3")
        XCTAssertEqual(NumberText.fixed(18.25, 1), "18.2")
        XCTAssertEqual(NumberText.fixed(-0.0004, 3, rounding: .halfAwayFromZero), "0.000")
        XCTAssertEqual(NumberText.fixed(105.000001, 6, rounding: .halfAwayFromZero), "105.000001")
        XCTAssertEqual(NumberText.fixed(7, 1, rounding: .halfAwayFromZero), "7.0")
        XCTAssertEqual(
            NumberText.fixed(1e300, 2, rounding: .halfAwayFromZero), String(format: "%.2f", 1e300), "too large: printf")
        XCTAssertEqual(NumberText.fixed(.nan, 2, rounding: .halfAwayFromZero), "NA")
        XCTAssertEqual(NumberText.fixed(.infinity, 2, nonFinite: "–"), "–")
    }

    func testNumberText_trimmedAndSignificant() {
        XCTAssertEqual(NumberText.trimmed(10.004, maxDecimals: 2), "10")
        XCTAssertEqual(NumberText.trimmed(-0.001, maxDecimals: 2), "0")
        XCTAssertEqual(NumberText.trimmed(2.25, maxDecimals: 2), "2.25")
        XCTAssertEqual(NumberText.trimmed(1200, maxDecimals: 2), "1200")
        XCTAssertEqual(NumberText.trimmed(.nan, maxDecimals: 2, nonFinite: "0"), "0")
        XCTAssertEqual(NumberText.significant(12.5, 6), "12.5")
        XCTAssertEqual(NumberText.significant(0.25, 6), "0.25")
        XCTAssertEqual(NumberText.significant(1200, 6), "1200")
        XCTAssertEqual(NumberText.significant(189.999997615814, 6), "190")
        XCTAssertEqual(NumberText.significant(1.2e-5, 6), "1.2e-05")
        XCTAssertEqual(
            NumberText.significant(1.2e-5, 2), "1e-05", "outside 1e-4...1e15: %g with digits - 1 significant digits")
        XCTAssertEqual(NumberText.significant(-0.0, 6), "0")
        XCTAssertEqual(NumberText.significant(.nan, 6), "nan")
        XCTAssertEqual(NumberText.significant(-.infinity, 6), "-inf")
    }
}

/// Durations in words for reports.
final class DurationWordsTests: XCTestCase {
    func testWords_tenthsBelowTenSeconds_minutesAndHoursAbove() {
        XCTAssertEqual(DurationText.words(0.42), "0.4 s")
        XCTAssertEqual(DurationText.words(42.4), "42 s")
        XCTAssertEqual(DurationText.words(252), "4 min 12 s")
        XCTAssertEqual(DurationText.words(7500), "2 h 05 min")
        XCTAssertEqual(DurationText.words(-1), "unknown")
    }
}
