import Foundation

/// Site ids of a one-row-per-site table, read row by row: an empty id is counted and the row
/// skipped, a repeated id is an error naming both lines (shared by the sites and interval loaders; the sites
/// loader uses only `trimmed` and accepts repeats whose coordinates agree).
struct SiteIDs {
    /// The table's path, for messages.
    let path: String
    /// Header of the id column.
    let header: String
    /// What to tell the user about a repeated id, after "appears on line a and line b; ".
    let duplicateAdvice: String
    private var firstLine: [String: Int] = [:]

    init(path: String, header: String, duplicateAdvice: String) {
        self.path = path
        self.header = header
        self.duplicateAdvice = duplicateAdvice
    }

    /// The trimmed id of a row, or nil (noted in `issues`) when it is empty; repeats are not checked.
    func trimmed(_ raw: String, line: Int, issues: inout DataIssues) -> String? {
        let id = raw.trimmingCharacters(in: .whitespaces)
        if id.isEmpty {
            issues.append(
                DataIssue(
                    kind: .missingID, file: path, line: line, siteID: nil,
                    message: "empty site id in column '\(header)'", action: "skipped site"))
            return nil
        }
        return id
    }

    /// The trimmed id of a row, or nil (noted in `issues`) when it is empty; throws when the id repeats.
    mutating func read(_ raw: String, line: Int, issues: inout DataIssues) throws -> String? {
        guard let id = trimmed(raw, line: line, issues: &issues) else { return nil }
        if let earlier = firstLine[id] {
            throw SoilDataError(
                .duplicateSite, path: path, line: line,
                message:
                    "\(path): site id '\(id)' appears on line \(earlier) and line \(line); \(duplicateAdvice)")
        }
        firstLine[id] = line
        return id
    }
}
