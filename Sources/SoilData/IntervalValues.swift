import Foundation

/// Columns of a table that gives values per depth interval directly: one id column, one column per depth.
public struct IntervalColumns: Sendable, Equatable {
    /// The site id column.
    public var id: String
    /// One value column per depth interval, in the order of the depths.
    public var columns: [String]
    /// Factor applied to every value (e.g. 0.1 for g/kg → %).
    public var valueScale: Double
    /// Plausible values (after `valueScale`); values outside are left missing and counted. nil: any finite value.
    public var validRange: ValidRange?
    /// The configuration section named in errors, e.g. "intervals" → key intervals.columns.
    public var keyPrefix: String

    /// Names the columns; `valueScale` (> 0) multiplies every value read.
    public init(
        id: String, columns: [String], valueScale: Double = 1, validRange: ValidRange? = nil,
        keyPrefix: String = "intervals"
    ) {
        precondition(valueScale.isFinite && valueScale > 0, "IntervalColumns: valueScale must be finite and positive")
        self.id = id
        self.columns = columns
        self.valueScale = valueScale
        self.validRange = validRange
        self.keyPrefix = keyPrefix
    }
}

/// Reads one row per site with a value per depth interval. Missing (empty/NA/NaN) and non-numeric values,
/// and values outside `columns.validRange` (`outOfRange`), become nil and are counted; a row with no value
/// at all is skipped (`emptyProfile`); an empty id is skipped; a repeated id is an error naming both lines;
/// a header without rows or no usable row is an error.
public func loadIntervalValues(
    path: String, columns: IntervalColumns, depths: [DepthInterval]
) throws
    -> (profiles: [SiteProfile], issues: DataIssues)
{
    precondition(
        columns.columns.count == depths.count,
        "loadIntervalValues: \(columns.columns.count) value columns for \(depths.count) depths")
    let table = try CSVTable(path: path)
    let p = columns.keyPrefix
    let idCol = try table.column(columns.id, role: "the site id column, key \(p).id_column")
    let valueCols = try zip(columns.columns, depths).map { name, depth in
        try table.column(name, role: "the \(depth.label) value column, key \(p).columns")
    }
    try table.requireRows("site")
    var issues = DataIssues()
    var profiles: [SiteProfile] = []
    var ids = SiteIDs(path: path, header: table.header[idCol], duplicateAdvice: "give one row per site")
    for (row, line) in zip(table.rows, table.lines) {
        guard let id = try ids.read(row[idCol], line: line, issues: &issues) else { continue }
        var values: [Double?] = []
        var rowIssues: [DataIssue] = []
        for (col, depth) in zip(valueCols, depths) {
            switch parseNumber(row[col]) {
            case .value(let v):
                let scaled = v * columns.valueScale
                if let range = columns.validRange, !range.contains(scaled) {
                    values.append(nil)
                    let note =
                        columns.valueScale == 1
                        ? "" : " (\(formatShort(scaled)) after value_scale \(formatShort(columns.valueScale)))"
                    rowIssues.append(
                        DataIssue(
                            kind: .outOfRange, file: path, line: line, siteID: id,
                            message:
                                "value \(row[col].trimmingCharacters(in: .whitespaces)) for \(depth.label) in column "
                                + "'\(table.header[col])'\(note) is outside the plausible range \(range)",
                            action: "left \(depth.label) missing"))
                } else {
                    values.append(scaled)
                }
            case .missing:
                values.append(nil)
                rowIssues.append(
                    DataIssue(
                        kind: .missingValue, file: path, line: line, siteID: id,
                        message: "no value for \(depth.label) in column '\(table.header[col])'",
                        action: "left \(depth.label) missing"))
            case .invalid(let text):
                values.append(nil)
                rowIssues.append(
                    DataIssue(
                        kind: .nonNumeric, file: path, line: line, siteID: id,
                        message: "'\(text)' in column '\(table.header[col])' is not a number",
                        action: "left \(depth.label) missing"))
            }
        }
        for i in rowIssues { issues.append(i) }
        if values.allSatisfy({ $0 == nil }) {
            issues.append(
                DataIssue(
                    kind: .emptyProfile, file: path, line: line, siteID: id,
                    message: "site '\(id)' has no value at any depth", action: "skipped site"))
            continue
        }
        profiles.append(SiteProfile(siteID: id, values: values, line: line))
    }
    guard !profiles.isEmpty else {
        throw SoilDataError(
            .noUsableProfiles, path: path, line: nil,
            message:
                "\(path) has no site with a usable value (\(table.rows.count) rows); check \(p).columns")
    }
    return (profiles, issues)
}
