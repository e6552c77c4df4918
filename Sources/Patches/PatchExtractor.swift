import Foundation
import RasterIO
import SoilData

/// A site with its coordinates in the stack CRS and as given in the sites table.
public struct LocatedSite: Sendable, Equatable {
    /// Site id.
    public var id: String
    /// X in the stack CRS.
    public var x: Double
    /// Y in the stack CRS.
    public var y: Double
    /// X as given (e.g. longitude).
    public var sourceX: Double
    /// Y as given (e.g. latitude).
    public var sourceY: Double
    /// CSV line of the site.
    public var line: Int

    /// Creates a located site.
    public init(id: String, x: Double, y: Double, sourceX: Double, sourceY: Double, line: Int) {
        self.id = id
        self.x = x
        self.y = y
        self.sourceX = sourceX
        self.sourceY = sourceY
        self.line = line
    }
}

/// What patch extraction kept and dropped, site by site, so nothing is lost silently.
public struct PatchReport: Sendable {
    /// Sites with a patch and at least one value.
    public var sitesUsed = 0
    /// Sites outside the grid (id, CSV line).
    public var outsideGrid: [(id: String, line: Int)] = []
    /// Sites whose centre cell is nodata in some covariate.
    public var centreNodata: [(id: String, line: Int)] = []
    /// Sites in the sites table with no soil values at any depth.
    public var sitesWithoutValues: [(id: String, line: Int)] = []
    /// Profile ids that have no row in the sites table.
    public var profilesWithoutSite: [String] = []
    /// Used sites whose patch reaches past the grid edge (padded with the fill values).
    public var paddedAtEdge = 0
    /// Samples per depth interval.
    public var samplesPerDepth: [Int] = []
}

/// Cuts a `C x P x P` patch around each site's cell from the scaled covariate stack.
public enum PatchExtractor {
    /// Extracts patches for every site that has values, reading the stack tile by tile.
    ///
    /// - Parameters:
    ///   - stack: the covariate stack (scaled reads, nodata filled).
    ///   - sites: sites in the stack CRS.
    ///   - profiles: values per site and depth interval (nil = missing).
    ///   - depths: the depth intervals of `profiles`.
    ///   - size: patch edge P (odd).
    public static func extract(
        stack: CovariateStack, sites: [LocatedSite], profiles: [SiteProfile],
        depths: [DepthInterval], size: Int, property: String, unit: String,
        progress: ((_ done: Int, _ total: Int) -> Void)? = nil
    ) throws -> (PatchDataset, PatchReport) {
        precondition(size % 2 == 1, "patch size must be odd")
        let grid = stack.grid
        let half = size / 2
        let c = stack.channels.count
        let plen = c * size * size
        var report = PatchReport()
        report.samplesPerDepth = [Int](repeating: 0, count: depths.count)

        var profileByID: [String: SiteProfile] = [:]
        for p in profiles { profileByID[p.siteID] = p }
        let siteIDs = Set(sites.map(\.id))
        report.profilesWithoutSite = profiles.map(\.siteID).filter { !siteIDs.contains($0) }

        // Sites that have values, located on the grid, grouped by tile.
        struct Candidate {
            var index: Int
            var col: Int
            var row: Int
            var profile: SiteProfile
        }
        var candidates: [Candidate] = []
        for (i, s) in sites.enumerated() {
            guard let profile = profileByID[s.id], profile.values.contains(where: { $0 != nil }) else {
                report.sitesWithoutValues.append((s.id, s.line))
                continue
            }
            guard let cell = grid.cell(x: s.x, y: s.y) else {
                report.outsideGrid.append((s.id, s.line))
                continue
            }
            candidates.append(Candidate(index: i, col: cell.col, row: cell.row, profile: profile))
        }

        let tileSize = 512
        var byTile: [Int: [Int]] = [:]
        let tilesAcross = (grid.width + tileSize - 1) / tileSize
        for (k, cand) in candidates.enumerated() {
            byTile[(cand.row / tileSize) * tilesAcross + cand.col / tileSize, default: []].append(k)
        }
        var patchOf = [[Float]?](repeating: nil, count: candidates.count)
        var done = 0
        progress?(0, candidates.count)  // the bar starts when the work does, so its rate is true
        for tileIndex in byTile.keys.sorted() {
            let members = byTile[tileIndex]!
            let minCol = members.map { candidates[$0].col }.min()!
            let maxCol = members.map { candidates[$0].col }.max()!
            let minRow = members.map { candidates[$0].row }.min()!
            let maxRow = members.map { candidates[$0].row }.max()!
            let window = PixelWindow(
                col: minCol - half, row: minRow - half,
                width: maxCol - minCol + size, height: maxRow - minRow + size)
            let block = try stack.readScaled(window: window)
            let w = window.width
            let h = window.height
            for k in members {
                let cand = candidates[k]
                let lc = cand.col - window.col
                let lr = cand.row - window.row
                guard block.valid[lr * w + lc] else { continue }
                var patch = [Float](repeating: 0, count: plen)
                for ch in 0..<c {
                    let plane = ch * w * h
                    for pr in 0..<size {
                        let src = plane + (lr - half + pr) * w + (lc - half)
                        let dst = (ch * size + pr) * size
                        for pc in 0..<size { patch[dst + pc] = block.values[src + pc] }
                    }
                }
                patchOf[k] = patch
            }
            done += members.count
            progress?(done, candidates.count)
        }

        var outSites: [PatchSite] = []
        var patches: [Float] = []
        patches.reserveCapacity(candidates.count * plen)
        var samples: [PatchSample] = []
        for (k, cand) in candidates.enumerated() {
            let s = sites[cand.index]
            guard let patch = patchOf[k] else {
                report.centreNodata.append((s.id, s.line))
                continue
            }
            let siteIndex = outSites.count
            outSites.append(
                PatchSite(
                    id: s.id, x: s.x, y: s.y, sourceX: s.sourceX, sourceY: s.sourceY, col: cand.col, row: cand.row))
            patches.append(contentsOf: patch)
            if cand.col < half || cand.row < half || cand.col + half >= grid.width || cand.row + half >= grid.height {
                report.paddedAtEdge += 1
            }
            for (d, v) in cand.profile.values.enumerated() {
                guard let v else { continue }
                samples.append(PatchSample(site: siteIndex, depth: d, value: Float(v)))
                report.samplesPerDepth[d] += 1
            }
        }
        report.sitesUsed = outSites.count
        let channels = stack.channels.map { ch in
            PatchChannel(
                name: ch.name, covariate: stack.covariates[ch.covariate].name, classValue: ch.classValue,
                min: ch.min, max: ch.max, fill: ch.fill)
        }
        let patchGrid = PatchGrid(
            crsWKT: grid.crs.wkt, geotransform: grid.transform.coefficients,
            width: grid.width, height: grid.height)
        let covariates = stack.covariates.map { c in
            PatchCovariate(
                name: c.name, file: c.sourcePath, band: c.band, kind: c.kind.rawValue, validCells: c.validCells,
                min: c.min, max: c.max, mean: c.mean, gridSHA256: c.gridSHA256)
        }
        let data = PatchDataset(
            property: property, unit: unit, patchSize: size, channels: channels, depths: depths,
            grid: patchGrid, sites: outSites, patches: patches, samples: samples, covariates: covariates)
        return (data, report)
    }
}
