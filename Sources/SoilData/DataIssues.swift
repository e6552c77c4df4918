import Foundation

/// One thing in the input that was skipped, repaired or clamped, with where it came from.
public struct DataIssue: Sendable, Equatable, CustomStringConvertible {
    /// The kind of problem.
    public enum Kind: String, Sendable, CaseIterable {
        /// A value is empty, NA or NaN.
        case missingValue
        /// A value or depth could not be read as a finite number.
        case nonNumeric
        /// A row has an empty site id.
        case missingID
        /// A horizon depth is empty or NA (repaired at the profile's top/bottom as mpspline2 does, else skipped).
        case missingDepth
        /// A horizon's top is at or below its bottom (zero or negative thickness).
        case topNotAboveBottom
        /// A horizon depth is negative (e.g. an organic layer above the mineral surface).
        case negativeDepth
        /// Two horizons of one site overlap.
        case overlappingHorizons
        /// A site's horizons leave a gap (one's bottom above the next one's top); the spline is fitted across it.
        case gapBetweenHorizons
        /// Two horizons of one site have the same depths.
        case duplicateHorizon
        /// A depth was moved to remove an overlap thinner than `SplineOptions.depthTolerance`.
        case adjustedDepth
        /// A profile names a site that the sites table does not have.
        case unknownSite
        /// A sites-table row repeats an earlier row's site with the same coordinates (a long table).
        case repeatedSiteRow
        /// A site id appears twice.
        case duplicateSite
        /// A site has no x or y coordinate.
        case missingCoordinate
        /// A value lies outside the plausible range of the property (`ValidRange`).
        case outOfRange
        /// An interval's value was limited to [minValue, maxValue].
        case clampedValue
        /// A site has no usable horizon or interval value.
        case emptyProfile
        /// A profile starts below the surface: intervals above its first horizon have no value.
        case startsBelowSurface
        /// An interval is only partly covered by the profile: its value is the mean over the covered part.
        case partialCoverage
        /// A profile covers none of the requested depth intervals.
        case noDepthCovered
    }

    /// The kind of problem.
    public var kind: Kind
    /// The file it was found in.
    public var file: String
    /// The 1-based CSV line, if it concerns one row.
    public var line: Int?
    /// The site concerned, if known.
    public var siteID: String?
    /// What is wrong, in words.
    public var message: String
    /// What was done: "skipped horizon", "adjusted top to 20", "skipped site", ...
    public var action: String

    /// Makes an issue record.
    public init(kind: Kind, file: String, line: Int?, siteID: String?, message: String, action: String) {
        self.kind = kind
        self.file = file
        self.line = line
        self.siteID = siteID
        self.message = message
        self.action = action
    }

    /// "file line N: message (action)".
    public var description: String {
        let whereText = line.map { "\(file) line \($0)" } ?? file
        return "\(whereText): \(message) (\(action))"
    }
}

/// Everything that was skipped or fixed while reading and harmonising soil data.
public struct DataIssues: Sendable {
    /// The issues in the order they were found.
    public private(set) var entries: [DataIssue] = []

    /// An empty list.
    public init() {}

    /// Records one issue.
    public mutating func append(_ issue: DataIssue) { entries.append(issue) }

    /// Records all issues of another list.
    public mutating func append(contentsOf other: DataIssues) { entries.append(contentsOf: other.entries) }

    /// True when nothing was recorded.
    public var isEmpty: Bool { entries.isEmpty }

    /// The number of issues of one kind.
    public func count(of kind: DataIssue.Kind) -> Int { entries.reduce(0) { $0 + ($1.kind == kind ? 1 : 0) } }

    /// The issues of one kind, in order.
    public func entries(of kind: DataIssue.Kind) -> [DataIssue] { entries.filter { $0.kind == kind } }

    /// Non-zero counts per kind, in `DataIssue.Kind.allCases` order.
    public var counts: [(kind: DataIssue.Kind, count: Int)] {
        var byKind: [DataIssue.Kind: Int] = [:]
        for e in entries { byKind[e.kind, default: 0] += 1 }
        return DataIssue.Kind.allCases.compactMap { k in byKind[k].map { (kind: k, count: $0) } }
    }

    /// One line per kind: count, action, and the first few CSV lines (or sites), e.g.
    /// "missingValue: 249 (skipped horizon) — horizons.csv lines 2, 3, 4, 5, 6, … 244 more".
    public func summary(examples: Int = 5) -> [String] {
        counts.map { kind, count in
            let items = entries(of: kind)
            let actions = Set(items.map(\.action))
            let action = actions.count == 1 ? items[0].action : "\(actions.count) different actions"
            var files: [String] = []
            for e in items where !files.contains(e.file) { files.append(e.file) }
            let shown = items.prefix(examples).map { e -> String in
                if let l = e.line { return String(l) }
                return e.siteID.map { "site \($0)" } ?? "?"
            }
            let more = count > examples ? ", … \(count - examples) more" : ""
            let fileText =
                files.count == 1
                ? (files[0] as NSString).lastPathComponent
                : files.map { ($0 as NSString).lastPathComponent }.joined(separator: "+")
            let noun = items.prefix(examples).allSatisfy { $0.line != nil } ? (count == 1 ? " line" : " lines") : ""
            return """
                \(kind.rawValue): \(count) (\(action)) — \(fileText)\(noun) \(shown.joined(separator: ", "))\(more)
                """
        }
    }
}
