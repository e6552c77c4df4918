import Foundation

/// Columns of a table that gives values per depth interval directly: one id column, one column per depth.
public struct IntervalColumns: Sendable, Equatable {
    /// The site id column.
    public var id: String
    /// One value column per depth interval, in the order of the depths.
    public var columns: [String]
    /// Factor applied to every value (e.g. 0.1 for g/kg → %).
    public var valueScale: Double
    /// The configuration section named in errors, e.g. "intervals" → key intervals.columns.
    public var keyPrefix: String

    /// Names the columns; `valueScale` multiplies every value read.
    public init(id: String, columns: [String], valueScale: Double = 1, keyPrefix: String = "intervals") {
        precondition(valueScale.isFinite && valueScale != 0, "IntervalColumns: valueScale must be finite and non-zero")
        self.id = id
        self.columns = columns
        self.valueScale = valueScale
        self.keyPrefix = keyPrefix
    }
}

/// Reads one row per site with a value per depth interval. Missing (empty/NA/NaN) and non-numeric values
/// become nil and are counted; a row with no value at all is skipped (`emptyProfile`); an empty id is
/// skipped; a repeated id is an error naming both lines; no usable row is an error.
public func loadIntervalValues(path: String, columns: IntervalColumns, depths: [DepthInterval]) throws
    -> (profiles: [SiteProfile], issues: DataIssues) {
    precondition(columns.columns.count == depths.count,
                 "loadIntervalValues: \(columns.columns.count) value columns for \(depths.count) depths")
    let table = try CSVTable(path: path)
    let p = columns.keyPrefix
    let idCol = try table.column(columns.id, role: "the site id column, key \(p).id_column")
    let valueCols = try zip(columns.columns, depths).map { name, depth in
        try table.column(name, role: "the \(depth.label) value column, key \(p).columns")
    }
    var issues = DataIssues()
    var profiles: [SiteProfile] = []
    var ids = SiteIDs(path: path, header: table.header[idCol], duplicateAdvice: "give one row per site")
    for (row, line) in zip(table.rows, table.lines) {
        guard let id = try ids.read(row[idCol], line: line, issues: &issues) else { continue }
        var values: [Double?] = []
        var rowIssues: [DataIssue] = []
        for (col, depth) in zip(valueCols, depths) {
            switch parseNumber(row[col]) {
            case .value(let v): values.append(v * columns.valueScale)
            case .missing:
                values.append(nil)
                rowIssues.append(DataIssue(kind: .missingValue, file: path, line: line, siteID: id,
                    message: "no value for \(depth.label) in column '\(table.header[col])'", action: "left \(depth.label) missing"))
            case .invalid(let text):
                values.append(nil)
                rowIssues.append(DataIssue(kind: .nonNumeric, file: path, line: line, siteID: id,
                    message: "'\(text)' in column '\(table.header[col])' is not a number", action: "left \(depth.label) missing"))
            }
        }
        for i in rowIssues { issues.append(i) }
        if values.allSatisfy({ $0 == nil }) {
            issues.append(DataIssue(kind: .emptyProfile, file: path, line: line, siteID: id,
                message: "site '\(id)' has no value at any depth", action: "skipped site"))
            continue
        }
        profiles.append(SiteProfile(siteID: id, values: values, line: line))
    }
    guard !profiles.isEmpty else {
        throw SoilDataError(.noUsableProfiles, path: path, line: nil, message:
            "\(path) has no site with a usable value (\(table.rows.count) rows); check \(p).columns")
    }
    return (profiles, issues)
}
