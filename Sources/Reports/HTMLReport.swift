import Foundation
import TextFormat
import Workspace

/// report.html: one self-contained page a person opens, readable without the other files. It
/// holds report.md, the cross-validation summary (evaluation/summary.md) and every figure the run
/// made: the evaluation plots inline as SVG, and the PNGs of evaluation/ and evaluation/plots/ (the
/// held-out relative bias) and the maps' contact sheets embedded as data. Built from the files in the run's (staging)
/// output folder, so whatever a stage adds to report.md or the plots folder appears here too.
public struct HTMLReport {
    /// The run's report.md text (`MarkdownReport.render` of the run's record).
    public var markdown: String
    /// The folder the run writes into (the staging folder while it runs).
    public var layout: OutputLayout

    /// The page of a run's record, with the figures of the run's (staging) folder `layout`.
    public init(record: RunRecord, layout: OutputLayout) {
        self.markdown = MarkdownReport.render(record)
        self.layout = layout
    }

    /// One figure: a caption and its HTML (an inline <svg> or an <img> with a data URL).
    struct Figure {
        var caption: String
        var html: String
    }

    /// The whole page.
    public func html() throws -> String {
        let title =
            markdown.split(separator: "\n").first { $0.hasPrefix("# ") }.map { String($0.dropFirst(2)) } ?? "SOCMap run"
        var sections: [(id: String, title: String)] = markdown.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("## ") else { return nil }
            let text = String(line.dropFirst(3))
            return (MarkdownHTML.slug(text), text)
        }
        var body = MarkdownHTML.render(markdown)
        let summaryPath = (layout.evaluationFolder as NSString).appendingPathComponent("summary.md")
        if let summary = try? String(contentsOfFile: summaryPath, encoding: .utf8) {
            // summary.md's own title is dropped: the section heading says what it is.
            let text = summary.split(separator: "\n", omittingEmptySubsequences: false)
                .drop { $0.hasPrefix("# ") }.joined(separator: "\n")
            sections.append(("cross-validation-details", "Cross-validation details"))
            body +=
                "\n<h2 id=\"cross-validation-details\">Cross-validation details</h2>\n"
                + MarkdownHTML.render(text, headingShift: 1, idPrefix: "cv-")
        }
        let plotsFolder = (layout.evaluationFolder as NSString).appendingPathComponent("plots")
        let pictures =
            try pngFigures(in: plotsFolder, only: { _ in true })
            + pngFigures(in: layout.evaluationFolder, only: { _ in true })
            + pngFigures(in: layout.mapsFolder, only: { $0.hasSuffix("_contact_sheet.png") })
        let plots = try svgFigures(in: plotsFolder)
        if !plots.isEmpty || !pictures.isEmpty {
            sections.append(("figures", "Figures"))
            body += "\n<h2 id=\"figures\">Figures</h2>\n"
            if !plots.isEmpty {
                body +=
                    "<h3 id=\"figures-evaluation\">Cross-validation plots</h3>\n"
                    + plots.map(figure).joined(separator: "\n")
            }
            if !pictures.isEmpty {
                body +=
                    "\n<h3 id=\"figures-maps\">Maps and held-out sites</h3>\n"
                    + pictures.map(figure).joined(separator: "\n")
            }
        }
        let toc =
            "<nav><strong>Contents</strong><ul>\n"
            + sections.map { "<li><a href=\"#\($0.id)\">\(MarkdownHTML.escape($0.title))</a></li>" }.joined(
                separator: "\n")
            + "\n</ul></nav>"
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="generator" content="SOCMap">
            <title>\(MarkdownHTML.escape(title))</title>
            <style>\(Self.style)</style>
            </head>
            <body>
            \(toc)
            <main>
            \(body)
            </main>
            </body>
            </html>

            """
    }

    func figure(_ f: Figure) -> String {
        "<figure>\(f.html)<figcaption>\(MarkdownHTML.escape(f.caption))</figcaption></figure>"
    }

    /// Every .svg of a folder, sorted by name, inline; each figure's ids get a prefix of their own so
    /// two plots' clip paths never collide.
    func svgFigures(in folder: String) throws -> [Figure] {
        try files(in: folder, suffix: ".svg").enumerated().map { k, name in
            var svg = try String(contentsOfFile: (folder as NSString).appendingPathComponent(name), encoding: .utf8)
            // no XML declaration inside HTML
            if let start = svg.range(of: "<svg") { svg = String(svg[start.lowerBound...]) }
            let prefix = "f\(k + 1)-"
            svg = svg.replacingOccurrences(of: " id=\"", with: " id=\"\(prefix)")
                .replacingOccurrences(of: "url(#", with: "url(#\(prefix)")
                .replacingOccurrences(of: "href=\"#", with: "href=\"#\(prefix)")
            return Figure(caption: "evaluation/plots/" + name, html: svg)
        }
    }

    /// The PNGs of a folder whose names pass `only`, sorted by name, as data URLs.
    func pngFigures(in folder: String, only: (String) -> Bool) throws -> [Figure] {
        let relative = String(folder.dropFirst(layout.root.count)).trimmingCharacters(
            in: CharacterSet(charactersIn: "/"))
        return try files(in: folder, suffix: ".png").filter(only).map { name in
            let data = try Data(contentsOf: URL(fileURLWithPath: (folder as NSString).appendingPathComponent(name)))
            return Figure(
                caption: relative + "/" + name,
                html: """
                    <img alt="\(MarkdownHTML.escape(name))" src="data:image/png;base64,\(data.base64EncodedString())">
                    """
            )
        }
    }

    /// Regular files of `folder` ending in `suffix`, sorted; none when the folder does not exist.
    func files(in folder: String, suffix: String) throws -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        return names.filter { $0.hasSuffix(suffix) && !$0.hasPrefix(".") }.sorted()
    }

    /// The page's style: readable tables, figures scaled to the page, printable.
    static let style = """
        body{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;margin:0;color:#222;line-height:1.45}
        nav{position:sticky;top:0;background:#f4f6f8;border-bottom:1px solid #ccd;padding:.5em 1.5em;font-size:.9em}
        nav ul{display:inline;margin:0;padding:0}nav li{display:inline;margin-left:1em}
        main{max-width:1200px;margin:0 auto;padding:1em 1.5em 3em}
        h1{font-size:1.6em}h2{border-bottom:2px solid #4a7;padding-bottom:.2em;margin-top:2em}
        table{border-collapse:collapse;margin:.8em 0;font-size:.85em}
        th,td{border:1px solid #ccd;padding:.25em .5em;text-align:left;vertical-align:top}
        th{background:#eef2f5}td.right,th.right{text-align:right}td.center,th.center{text-align:center}
        tbody tr:nth-child(even){background:#fafbfc}
        code{background:#f1f1f1;padding:0 .2em;border-radius:3px;font-size:.9em}
        pre{background:#f6f6f6;padding:.6em;overflow-x:auto}
        figure{margin:1.5em 0;page-break-inside:avoid}figure svg,figure img{max-width:100%;height:auto}
        figcaption{font-size:.85em;color:#555}
        @media print{nav{display:none}h2{page-break-before:auto}}
        """
}
