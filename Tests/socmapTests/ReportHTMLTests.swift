import Foundation
import TestSupport
import XCTest

/// report.html opened in a real browser: headless Chromium (Debian's `chromium`, `--no-sandbox` as
/// root) loads it, a check script reports the sections and whether every image loaded, and the page
/// is printed to PDF and a screenshot.
final class ReportHTMLTests: XCTestCase {
    /// Chromium's path; `missingClient` (a skip, a failure under `make test` and in CI) where it is missing.
    func chromium() throws -> String {
        for path in ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        where FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        throw missingClient("Chromium is not installed (apt-get install chromium, as `make test` does)")
    }

    /// Runs Chromium headless with `arguments` and returns its standard output.
    func runChromium(_ binary: String, _ arguments: [String], home: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--user-data-dir=\(home)/profile"
            ] + arguments
        process.environment = ["HOME": home, "PATH": "/usr/bin:/bin"]
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, String(decoding: errData, as: UTF8.self))
        return String(decoding: data, as: UTF8.self)
    }

    func testReportHTML_rendersEverySectionAndEveryImageInChromium() throws {
        let browser = try chromium()
        let p = try TinyProject()
        try p.editPipeline(
            "  size: 7\n",
            "  size: 7\n"
                + OutputFolderTests.quickTraining
                .replacingOccurrences(of: "  uncertainty: true\n", with: "  uncertainty: true\n  aoa: true\n")
                .replacingOccurrences(of: "  folds: 3\n", with: "  folds: 3\n  zones: geo\n"))
        let r = try CLI.run(["run", p.pipeline, "-q"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let html = try String(contentsOfFile: p.folder.file("out/report.html"), encoding: .utf8)
        // Self-contained: no reference to another file or the network.
        XCTAssertFalse(html.contains("src=\"http"), "no remote resource")
        XCTAssertFalse(html.contains("src=\"maps/") || html.contains("src=\"evaluation/"), "no link to a local file")
        XCTAssertFalse(html.contains("<?xml"), "SVGs are inlined without their XML declaration")

        // The check script runs after load and writes its findings into the DOM that --dump-dom prints.
        let check = """
            <script>
            window.addEventListener('load', () => {
              const images = [...document.images];
              const svgs = [...document.querySelectorAll('figure svg')];
              const result = {
                images: images.length,
                broken: images.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.alt),
                svgs: svgs.length,
                emptySVGs: svgs.filter(s => s.getBoundingClientRect().width < 10).length,
                sections: [...document.querySelectorAll('h2')].map(h => h.textContent),
                tables: document.querySelectorAll('table').length,
                links: [...document.querySelectorAll('nav a')]\
            .filter(a => !document.getElementById(a.getAttribute('href').slice(1))).length
              };
              const pre = document.createElement('pre');
              pre.id = 'socmap-check';
              pre.textContent = JSON.stringify(result);
              document.body.appendChild(pre);
            });
            </script>
            """
        let home = p.folder.file("chromium")
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let checked = p.folder.file("checked.html")
        try html.replacingOccurrences(of: "</body>", with: check + "\n</body>").write(
            toFile: checked, atomically: true, encoding: .utf8)
        let dom = try runChromium(
            browser, ["--virtual-time-budget=10000", "--dump-dom", "file://" + checked], home: home)
        let start = try XCTUnwrap(
            dom.range(of: "<pre id=\"socmap-check\">"), "the check script ran: \(dom.suffix(500))")
        let end = try XCTUnwrap(dom.range(of: "</pre>", range: start.upperBound..<dom.endIndex))
        let json = String(dom[start.upperBound..<end.lowerBound]).replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&amp;", with: "&")
        print("report.html in Chromium: \(json)")
        let result = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any], json)
        let sections = try XCTUnwrap(result["sections"] as? [String])
        for expected in [
            "Cross-validation", "Grid", "Covariates", "Sites", "Data checks", "Samples per depth",
            "Area of applicability", "Outputs", "Cross-validation details", "Figures"
        ] {
            XCTAssertTrue(sections.contains { $0.hasPrefix(expected) }, "section '\(expected)' in \(sections)")
        }
        XCTAssertGreaterThanOrEqual(result["images"] as? Int ?? 0, 4, "contact sheets of the maps, bounds, DI and AOA")
        XCTAssertEqual(result["broken"] as? [String], [], "every image loads")
        XCTAssertGreaterThanOrEqual(result["svgs"] as? Int ?? 0, 4, "the evaluation plots, inline")
        XCTAssertEqual(result["emptySVGs"] as? Int, 0, "every plot has a size on the page")
        XCTAssertGreaterThanOrEqual(result["tables"] as? Int ?? 0, 5)
        XCTAssertEqual(result["links"] as? Int, 0, "every contents link has its target")
        for part in ["Accuracy by zone", "Depth consistency", "relative_bias_", "heldout", "Prediction intervals"] {
            XCTAssertTrue(html.contains(part), "report.html shows '\(part)'")
        }
        XCTAssertTrue(html.contains("PICP"))

        // It prints: a PDF with the figures, and a screenshot that is not blank.
        let pdf = p.folder.file("report.pdf")
        let png = p.folder.file("report.png")
        _ = try runChromium(
            browser, ["--print-to-pdf=" + pdf, "--no-pdf-header-footer", "file://" + p.folder.file("out/report.html")],
            home: home)
        let pdfData = try Data(contentsOf: URL(fileURLWithPath: pdf))
        XCTAssertEqual(String(decoding: pdfData.prefix(5), as: UTF8.self), "%PDF-")
        XCTAssertGreaterThan(pdfData.count, 50_000, "a PDF with figures")
        _ = try runChromium(
            browser, ["--screenshot=" + png, "--window-size=1280,1600", "file://" + p.folder.file("out/report.html")],
            home: home)
        let shot = try Data(contentsOf: URL(fileURLWithPath: png))
        XCTAssertEqual(Array(shot.prefix(4)), [0x89, 0x50, 0x4E, 0x47], "a PNG screenshot")
        XCTAssertGreaterThan(shot.count, 20_000, "the screenshot shows the page, not a blank")
    }
}
