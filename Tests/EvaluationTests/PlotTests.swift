import TextFormat
import XCTest

@testable import Evaluation

#if canImport(FoundationXML)
    import FoundationXML
#endif

final class PlotTests: XCTestCase {
    func testAxisScale_niceTicksCoverTheRange() {
        let a = AxisScale.nice(min: 0.3, max: 9.7, targetTicks: 6)
        XCTAssertEqual(a.lower, 0)
        XCTAssertEqual(a.upper, 10)
        XCTAssertEqual(a.ticks, [0, 2, 4, 6, 8, 10])
        XCTAssertEqual(a.label(4), "4")

        let small = AxisScale.nice(min: 0, max: 0.057, targetTicks: 4, includeZero: true)
        XCTAssertEqual(small.ticks.map(small.label), ["0.00", "0.02", "0.04", "0.06"])

        let negative = AxisScale.nice(min: -3.2, max: 1.1, targetTicks: 5)
        XCTAssertLessThanOrEqual(negative.lower, -3.2)
        XCTAssertGreaterThanOrEqual(negative.upper, 1.1)
        XCTAssertTrue(negative.ticks.contains(0))
        XCTAssertFalse(negative.ticks.map(negative.label).contains("-0"))
    }

    func testAxisScale_degenerateAndMissingRangesStillDraw() {
        let flat = AxisScale.nice(min: 5, max: 5)
        XCTAssertLessThan(flat.lower, 5)
        XCTAssertGreaterThan(flat.upper, 5)
        let none = AxisScale.nice(min: .infinity, max: -.infinity)
        XCTAssertLessThan(none.lower, none.upper)
        XCTAssertEqual(AxisScale.integers([0, 3, 6]).ticks, [0, 1, 2, 3, 4, 5, 6])
    }

    func testSVGDocument_escapesTextAndIsWellFormed() throws {
        var doc = SVGDocument(width: 100, height: 50, title: "a < b & \"c\"")
        doc.text("R² & <RMSE>", x: 10.004, y: -0.001, size: 12, anchor: .middle)
        doc.beginClip(0, 0, 10, 10)
        doc.polyline([(x: 0, y: 0), (x: 1.5, y: 2.25)], stroke: "#000000")
        doc.endGroup()
        let text = doc.render()
        XCTAssertTrue(text.contains("R² &amp; &lt;RMSE&gt;"))
        XCTAssertTrue(text.contains("x=\"10\" y=\"0\""), "coordinates keep two decimals and never print -0")
        XCTAssertTrue(text.contains("<title>a &lt; b &amp; &quot;c&quot;</title>"))
        XCTAssertTrue(isWellFormedXML(text))
        XCTAssertFalse(isWellFormedXML("<svg><g></svg>"), "the checker itself must catch broken XML")
        XCTAssertFalse(isWellFormedXML("<svg><text>a < b</text></svg>"))
        XCTAssertFalse(isWellFormedXML("<svg>"))
    }

    func testKernelDensity_integratesToOne() {
        let values = [1.0, 2, 2.5, 3, 7, 7.5, 12]
        let h = KernelDensity.bandwidth(values)
        XCTAssertGreaterThan(h, 0)
        let grid = stride(from: -30.0, through: 50, by: 0.05).map { $0 }
        let density = KernelDensity.evaluate(values, at: grid, bandwidth: h)
        let area = zip(density.dropFirst(), density).map { ($0 + $1) / 2 * 0.05 }.reduce(0, +)
        XCTAssertEqual(area, 1, accuracy: 1e-6)
        XCTAssertGreaterThan(KernelDensity.bandwidth([4, 4, 4]), 0, "identical values still get a width")
    }

    func testTextFormatting_depthLabelsFileNamesAndNumbers() {
        XCTAssertEqual(TextFormatting.depthDisplay("0-5cm"), "0–5 cm")
        XCTAssertEqual(TextFormatting.depthDisplay("100-200"), "100–200 cm")
        XCTAssertEqual(TextFormatting.depthDisplay("topsoil"), "topsoil")
        XCTAssertEqual(TextFormatting.depthDisplay("all"), "Pooled over depths")
        XCTAssertEqual(TextFormatting.fileSafe("Random forest/v2"), "Random_forest_v2")
        XCTAssertEqual(
            EvaluationReport.scatterFileNames(["a b", "a/b", "c"]),
            ["scatter_a_b.svg", "scatter_a_b_2.svg", "scatter_c.svg"])
        XCTAssertEqual(NumberText.fixed(-0.0001, 2), "0.00")
        XCTAssertEqual(TextFormatting.csvNumber(.nan), "NA")
        XCTAssertEqual(CSVText.field("a,\"b\""), "\"a,\"\"b\"\"\"")
    }

    func testPalette_orderedColoursAreDistinctHex() {
        let colours = (0..<6).map { Palette.ordered($0, of: 6) }
        XCTAssertEqual(Set(colours).count, 6)
        XCTAssertTrue(colours.allSatisfy { $0.count == 7 && $0.hasPrefix("#") })
    }
}

/// Records the root element and the depth of nesting while parsing.
private final class XMLShape: NSObject, XMLParserDelegate {
    var root: String?
    var depth = 0
    var closedAll = false

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
        qualifiedName: String?, attributes: [String: String] = [:]
    ) {
        if root == nil { root = name }
        depth += 1
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        depth -= 1
        if depth == 0 { closedAll = true }
    }
}

/// True when `text` parses as XML with an `svg` root that is closed (Linux's XMLParser returns
/// true at a premature end, so its error and the element balance are checked too).
func isWellFormedXML(_ text: String) -> Bool {
    let parser = XMLParser(data: Data(text.utf8))
    let shape = XMLShape()
    parser.delegate = shape
    let ok = parser.parse()
    return ok && parser.parserError == nil && shape.root == "svg" && shape.depth == 0 && shape.closedAll
}
