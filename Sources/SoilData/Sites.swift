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

/// Reads a sites table. Rows without a usable id or coordinate are skipped and counted;
/// a repeated id, or a table where no row is usable, is an error.
public func loadSites(path: String, columns: SiteColumns) throws -> (sites: [Site], issues: DataIssues) {
    let table = try CSVTable(path: path)
    let p = columns.keyPrefix
    let idCol = try table.column(columns.id, role: "the site id column, key \(p).id_column")
    let xCol = try table.column(columns.x, role: "the site x column, key \(p).x_column")
    let yCol = try table.column(columns.y, role: "the site y column, key \(p).y_column")
    guard !table.rows.isEmpty else {
        throw SoilDataError(.noUsableSites, path: path, line: nil, message:
            "\(path) has a header but no rows: expected one row per site")
    }

    var issues = DataIssues()
    var sites: [Site] = []
    var ids = SiteIDs(path: path, header: table.header[idCol], duplicateAdvice:
        "site ids must be unique (check the column given by \(p).id_column, '\(table.header[idCol])')")
    for (row, line) in zip(table.rows, table.lines) {
        guard let id = try ids.read(row[idCol], line: line, issues: &issues) else { continue }
        var coords: [Double] = []
        var problem: DataIssue?
        for col in [xCol, yCol] {
            switch parseNumber(row[col]) {
            case .value(let v): coords.append(v)
            case .missing:
                problem = problem ?? DataIssue(kind: .missingCoordinate, file: path, line: line, siteID: id,
                    message: "site '\(id)' has no value in column '\(table.header[col])'", action: "skipped site")
            case .invalid(let text):
                problem = problem ?? DataIssue(kind: .nonNumeric, file: path, line: line, siteID: id,
                    message: "site '\(id)': '\(text)' in column '\(table.header[col])' is not a number",
                    action: "skipped site")
            }
        }
        if let problem {
            issues.append(problem)
            continue
        }
        sites.append(Site(id: id, x: coords[0], y: coords[1], line: line))
    }
    guard !sites.isEmpty else {
        let first = issues.entries.first.map { ": first problem: \($0)" } ?? ""
        throw SoilDataError(.noUsableSites, path: path, line: nil, message:
            "none of the \(table.rows.count) rows of \(path) has a usable id and coordinates\(first); "
            + "check \(p).x_column and \(p).y_column")
    }
    return (sites, issues)
}
