import Foundation

/// A harmonised profile joined to its site's coordinates.
public struct LocatedProfile: Sendable, Equatable {
    /// The site, with coordinates.
    public var site: Site
    /// The site's values per depth interval.
    public var profile: SiteProfile

    /// Pairs a site with its profile.
    public init(site: Site, profile: SiteProfile) {
        self.site = site
        self.profile = profile
    }
}

/// Joins profiles to sites by id, keeping the profiles' order; a profile whose site is not in `sites`
/// is skipped and counted as `unknownSite` (with `profilesFile` and the profile's line).
public func locate(
    _ profiles: [SiteProfile], sites: [Site], profilesFile: String,
    issues: inout DataIssues
) -> [LocatedProfile] {
    var byID: [String: Site] = [:]
    for s in sites where byID[s.id] == nil { byID[s.id] = s }
    var out: [LocatedProfile] = []
    out.reserveCapacity(profiles.count)
    for p in profiles {
        guard let site = byID[p.siteID] else {
            issues.append(
                DataIssue(
                    kind: .unknownSite, file: profilesFile, line: p.line, siteID: p.siteID,
                    message: "site '\(p.siteID)' is not in the sites table (or was skipped there)",
                    action: "skipped site"))
            continue
        }
        out.append(LocatedProfile(site: site, profile: p))
    }
    return out
}
