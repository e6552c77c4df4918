import Foundation

/// One site's values at a list of depth intervals.
public struct SiteProfile: Sendable, Equatable {
    /// The site id.
    public var siteID: String
    /// One value per depth interval (same order as the depths used to make it); nil = missing.
    public var values: [Double?]
    /// The first CSV line of the site in its source table, if known.
    public var line: Int?

    /// Makes a profile.
    public init(siteID: String, values: [Double?], line: Int? = nil) {
        self.siteID = siteID
        self.values = values
        self.line = line
    }
}

/// Harmonises horizons to depth intervals with the equal-area spline, site by site, as mpspline2 does.
///
/// Sites keep their order of first appearance. Per site (each step counted in `issues` with its lines):
/// non-finite values, negative depths and top >= bottom are skipped (already done by `loadHorizons`);
/// horizons are sorted by top; an exact duplicate (same depths and value) is skipped, same depths with
/// different values skip the site; an overlap thinner than `options.depthTolerance` is repaired by moving
/// the lower horizon's top, a larger overlap skips the site (mpspline2 drops such sites). A gap (one horizon's
/// bottom above the next one's top by more than the tolerance) is counted (`gapBetweenHorizons`) and the spline
/// fitted across it as mpspline2 does: in the gap the curve is a straight line from the horizon above to the one
/// below, and intervals that overlap the gap average that line.
/// An interval's value is the mean of the fitted curve, clamped pointwise to [minValue, maxValue], over
/// the part of the interval between the first horizon's top and the deepest bottom: an interval that
/// straddles the deepest bottom gets the mean over its covered part (mpspline2 averages the 1-cm
/// estimates it has, `mean(..., na.rm = TRUE)`), one at or below the deepest bottom is nil, and so is one
/// above the first top. Sites that cover none of the intervals are left out (counted).
/// `source` names the horizons file in the issues.
public func harmonise(
    _ horizons: [Horizon], depths: [DepthInterval], options: SplineOptions = SplineOptions(),
    source: String = "horizons", issues: inout DataIssues
) -> [SiteProfile] {
    precondition(!depths.isEmpty, "harmonise: needs at least one depth interval")
    var order: [String] = []
    var groups: [String: [Horizon]] = [:]
    for h in horizons {
        if groups[h.siteID] == nil { order.append(h.siteID) }
        groups[h.siteID, default: []].append(h)
    }
    var profiles: [SiteProfile] = []
    profiles.reserveCapacity(order.count)
    for id in order {
        if let profile = harmoniseSite(
            id, groups[id]!, depths: depths, options: options, source: source,
            issues: &issues)
        {
            profiles.append(profile)
        }
    }
    return profiles
}

/// The per-site part of `harmonise`; nil when the site is skipped.
private func harmoniseSite(
    _ id: String, _ input: [Horizon], depths: [DepthInterval], options: SplineOptions,
    source: String, issues: inout DataIssues
) -> SiteProfile? {
    let tol = options.depthTolerance
    let firstLine = input.map(\.line).min()
    func note(_ kind: DataIssue.Kind, _ line: Int?, _ message: String, _ action: String) {
        issues.append(DataIssue(kind: kind, file: source, line: line, siteID: id, message: message, action: action))
    }
    func span(_ h: Horizon) -> String { "\(formatShort(h.top))-\(formatShort(h.bottom))cm" }

    var usable: [Horizon] = []
    for h in input {
        if !(h.value.isFinite && h.top.isFinite && h.bottom.isFinite) {
            note(.nonNumeric, h.line, "site '\(id)': non-finite depth or value", "skipped horizon")
        } else if h.top < 0 || h.bottom < 0 {
            note(.negativeDepth, h.line, "site '\(id)': negative depth \(span(h))", "skipped horizon")
        } else if h.top >= h.bottom {
            note(
                .topNotAboveBottom, h.line, "site '\(id)': horizon \(span(h)) has top at or below bottom",
                "skipped horizon")
        } else {
            usable.append(h)
        }
    }
    usable.sort { ($0.top, $0.bottom, $0.line) < ($1.top, $1.bottom, $1.line) }

    var kept: [Horizon] = []
    for var h in usable {
        guard let prev = kept.last else {
            kept.append(h)
            continue
        }
        if abs(h.top - prev.top) <= tol && abs(h.bottom - prev.bottom) <= tol {
            if h.value == prev.value {
                note(
                    .duplicateHorizon, h.line, "site '\(id)': horizon \(span(h)) repeats line \(prev.line)",
                    "skipped horizon")
                continue
            }
            note(
                .duplicateHorizon, h.line,
                "site '\(id)': lines \(prev.line) and \(h.line) both give \(span(h)) "
                    + "with different values (\(formatShort(prev.value)) and \(formatShort(h.value)))", "skipped site")
            return nil
        }
        if h.top < prev.bottom - tol {
            note(
                .overlappingHorizons, h.line,
                "site '\(id)': horizons \(span(prev)) (line \(prev.line)) and "
                    + "\(span(h)) (line \(h.line)) overlap", "skipped site")
            return nil
        }
        if h.top < prev.bottom {
            let old = h.top
            h.top = prev.bottom
            if h.top >= h.bottom {
                note(
                    .topNotAboveBottom, h.line,
                    "site '\(id)': horizon \(formatShort(old))-\(formatShort(h.bottom))cm "
                        + "lies within the tolerance of line \(prev.line)'s bottom", "skipped horizon")
                continue
            }
            note(
                .adjustedDepth, h.line,
                "site '\(id)': top \(old) overlaps line \(prev.line)'s bottom \(prev.bottom) "
                    + "by less than \(formatShort(tol)) cm", "adjusted top to \(formatNumber(prev.bottom))")
        } else if h.top > prev.bottom + tol {
            note(
                .gapBetweenHorizons, h.line,
                "site '\(id)': no horizon between \(formatShort(prev.bottom)) and "
                    + "\(formatShort(h.top)) cm (line \(prev.line) ends, line \(h.line) starts)",
                "spline fitted across the gap (a straight line in it)")
        }
        kept.append(h)
    }
    guard !kept.isEmpty else {
        note(.emptyProfile, firstLine, "site '\(id)' has no usable horizon", "skipped site")
        return nil
    }

    let fit = fitEqualAreaSpline(
        kept.map { HorizonValue(top: $0.top, bottom: $0.bottom, value: $0.value) },
        options: options)
    var values: [Double?] = []
    values.reserveCapacity(depths.count)
    var aboveTop = false
    for d in depths {
        guard let (u, v) = fit.coveredRange(from: d.top, to: d.bottom), let mean = fit.mean(from: u, to: v) else {
            if d.top < fit.top - tol { aboveTop = true }
            values.append(nil)
            continue
        }
        guard mean.isFinite else {  // NaN passes the clamp: the fit left double precision
            note(
                .nonNumeric, firstLine,
                "site '\(id)': the spline through its horizons is not finite "
                    + "(values or depths too large, or a horizon too thin)", "skipped site")
            return nil
        }
        if u > d.top + tol || v < d.bottom - tol {
            note(
                .partialCoverage, firstLine,
                "site '\(id)': profile covers only \(formatShort(u))-\(formatShort(v))cm "
                    + "of \(d.label)", "averaged over the covered part")
            if u > d.top + tol { aboveTop = true }
        }
        if let raw = fit.unclampedMean(from: u, to: v), abs(raw - mean) > 1e-9 * max(1, abs(raw)) {
            let limits = "[\(formatShort(options.minValue)), \(formatShort(options.maxValue))]"
            note(
                .clampedValue, firstLine,
                "site '\(id)' \(d.label): fitted curve leaves \(limits); mean "
                    + "\(formatShort(mean)) instead of \(formatShort(raw))", "clamped the curve to \(limits)")
        }
        values.append(mean)
    }
    if aboveTop {
        note(
            .startsBelowSurface, firstLine, "site '\(id)': first horizon starts at \(formatShort(fit.top))cm",
            "intervals above it left missing or averaged over the covered part")
    }
    if values.allSatisfy({ $0 == nil }) {
        note(
            .noDepthCovered, firstLine,
            "site '\(id)': horizons \(formatShort(fit.top))-\(formatShort(fit.bottom))cm "
                + "cover none of the depth intervals", "skipped site")
        return nil
    }
    return SiteProfile(siteID: id, values: values, line: firstLine)
}
