import FileIO
import Foundation
import Workspace

/// The run's report files, written from its record alone: report.json (the record), report.md and
/// report.html (rendered from it, the page last, since it reads report.md and the evaluation's files).
public enum ReportFiles {
    /// Writes report.md, report.json and report.html into `layout` (a staging folder); returns report.md's text.
    @discardableResult
    public static func write(_ record: RunRecord, to layout: OutputLayout) throws -> String {
        let markdown = MarkdownReport.render(record)
        try AtomicFile.write(Data(markdown.utf8), to: layout.path(OutputLayout.reportMarkdown))
        try AtomicFile.write(try record.json(), to: layout.path(OutputLayout.reportJSON))
        let html = try HTMLReport(record: record, layout: layout).html()
        try AtomicFile.write(Data(html.utf8), to: layout.path(OutputLayout.reportHTML))
        return markdown
    }
}
