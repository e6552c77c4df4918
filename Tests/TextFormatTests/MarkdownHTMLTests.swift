import TextFormat
import XCTest

/// The Markdown subset of report.md and summary.md rendered as HTML.
final class MarkdownHTMLTests: XCTestCase {
    func testHeadingsParagraphsAndLists() {
        let html = MarkdownHTML.render(
            "# Run: a<b\n\nSome *text* and **bold** `x < y`\nwrapped.\n\n## Grid (10 km)\n\n- one\n  more\n- two\n")
        XCTAssertEqual(
            html,
            """
            <h1 id="run-a-b">Run: a&lt;b</h1>
            <p>Some <em>text</em> and <strong>bold</strong> <code>x &lt; y</code> wrapped.</p>
            <h2 id="grid-10-km">Grid (10 km)</h2>
            <ul>
            <li>one more</li>
            <li>two</li>
            </ul>
            """)
    }

    func testTablesWithAlignmentAndEscapedPipes() {
        let html = MarkdownHTML.render("| a | b |\n|---|---:|\n| **1** | x \\| y |\n")
        XCTAssertEqual(
            html,
            """
            <table>
            <thead><tr><th>a</th><th class="right">b</th></tr></thead>
            <tbody>
            <tr><td><strong>1</strong></td><td class="right">x | y</td></tr>
            </tbody>
            </table>
            """)
    }

    func testHeadingShiftPrefixAndRepeatedIDs_codeBlocks_noRawHTML() {
        let html = MarkdownHTML.render(
            "# T\n## A\n## A\n```\n<b>raw</b>\n```\n<script>x</script> 2 * 3 * 4\n", headingShift: 1, idPrefix: "cv-")
        XCTAssertTrue(html.contains("<h2 id=\"cv-t\">T</h2>"), html)
        XCTAssertTrue(html.contains("<h3 id=\"cv-a\">A</h3>\n<h3 id=\"cv-a-2\">A</h3>"), html)
        XCTAssertTrue(html.contains("<pre><code>&lt;b&gt;raw&lt;/b&gt;</code></pre>"), html)
        XCTAssertTrue(
            html.contains("<p>&lt;script&gt;x&lt;/script&gt; 2 * 3 * 4</p>"),
            "spaced asterisks are not emphasis: \(html)")
        XCTAssertEqual(MarkdownHTML.slug("Cross-validation (10 folds, 652 s)"), "cross-validation-10-folds-652-s")
        XCTAssertEqual(MarkdownHTML.slug("—"), "section")
    }
}
