import Foundation

/// A soil sampling site: an id and coordinates in the sites file's CRS.
public struct Site: Sendable, Equatable, Hashable {
    /// The site id (trimmed of surrounding spaces).
    public var id: String
    /// Easting or longitude.
    public var x: Double
    /// Northing or latitude.
    public var y: Double
    /// The 1-based CSV line the site came from.
    public var line: Int

    /// Makes a site.
    public init(id: String, x: Double, y: Double, line: Int) {
        self.id = id
        self.x = x
        self.y = y
        self.line = line
    }
}

/// Which columns of a sites table hold the id and the coordinates.
public struct SiteColumns: Sendable, Equatable {
    /// The site id column.
    public var id: String
    /// The x (easting/longitude) column.
    public var x: String
    /// The y (northing/latitude) column.
    public var y: String
    /// The configuration section named in errors, e.g. "sites" → key sites.x_column.
    public var keyPrefix: String

    /// Names the columns; `keyPrefix` is the pipeline section quoted in error messages.
    public init(id: String, x: String, y: String, keyPrefix: String = "sites") {
        self.id = id
        self.x = x
        self.y = y
        self.keyPrefix = keyPrefix
    }
}

/// Reads a sites table. Rows without a usable id or coordinate are skipped and counted.
///
/// A site may repeat on several rows (a long table that repeats the coordinates on every horizon row, so
/// the horizon table can serve as the sites table): a repeat with the same coordinates is counted as
/// `repeatedSiteRow` and the site kept once, from its first row; a repeat with other coordinates is an error
/// naming both lines. A header without rows, or a table where no row is usable, is an error.
public func loadSites(path: String, columns: SiteColumns) throws -> (sites: [Site], issues: DataIssues) {
    let table = try CSVTable(path: path)
    let p = columns.keyPrefix
    let idCol = try table.column(columns.id, role: "the site id column, key \(p).id_column")
    let xCol = try table.column(columns.x, role: "the site x column, key \(p).x_column")
    let yCol = try table.column(columns.y, role: "the site y column, key \(p).y_column")
    try table.requireRows("site")

    var issues = DataIssues()
    var sites: [Site] = []
    var indexOf: [String: Int] = [:]
    let ids = SiteIDs(path: path, header: table.header[idCol], duplicateAdvice: "")
    for (row, line) in zip(table.rows, table.lines) {
        guard let id = ids.trimmed(row[idCol], line: line, issues: &issues) else { continue }
        let earlier = indexOf[id].map { sites[$0] }
        var coords: [Double] = []
        var problem: DataIssue?
        let action = earlier.map { "skipped row; site kept from line \($0.line)" } ?? "skipped site"
        for col in [xCol, yCol] {
            switch parseNumber(row[col]) {
            case .value(let v): coords.append(v)
            case .missing:
                problem =
                    problem
                    ?? DataIssue(
                        kind: .missingCoordinate, file: path, line: line, siteID: id,
                        message: "site '\(id)' has no value in column '\(table.header[col])'", action: action)
            case .invalid(let text):
                problem =
                    problem
                    ?? DataIssue(
                        kind: .nonNumeric, file: path, line: line, siteID: id,
                        message: "site '\(id)': '\(text)' in column '\(table.header[col])' is not a number"
                            + decimalCommaHint(text),
                        action: action)
            }
        }
        if let problem {
            issues.append(problem)
            continue
        }
        if let earlier {
            guard earlier.x == coords[0], earlier.y == coords[1] else {
                throw SoilDataError(
                    .duplicateSite, path: path, line: line,
                    message: """
                        \(path): site id '\(id)' appears on line \(earlier.line) and line \(line) with different \
                        coordinates ((\(formatNumber(earlier.x)), \(formatNumber(earlier.y))) and \
                        (\(formatNumber(coords[0])), \(formatNumber(coords[1])))); a site may repeat on several rows \
                        only with the same coordinates: correct one of the lines, or give the sites distinct ids \
                        (column '\(table.header[idCol])', key \(p).id_column)
                        """)
            }
            issues.append(
                DataIssue(
                    kind: .repeatedSiteRow, file: path, line: line, siteID: id,
                    message: "site '\(id)' repeats line \(earlier.line) with the same coordinates",
                    action: "kept the site once"))
            continue
        }
        indexOf[id] = sites.count
        sites.append(Site(id: id, x: coords[0], y: coords[1], line: line))
    }
    guard !sites.isEmpty else {
        let first = issues.entries.first.map { ": first problem: \($0)" } ?? ""
        throw SoilDataError(
            .noUsableSites, path: path, line: nil,
            message:
                "none of the \(table.rows.count) rows of \(path) has a usable id and coordinates\(first); "
                + "check \(p).x_column and \(p).y_column")
    }
    return (sites, issues)
}

/// "; it has a decimal comma: write 148.5" when `text` is a number written with a decimal comma
/// ("148,5", "-33,25"), else "".
func decimalCommaHint(_ text: String) -> String {
    let parts = text.trimmingCharacters(in: .whitespaces).split(separator: ",", omittingEmptySubsequences: false)
    guard parts.count == 2, Double(parts[0]) != nil, !parts[1].isEmpty, parts[1].allSatisfy(\.isASCII),
        parts[1].allSatisfy(\.isNumber)
    else { return "" }
    let point = parts[0] + "." + parts[1]
    return "; it has a decimal comma: write \(point) (a point), e.g. export the table with '.' as the decimal separator"
}
