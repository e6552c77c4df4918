import Foundation

/// The Markdown that SOCMap writes (report.md, summary.md) as HTML: ATX headings, paragraphs,
/// "- " lists, pipe tables with `---:` alignment, fenced code, and inline `code`, **bold** and
/// *italic*. Not a general Markdown renderer: what it does not know it shows as escaped text,
/// never as raw HTML.
public enum MarkdownHTML {
    /// The HTML of `markdown`. Headings are shifted down by `headingShift` levels (at most h6) and
    /// get an id from `idPrefix` and their text, e.g. "cross-validation-10-folds-652-s".
    public static func render(_ markdown: String, headingShift: Int = 0, idPrefix: String = "") -> String {
        var html: [String] = []
        var paragraph: [String] = []
        var list: [String] = []
        var table: [[String]] = []
        var code: [String]?
        var usedIDs: [String: Int] = [:]

        func flushParagraph() {
            if !paragraph.isEmpty { html.append("<p>" + inline(paragraph.joined(separator: " ")) + "</p>") }
            paragraph = []
        }
        func flushList() {
            if !list.isEmpty {
                html.append("<ul>\n" + list.map { "<li>" + inline($0) + "</li>" }.joined(separator: "\n") + "\n</ul>")
            }
            list = []
        }
        func flushTable() {
            if !table.isEmpty { html.append(renderTable(table)) }
            table = []
        }
        func flushAll() {
            flushParagraph()
            flushList()
            flushTable()
        }

        for raw in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw)
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if var block = code {
                if trimmed.hasPrefix("```") {
                    html.append("<pre><code>" + escape(block.joined(separator: "\n")) + "</code></pre>")
                    code = nil
                } else {
                    block.append(line)
                    code = block
                }
                continue
            }
            if trimmed.hasPrefix("```") {
                flushAll()
                code = []
                continue
            }
            if trimmed.isEmpty {
                flushAll()
                continue
            }
            if let (level, text) = heading(trimmed) {
                flushAll()
                let h = min(6, level + headingShift)
                var id = idPrefix + slug(text)
                if let n = usedIDs[id] {
                    usedIDs[id] = n + 1
                    id += "-\(n + 1)"
                } else {
                    usedIDs[id] = 1
                }
                html.append("<h\(h) id=\"\(escape(id))\">" + inline(text) + "</h\(h)>")
                continue
            }
            if trimmed.hasPrefix("|") {
                flushParagraph()
                flushList()
                table.append(cells(trimmed))
                continue
            }
            if trimmed.hasPrefix("- ") || trimmed.hasPrefix("* ") {
                flushParagraph()
                flushTable()
                list.append(String(trimmed.dropFirst(2)))
                continue
            }
            if !list.isEmpty, line.hasPrefix("  ") {  // a list item's continuation line
                list[list.count - 1] += " " + trimmed
                continue
            }
            flushList()
            flushTable()
            paragraph.append(trimmed)
        }
        if let block = code { html.append("<pre><code>" + escape(block.joined(separator: "\n")) + "</code></pre>") }
        flushAll()
        return html.joined(separator: "\n")
    }

    /// The level and text of an ATX heading line ("## Grid" -> (2, "Grid")), nil for other lines.
    static func heading(_ line: String) -> (Int, String)? {
        let hashes = line.prefix { $0 == "#" }.count
        guard (1...6).contains(hashes), line.dropFirst(hashes).first == " " else { return nil }
        return (hashes, line.dropFirst(hashes + 1).trimmingCharacters(in: .whitespaces))
    }

    /// The cells of a table row, "| a | b |" -> ["a", "b"] (an escaped "\|" stays in its cell).
    static func cells(_ row: String) -> [String] {
        var body = Substring(row)
        if body.hasPrefix("|") { body = body.dropFirst() }
        if body.hasSuffix("|") && !body.hasSuffix("\\|") { body = body.dropLast() }
        var out: [String] = []
        var current = ""
        var previous: Character = " "
        for ch in body {
            if ch == "|" && previous != "\\" {
                out.append(current)
                current = ""
            } else {
                current.append(ch)
            }
            previous = ch
        }
        out.append(current)
        return out.map { $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "\\|", with: "|") }
    }

    /// A table: the first row is the header when the second is a separator ("---", ":--", "--:").
    static func renderTable(_ rows: [[String]]) -> String {
        let isSeparator = { (row: [String]) in
            !row.isEmpty && row.allSatisfy { c in !c.isEmpty && c.allSatisfy { "-:".contains($0) } && c.contains("-") }
        }
        var alignments: [String?] = []
        var header: [String]?
        var body = rows
        if rows.count >= 2, isSeparator(rows[1]) {
            header = rows[0]
            alignments = rows[1].map { c in
                c.hasPrefix(":") && c.hasSuffix(":") ? "center" : c.hasSuffix(":") ? "right" : nil
            }
            body = Array(rows.dropFirst(2))
        }
        func cell(_ tag: String, _ text: String, _ column: Int) -> String {
            let align = column < alignments.count ? alignments[column] : nil
            return "<\(tag)" + (align.map { " class=\"\($0)\"" } ?? "") + ">" + inline(text) + "</\(tag)>"
        }
        var out = "<table>\n"
        if let header {
            out += "<thead><tr>" + header.enumerated().map { cell("th", $1, $0) }.joined() + "</tr></thead>\n"
        }
        out += "<tbody>\n"
        for row in body { out += "<tr>" + row.enumerated().map { cell("td", $1, $0) }.joined() + "</tr>\n" }
        return out + "</tbody>\n</table>"
    }

    /// Inline markup: `code` first (its content is literal), then **bold** and *italic*.
    static func inline(_ text: String) -> String {
        var out = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "`") {
            let after = rest.index(after: open)
            guard let close = rest[after...].firstIndex(of: "`") else { break }
            out += emphasis(escape(String(rest[..<open]))) + "<code>" + escape(String(rest[after..<close])) + "</code>"
            rest = rest[rest.index(after: close)...]
        }
        return out + emphasis(escape(String(rest)))
    }

    /// **bold** and *italic* in already escaped text (unpaired markers stay as they are).
    static func emphasis(_ text: String) -> String {
        var out = replacingPairs(in: text, marker: "**", open: "<strong>", close: "</strong>")
        out = replacingPairs(in: out, marker: "*", open: "<em>", close: "</em>")
        return out
    }

    static func replacingPairs(in text: String, marker: String, open: String, close: String) -> String {
        let parts = text.components(separatedBy: marker)
        guard parts.count >= 3 else { return text }
        var out = parts[0]
        var i = 1
        while i < parts.count {
            if i + 1 < parts.count, !parts[i].isEmpty, parts[i].first != " ", parts[i].last != " " {
                out += open + parts[i] + close + parts[i + 1]
                i += 2
            } else {
                out += marker + parts[i]
                i += 1
            }
        }
        return out
    }

    /// "Cross-validation (10 folds, 652 s)" -> "cross-validation-10-folds-652-s".
    public static func slug(_ text: String) -> String {
        var out = ""
        var dash = false
        for scalar in text.lowercased().unicodeScalars {
            if CharacterSetASCII.isAlphanumeric(scalar) {
                out.unicodeScalars.append(scalar)
                dash = false
            } else if !dash && !out.isEmpty {
                out += "-"
                dash = true
            }
        }
        while out.hasSuffix("-") { out.removeLast() }
        return out.isEmpty ? "section" : out
    }

    /// HTML text escaping (`&`, `<`, `>`, `"`).
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(ch)
            }
        }
        return out
    }
}

/// ASCII letters and digits (ids stay plain ASCII).
enum CharacterSetASCII {
    static func isAlphanumeric(_ s: Unicode.Scalar) -> Bool {
        (s >= "a" && s <= "z") || (s >= "0" && s <= "9") || (s >= "A" && s <= "Z")
    }
}
