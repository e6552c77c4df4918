import XCTest

@testable import SoilData

final class CSVTableTests: XCTestCase {
    func testCSV_quotedFieldsKeepDelimitersNewlinesAndEscapedQuotes() throws {
        let t = try CSVTable(text: "id,note,v\n\"a,1\",\"said \"\"hi\"\"\",3\n\"b\",\"two\nlines\",4\n", path: "q.csv")
        XCTAssertEqual(t.header, ["id", "note", "v"])
        XCTAssertEqual(t.rows, [["a,1", "said \"hi\"", "3"], ["b", "two\nlines", "4"]])
        XCTAssertEqual(t.lines, [2, 3])
    }

    func testCSV_lineNumbersCountNewlinesInsideQuotesAndBlankLines() throws {
        let t = try CSVTable(text: "a,b\n1,\"x\ny\nz\"\n\n2,3\n", path: "l.csv")
        XCTAssertEqual(t.rows, [["1", "x\ny\nz"], ["2", "3"]])
        XCTAssertEqual(t.lines, [2, 6])
    }

    func testCSV_CRLFAndBOMAreHandled() throws {
        let dir = try TempDir()
        let path = try dir.write("crlf.csv", bytes: [0xEF, 0xBB, 0xBF] + Array("id,x\r\nA,1\r\n\"B\r\nC\",2\r\n".utf8))
        let t = try CSVTable(path: path)
        XCTAssertEqual(t.header, ["id", "x"], "the BOM must not stick to the first column name")
        XCTAssertEqual(t.rows, [["A", "1"], ["B\r\nC", "2"]])
        XCTAssertEqual(t.lines, [2, 3])
    }

    func testCSV_lastLineWithoutNewlineAndEmptyTrailingField() throws {
        let t = try CSVTable(text: "a,b\n1,\n2,\"\"", path: "e.csv")
        XCTAssertEqual(t.rows, [["1", ""], ["2", ""]])
    }

    func testCSV_otherDelimiter() throws {
        let t = try CSVTable(text: "a;b\n\"1;5\";2\n", path: "s.csv", delimiter: ";")
        XCTAssertEqual(t.rows, [["1;5", "2"]])
    }

    func testCSV_raggedRowErrorNamesFileAndLine() throws {
        let dir = try TempDir()
        let path = try dir.write("ragged.csv", "a,b,c\n1,2,3\n4,5\n")
        let e = soilError { _ = try CSVTable(path: path) }
        XCTAssertEqual(e?.kind, .raggedRow)
        XCTAssertEqual(e?.line, 3)
        XCTAssertTrue(
            e?.message.contains("\(path) line 3 has 2 fields but the header (line 1) has 3") ?? false,
            e?.message ?? "")
    }

    func testCSV_emptyFileErrorNamesFile() throws {
        let dir = try TempDir()
        let path = try dir.write("empty.csv", "")
        let e = soilError { _ = try CSVTable(path: path) }
        XCTAssertEqual(e?.kind, .emptyFile)
        XCTAssertTrue(e?.message.hasPrefix("\(path) is empty") ?? false, e?.message ?? "")
    }

    func testCSV_missingFileErrorNamesPath() {
        let e = soilError { _ = try CSVTable(path: "/nonexistent/dir/sites.csv") }
        XCTAssertEqual(e?.kind, .unreadableFile)
        XCTAssertTrue(e?.message.contains("/nonexistent/dir/sites.csv") ?? false)
    }

    func testCSV_unterminatedQuoteNamesLineWhereItOpened() {
        let e = soilError { _ = try CSVTable(text: "a,b\n1,2\n3,\"open\n4,5\n", path: "u.csv") }
        XCTAssertEqual(e?.kind, .malformedCSV)
        XCTAssertEqual(e?.line, 3)
        XCTAssertTrue(e?.message.contains("u.csv line 3") ?? false, e?.message ?? "")
    }

    func testCSV_textAfterClosingQuoteIsAnError() {
        let e = soilError { _ = try CSVTable(text: "a,b\n\"x\"y,2\n", path: "t.csv") }
        XCTAssertEqual(e?.kind, .malformedCSV)
        XCTAssertEqual(e?.line, 2)
    }

    func testColumn_missingErrorNamesColumnRoleKeyAndListsColumns() throws {
        let t = try CSVTable(text: "A,B,C\n1,2,3\n", path: "sites.csv")
        let e = soilError { _ = try t.column("LON", role: "the site x column, key sites.x_column") }
        XCTAssertEqual(e?.kind, .missingColumn)
        XCTAssertEqual(
            e?.message,
            "sites.csv has no column 'LON' (the site x column, key sites.x_column); columns are: A, B, C")
    }

    func testColumn_exactThenCaseInsensitiveMatch() throws {
        let t = try CSVTable(text: "Id, Lon ,lat\n1,2,3\n", path: "c.csv")
        XCTAssertEqual(try t.column("Id", role: "r"), 0)
        XCTAssertEqual(try t.column("LON", role: "r"), 1)
        XCTAssertEqual(try t.column("LAT", role: "r"), 2)
    }

    func testColumn_duplicateHeaderIsAmbiguous() throws {
        let t = try CSVTable(text: "a,b,a\n1,2,3\n", path: "d.csv")
        let e = soilError { _ = try t.column("a", role: "the id column") }
        XCTAssertEqual(e?.kind, .ambiguousColumn)
        XCTAssertTrue(e?.message.contains("columns 1, 3") ?? false, e?.message ?? "")
    }
}
