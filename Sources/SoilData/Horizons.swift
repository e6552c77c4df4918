import Foundation

/// One measured horizon (layer) of a soil profile.
public struct Horizon: Sendable, Equatable, Hashable {
    /// The site the horizon belongs to.
    public var siteID: String
    /// Upper depth, cm (already multiplied by `HorizonColumns.depthScale`).
    public var top: Double
    /// Lower depth, cm (already multiplied by `HorizonColumns.depthScale`).
    public var bottom: Double
    /// The measured value, already multiplied by `HorizonColumns.valueScale`.
    public var value: Double
    /// The 1-based CSV line the horizon came from.
    public var line: Int

    /// Makes a horizon.
    public init(siteID: String, top: Double, bottom: Double, value: Double, line: Int) {
        self.siteID = siteID
        self.top = top
        self.bottom = bottom
        self.value = value
        self.line = line
    }
}

/// Which columns of a horizons table hold the site id, depths and value.
public struct HorizonColumns: Sendable, Equatable {
    /// The site id column.
    public var id: String
    /// The upper depth column (cm).
    public var top: String
    /// The lower depth column (cm).
    public var bottom: String
    /// The value column.
    public var value: String
    /// Factor applied to every value (e.g. 0.1 for g/kg → %).
    public var valueScale: Double
    /// Factor applied to every depth to give cm (e.g. 100 for depths in metres).
    public var depthScale: Double
    /// Plausible values (after `valueScale`); values outside are skipped and counted. nil: any finite value.
    public var validRange: ValidRange?
    /// The configuration section named in errors, e.g. "horizons" → key horizons.value_column.
    public var keyPrefix: String

    /// Names the columns; `valueScale` multiplies every value read, `depthScale` every depth (both > 0).
    public init(
        id: String, top: String, bottom: String, value: String, valueScale: Double = 1,
        depthScale: Double = 1, validRange: ValidRange? = nil, keyPrefix: String = "horizons"
    ) {
        precondition(valueScale.isFinite && valueScale > 0, "HorizonColumns: valueScale must be finite and positive")
        precondition(depthScale.isFinite && depthScale > 0, "HorizonColumns: depthScale must be finite and positive")
        self.id = id
        self.top = top
        self.bottom = bottom
        self.value = value
        self.valueScale = valueScale
        self.depthScale = depthScale
        self.validRange = validRange
        self.keyPrefix = keyPrefix
    }
}

/// Reads a horizons table with mpspline2's checks (`mpspline_datchk`), each counted with its line:
/// empty id, missing value (empty/NA/NaN), non-numeric value or depth, and a value outside
/// `columns.validRange` (`outOfRange`) skip the horizon; depths are multiplied by `columns.depthScale`; a missing
/// top on a site's first usable horizon becomes 0 and a missing bottom on its last becomes top + 10
/// (as mpspline2), other missing depths skip the horizon; negative depths and top >= bottom skip it;
/// a site left with no horizon is counted as `emptyProfile`. No usable horizon at all is an error.
/// Horizons are returned in file order. Overlaps and gaps are checked later, per profile, by `harmonise`;
/// depths that look like metres by `checkDepthUnits`. A header without rows is an error.
public func loadHorizons(path: String, columns: HorizonColumns) throws -> (horizons: [Horizon], issues: DataIssues) {
    let table = try CSVTable(path: path)
    let p = columns.keyPrefix
    let idCol = try table.column(columns.id, role: "the horizon site id column, key \(p).id_column")
    let topCol = try table.column(columns.top, role: "the horizon top depth column, key \(p).top_column")
    let bottomCol = try table.column(columns.bottom, role: "the horizon bottom depth column, key \(p).bottom_column")
    let valueCol = try table.column(columns.value, role: "the horizon value column, key \(p).value_column")
    let header = table.header
    try table.requireRows("horizon")

    struct Candidate {
        var id: String
        var top: Double?
        var bottom: Double?
        var value: Double
        var line: Int
    }
    var issues = DataIssues()
    var siteOrder: [String] = []
    var siteFirstLine: [String: Int] = [:]
    var candidates: [String: [Candidate]] = [:]

    for (row, line) in zip(table.rows, table.lines) {
        let id = row[idCol].trimmingCharacters(in: .whitespaces)
        if id.isEmpty {
            issues.append(
                DataIssue(
                    kind: .missingID, file: path, line: line, siteID: nil,
                    message: "empty site id in column '\(header[idCol])'", action: "skipped horizon"))
            continue
        }
        if siteFirstLine[id] == nil {
            siteFirstLine[id] = line
            siteOrder.append(id)
        }
        let value: Double
        switch parseNumber(row[valueCol]) {
        case .value(let v):
            value = v * columns.valueScale
            if let range = columns.validRange, !range.contains(value) {
                let scaled =
                    columns.valueScale == 1
                    ? "" : " (\(formatShort(value)) after value_scale \(formatShort(columns.valueScale)))"
                issues.append(
                    DataIssue(
                        kind: .outOfRange, file: path, line: line, siteID: id,
                        message: """
                            value \(row[valueCol].trimmingCharacters(in: .whitespaces)) in column \
                            '\(header[valueCol])'\(scaled) is outside the plausible range \(range)
                            """, action: "skipped horizon"))
                continue
            }
        case .missing:
            issues.append(
                DataIssue(
                    kind: .missingValue, file: path, line: line, siteID: id,
                    message: "no value in column '\(header[valueCol])' ('\(row[valueCol])')", action: "skipped horizon")
            )
            continue
        case .invalid(let text):
            issues.append(
                DataIssue(
                    kind: .nonNumeric, file: path, line: line, siteID: id,
                    message: "'\(text)' in column '\(header[valueCol])' is not a number", action: "skipped horizon"))
            continue
        }
        var depths: [Double?] = []
        var bad = false
        for col in [topCol, bottomCol] {
            switch parseNumber(row[col]) {
            case .value(let v): depths.append(v * columns.depthScale)
            case .missing: depths.append(nil)
            case .invalid(let text):
                if !bad {
                    issues.append(
                        DataIssue(
                            kind: .nonNumeric, file: path, line: line, siteID: id,
                            message: "depth '\(text)' in column '\(header[col])' is not a number",
                            action: "skipped horizon"))
                }
                bad = true
            }
        }
        if bad { continue }
        candidates[id, default: []].append(
            Candidate(id: id, top: depths[0], bottom: depths[1], value: value, line: line))
    }

    var horizons: [Horizon] = []
    for id in siteOrder {
        var list = candidates[id] ?? []
        // mpspline2: a missing surface depth on the first horizon is 0; a missing deepest
        // depth on the last horizon is its top + 10 cm.
        if !list.isEmpty, list[0].top == nil {
            list[0].top = 0
            issues.append(
                DataIssue(
                    kind: .missingDepth, file: path, line: list[0].line, siteID: id,
                    message: "no top depth in column '\(header[topCol])' on the site's first horizon",
                    action: "set top to 0"))
        }
        if let last = list.indices.last, list[last].bottom == nil, let top = list[last].top {
            list[last].bottom = top + 10
            issues.append(
                DataIssue(
                    kind: .missingDepth, file: path, line: list[last].line, siteID: id,
                    message: "no bottom depth in column '\(header[bottomCol])' on the site's last horizon",
                    action: "set bottom to top + 10 = \(formatShort(top + 10))"))
        }
        var kept = 0
        for c in list {
            guard let top = c.top, let bottom = c.bottom else {
                let col = c.top == nil ? topCol : bottomCol
                issues.append(
                    DataIssue(
                        kind: .missingDepth, file: path, line: c.line, siteID: id,
                        message: "no depth in column '\(header[col])'", action: "skipped horizon"))
                continue
            }
            if top < 0 || bottom < 0 {
                issues.append(
                    DataIssue(
                        kind: .negativeDepth, file: path, line: c.line, siteID: id,
                        message: "negative depth (\(formatShort(top)) to \(formatShort(bottom)) cm)",
                        action: "skipped horizon"))
                continue
            }
            if top >= bottom {
                let what = top == bottom ? "has zero thickness" : "has its top below its bottom"
                issues.append(
                    DataIssue(
                        kind: .topNotAboveBottom, file: path, line: c.line, siteID: id,
                        message: "horizon \(formatShort(top)) to \(formatShort(bottom)) cm \(what)",
                        action: "skipped horizon"))
                continue
            }
            horizons.append(Horizon(siteID: id, top: top, bottom: bottom, value: c.value, line: c.line))
            kept += 1
        }
        if kept == 0 {
            issues.append(
                DataIssue(
                    kind: .emptyProfile, file: path, line: siteFirstLine[id], siteID: id,
                    message: "site '\(id)' has no usable horizon with a value in column '\(header[valueCol])'",
                    action: "skipped site"))
        }
    }

    guard !horizons.isEmpty else {
        let counts = issues.counts.map { "\($0.count) \($0.kind.rawValue)" }.joined(separator: ", ")
        throw SoilDataError(
            .noUsableHorizons, path: path, line: nil,
            message:
                "\(path) has no usable horizons (\(table.rows.count) rows; \(counts.isEmpty ? "no rows" : counts)); "
                + "check \(p).value_column ('\(columns.value)') and the depth columns")
    }
    return (horizons, issues)
}

/// Throws when the horizon depths look like metres: half the horizon bottoms or more lie above 3 (cm) while
/// the depth intervals reach deeper than 3 cm (no survey in cm has most horizons ending in the top 3 cm; a
/// median rather than the deepest bottom, so one deep profile does not hide a table in metres). The message
/// names the file, the depth columns and keys, and what to do (depths in cm, or `depth_scale: 100`).
public func checkDepthUnits(
    _ horizons: [Horizon], depths: [DepthInterval], path: String,
    columns: HorizonColumns
) throws {
    guard !horizons.isEmpty, let deepestInterval = depths.map(\.bottom).max() else { return }
    let bottoms = horizons.map(\.bottom).sorted()
    let median =
        bottoms.count % 2 == 1
        ? bottoms[bottoms.count / 2]
        : (bottoms[bottoms.count / 2 - 1] + bottoms[bottoms.count / 2]) / 2
    guard median < 3, deepestInterval > 3 else { return }
    let p = columns.keyPrefix
    let scaled = columns.depthScale == 1 ? "" : " after depth_scale \(formatShort(columns.depthScale))"
    throw SoilDataError(
        .depthsNotInCentimetres, path: path, line: nil,
        message:
            "\(path): the depths look like metres, not cm: the horizon bottoms (column '\(columns.bottom)', "
            + "key \(p).bottom_column) reach only \(formatShort(bottoms[bottoms.count - 1])) (median "
            + "\(formatShort(median))) over \(horizons.count) horizons\(scaled), but the depth intervals reach "
            + "\(formatShort(deepestInterval)) cm. Give the depths (columns '\(columns.top)' and '\(columns.bottom)', "
            + "keys \(p).top_column and \(p).bottom_column) in cm, or add 'depth_scale: 100' under \(p) to turn "
            + "metres into cm")
}
