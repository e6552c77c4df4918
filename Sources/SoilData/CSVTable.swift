import Foundation

/// A CSV file read whole (RFC 4180): quoted fields, "" escapes, CRLF or LF, optional UTF-8 BOM.
///
/// The first non-blank record is the header; blank lines are ignored; every other record
/// must have as many fields as the header. Quoted fields may span lines.
public struct CSVTable: Sendable {
    /// The file the table was read from (or the name given to `init(text:)`).
    public let path: String
    /// The column names, in file order.
    public let header: [String]
    /// The data records, each with `header.count` fields.
    public let rows: [[String]]
    /// The 1-based file line on which each row starts (the header is usually line 1).
    public let lines: [Int]
    /// The 1-based file line of the header.
    public let headerLine: Int

    /// Reads and parses a CSV file; errors name the file (and the line for malformed rows) and what to do.
    ///
    /// A missing path, a folder, an unreadable file, an empty file and text that is not UTF-8 (UTF-16 or
    /// UTF-32 with or without a byte-order mark, Latin-1, ...) are errors; a UTF-8 byte-order mark is skipped.
    public init(path: String, delimiter: Character = ",") throws {
        try self.init(bytes: try CSVFile.read(path), path: path, delimiter: delimiter)
    }

    /// Parses CSV text held in memory; `path` is used in error messages.
    public init(text: String, path: String = "<text>", delimiter: Character = ",") throws {
        try self.init(bytes: Array(text.utf8), path: path, delimiter: delimiter)
    }

    init(bytes: [UInt8], path: String, delimiter: Character) throws {
        precondition(
            delimiter.isASCII && delimiter != "\"" && !delimiter.isNewline,
            "CSVTable: the delimiter must be one ASCII character other than a quote or newline")
        try CSVFile.checkEncoding(bytes, path: path)
        let parsed = try CSVParser.parse(bytes, path: path, delimiter: delimiter.asciiValue!)
        guard let first = parsed.records.first else {
            throw SoilDataError(
                .emptyFile, path: path, line: nil,
                message:
                    "\(path) is empty: expected a header line with column names and then one row per record")
        }
        self.path = path
        self.header = first
        self.headerLine = parsed.lines[0]
        var rows: [[String]] = []
        var lines: [Int] = []
        rows.reserveCapacity(parsed.records.count - 1)
        for k in 1..<parsed.records.count {
            let r = parsed.records[k]
            if r.count != first.count {
                throw SoilDataError(
                    .raggedRow, path: path, line: parsed.lines[k],
                    message:
                        "\(path) line \(parsed.lines[k]) has \(r.count) field\(r.count == 1 ? "" : "s") but the header "
                        + "(line \(parsed.lines[0])) has \(first.count); check for a stray delimiter, an unquoted "
                        + "'\(Character(UnicodeScalar(delimiter.asciiValue!)))' inside a value, or a missing field")
            }
            rows.append(r)
            lines.append(parsed.lines[k])
        }
        self.rows = rows
        self.lines = lines
    }

    /// Throws when the table has a header but no rows; `what` names a row, e.g. "site" or "horizon".
    public func requireRows(_ what: String) throws {
        guard rows.isEmpty else { return }
        throw SoilDataError(
            .noRows, path: path, line: headerLine,
            message:
                "\(path) has a header (line \(headerLine)) but no rows: expected one row per \(what) below it")
    }

    /// The index of column `name`; `role` says what it is for, e.g. "the site x column, key sites.x_column".
    ///
    /// An exact match wins; otherwise a unique case- and space-insensitive match is accepted.
    public func column(_ name: String, role: String) throws -> Int {
        let exact = header.indices.filter { header[$0] == name }
        if exact.count == 1 { return exact[0] }
        if exact.count > 1 {
            throw SoilDataError(
                .ambiguousColumn, path: path, line: headerLine,
                message: """
                    \(path) has \(exact.count) columns named '\(name)' (columns \
                    \(exact.map { String($0 + 1) }.joined(separator: ", "))) for \(role); rename all but one
                    """)
        }
        func norm(_ s: String) -> String { s.trimmingCharacters(in: .whitespaces).lowercased() }
        let loose = header.indices.filter { norm(header[$0]) == norm(name) }
        if loose.count == 1 { return loose[0] }
        if loose.count > 1 {
            throw SoilDataError(
                .ambiguousColumn, path: path, line: headerLine,
                message:
                    "\(path) has no column exactly '\(name)' (\(role)) and several that differ only in case or spaces: "
                    + loose.map { "'\(header[$0])'" }.joined(separator: ", ") + "; give the exact name")
        }
        throw SoilDataError(
            .missingColumn, path: path, line: headerLine,
            message:
                "\(path) has no column '\(name)' (\(role)); columns are: \(header.joined(separator: ", "))")
    }
}

/// The byte-level RFC 4180 state machine behind `CSVTable`.
enum CSVParser {
    static let quote = UInt8(ascii: "\"")
    static let cr = UInt8(ascii: "\r")
    static let lf = UInt8(ascii: "\n")

    /// All non-blank records with the line each starts on.
    static func parse(_ bytes: [UInt8], path: String, delimiter: UInt8) throws -> (records: [[String]], lines: [Int]) {
        var records: [[String]] = []
        var lines: [Int] = []
        var record: [String] = []
        var field: [UInt8] = []
        var line = 1
        var recordLine = 1
        var inQuotes = false
        var quoteLine = 1
        var afterQuote = false  // just closed a quoted field
        var fieldQuoted = false  // the current field was quoted

        func endField() {
            record.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            afterQuote = false
        }
        func endRecord() {
            // A line holding nothing at all is blank and skipped; a line holding "" is a record.
            if !(record.count == 1 && record[0].isEmpty && !fieldQuoted) {
                records.append(record)
                lines.append(recordLine)
            }
            record.removeAll(keepingCapacity: true)
            fieldQuoted = false
        }

        try bytes.withUnsafeBufferPointer { buf in
            var i = 0
            let n = buf.count
            if n >= 3, buf[0] == 0xEF, buf[1] == 0xBB, buf[2] == 0xBF { i = 3 }
            while i < n {
                let c = buf[i]
                if inQuotes {
                    if c == quote {
                        if i + 1 < n, buf[i + 1] == quote {
                            field.append(quote)
                            i += 2
                            continue
                        }
                        inQuotes = false
                        afterQuote = true
                        i += 1
                        continue
                    }
                    if c == lf || (c == cr && !(i + 1 < n && buf[i + 1] == lf)) { line += 1 }
                    field.append(c)
                    i += 1
                    continue
                }
                if c == delimiter {
                    endField()
                    fieldQuoted = false
                    i += 1
                    continue
                }
                if c == cr || c == lf {
                    endField()
                    endRecord()
                    if c == cr, i + 1 < n, buf[i + 1] == lf { i += 1 }
                    i += 1
                    line += 1
                    recordLine = line
                    continue
                }
                if afterQuote {
                    throw SoilDataError(
                        .malformedCSV, path: path, line: line,
                        message:
                            "\(path) line \(line): unexpected text after a closing quote; a quoted field must end at a "
                            + "delimiter or line end (write a quote inside a quoted field as \"\")")
                }
                if c == quote {
                    if field.isEmpty {
                        inQuotes = true
                        fieldQuoted = true
                        quoteLine = line
                        i += 1
                        continue
                    }
                    throw SoilDataError(
                        .malformedCSV, path: path, line: line,
                        message:
                            "\(path) line \(line): a quote inside an unquoted field; quote the whole field and write "
                            + "the inner quote as \"\"")
                }
                field.append(c)
                i += 1
            }
        }
        if inQuotes {
            throw SoilDataError(
                .malformedCSV, path: path, line: quoteLine,
                message:
                    "\(path) line \(quoteLine): a quoted field is never closed; add the closing quote")
        }
        if !field.isEmpty || !record.isEmpty || afterQuote || fieldQuoted {
            endField()
            endRecord()
        }
        return (records, lines)
    }
}
