import Foundation
import SoilData

/// A survey site that received a patch: its id, coordinates and grid cell.
public struct PatchSite: Sendable, Equatable, Codable {
    /// Site id from the sites table.
    public var id: String
    /// X in the stack CRS.
    public var x: Double
    /// Y in the stack CRS.
    public var y: Double
    /// X as given in the sites table (e.g. longitude).
    public var sourceX: Double
    /// Y as given in the sites table (e.g. latitude).
    public var sourceY: Double
    /// Column of the centre cell on the reference grid.
    public var col: Int
    /// Row of the centre cell on the reference grid.
    public var row: Int

    /// Creates a site record.
    public init(id: String, x: Double, y: Double, sourceX: Double, sourceY: Double, col: Int, row: Int) {
        self.id = id
        self.x = x
        self.y = y
        self.sourceX = sourceX
        self.sourceY = sourceY
        self.col = col
        self.row = row
    }
}

/// One input channel of the patches and how it was scaled to [0, 1].
public struct PatchChannel: Sendable, Equatable, Codable {
    /// Readable channel name (a covariate, or covariate=class for one-hot channels).
    public var name: String
    /// Covariate the channel comes from.
    public var covariate: String
    /// Class value for a one-hot channel, nil for a continuous one.
    public var classValue: Int?
    /// Raster minimum used for scaling.
    public var min: Double
    /// Raster maximum used for scaling.
    public var max: Double
    /// Scaled value that fills nodata cells (the scaled raster mean).
    public var fill: Float

    /// Creates a channel record.
    public init(name: String, covariate: String, classValue: Int?, min: Double, max: Double, fill: Float) {
        self.name = name
        self.covariate = covariate
        self.classValue = classValue
        self.min = min
        self.max = max
        self.fill = fill
    }
}

/// A covariate the patches were cut from, as it was on the grid: what a model records of the data it was
/// trained on, so that a later `predict` recognises the covariate (by name, or by its values when renamed)
/// and says how it changed.
public struct PatchCovariate: Sendable, Equatable, Codable {
    /// The covariate's name.
    public var name: String
    /// The raster file it was read from, as the pipeline gave it.
    public var file: String
    /// The 1-based band of the file.
    public var band: Int
    /// "continuous" or "categorical".
    public var kind: String
    /// Number of reference-grid cells with data.
    public var validCells: Int
    /// Minimum over those cells.
    public var min: Double
    /// Maximum over those cells.
    public var max: Double
    /// Mean over those cells.
    public var mean: Double
    /// SHA-256 of its values on the grid (`RasterIO.Covariate.gridSHA256`).
    public var gridSHA256: String

    private enum CodingKeys: String, CodingKey {
        case name, file, band, kind, min, max, mean
        case validCells = "valid_cells"
        case gridSHA256 = "grid_sha256"
    }

    /// Creates a record.
    public init(
        name: String, file: String, band: Int, kind: String, validCells: Int, min: Double, max: Double,
        mean: Double, gridSHA256: String
    ) {
        self.name = name
        self.file = file
        self.band = band
        self.kind = kind
        self.validCells = validCells
        self.min = min
        self.max = max
        self.mean = mean
        self.gridSHA256 = gridSHA256
    }
}

/// One training sample: a site's patch, a depth interval and the observed value there.
public struct PatchSample: Sendable, Equatable {
    /// Index into `PatchDataset.sites` (and the patch array).
    public var site: Int
    /// Index into `PatchDataset.depths`.
    public var depth: Int
    /// Observed value (property units).
    public var value: Float

    /// Creates a sample.
    public init(site: Int, depth: Int, value: Float) {
        self.site = site
        self.depth = depth
        self.value = value
    }
}

/// The reference grid the patches were cut from, kept so maps can be made on it later.
public struct PatchGrid: Sendable, Equatable, Codable {
    /// CRS as WKT.
    public var crsWKT: String
    /// GDAL geotransform coefficients.
    public var geotransform: [Double]
    /// Grid width in cells.
    public var width: Int
    /// Grid height in cells.
    public var height: Int

    /// Creates a grid record.
    public init(crsWKT: String, geotransform: [Double], width: Int, height: Int) {
        self.crsWKT = crsWKT
        self.geotransform = geotransform
        self.width = width
        self.height = height
    }
}

/// Patches around survey sites with their per-depth targets: the training data set.
///
/// Patches are stored once per site (`C x P x P`, channel-major, row-major) because the
/// network's convolutional trunk never sees depth; samples point at their site's patch.
public struct PatchDataset: Sendable, Equatable {
    /// Property name, e.g. SOC.
    public var property: String
    /// Property unit, e.g. g/kg.
    public var unit: String
    /// Patch edge P.
    public var patchSize: Int
    /// Channels in order.
    public var channels: [PatchChannel]
    /// Depth intervals in order.
    public var depths: [DepthInterval]
    /// Grid the patches were cut from.
    public var grid: PatchGrid
    /// Sites in order.
    public var sites: [PatchSite]
    /// `sites.count x C x P x P` scaled values.
    public var patches: [Float]
    /// Samples (site, depth, value).
    public var samples: [PatchSample]
    /// The covariates the channels come from, in channel order (empty when not known, e.g. a data set
    /// made by hand).
    public var covariates: [PatchCovariate]

    /// Creates a data set; the patch array must match the sites, channels and patch size.
    public init(
        property: String, unit: String, patchSize: Int, channels: [PatchChannel], depths: [DepthInterval],
        grid: PatchGrid, sites: [PatchSite], patches: [Float], samples: [PatchSample],
        covariates: [PatchCovariate] = []
    ) {
        precondition(
            patches.count == sites.count * channels.count * patchSize * patchSize,
            "patch array has \(patches.count) values, expected sites x C x P x P")
        self.property = property
        self.unit = unit
        self.patchSize = patchSize
        self.channels = channels
        self.depths = depths
        self.grid = grid
        self.sites = sites
        self.patches = patches
        self.samples = samples
        self.covariates = covariates
    }

    /// Number of values in one patch (C x P x P).
    public var patchLength: Int { channels.count * patchSize * patchSize }

    /// The patch of a site, `C x P x P`.
    public func patch(site: Int) -> ArraySlice<Float> {
        patches[site * patchLength..<(site + 1) * patchLength]
    }

    /// The same sites and samples with only the channels at `kept` (indices into `channels`, in the
    /// order given): what a model trained on a selection of covariates reads.
    public func selecting(channels kept: [Int]) -> PatchDataset {
        precondition(
            kept.allSatisfy { channels.indices.contains($0) },
            "PatchDataset.selecting: channel indices \(kept) outside 0..<\(channels.count)")
        let area = patchSize * patchSize
        var out = [Float]()
        out.reserveCapacity(sites.count * kept.count * area)
        for s in sites.indices {
            let base = s * patchLength
            for c in kept { out.append(contentsOf: patches[(base + c * area)..<(base + (c + 1) * area)]) }
        }
        let keptCovariates = Set(kept.map { channels[$0].covariate })
        return PatchDataset(
            property: property, unit: unit, patchSize: patchSize, channels: kept.map { channels[$0] },
            depths: depths, grid: grid, sites: sites, patches: out, samples: samples,
            covariates: covariates.filter { keptCovariates.contains($0.name) })
    }

    /// Sample counts per depth interval.
    public var samplesPerDepth: [Int] {
        var counts = [Int](repeating: 0, count: depths.count)
        for s in samples { counts[s.depth] += 1 }
        return counts
    }
}

extension PatchDataset {
    /// Each site's centre-cell value of every channel, site-major (sites x channels): what a forest
    /// reads at a site, and the covariates the dissimilarity index and the covariate selection compare.
    public func centreCells() -> [Float] {
        let p = patchSize
        let c = channels.count
        let centre = (p / 2) * p + p / 2
        var x = [Float](repeating: 0, count: sites.count * c)
        for s in sites.indices {
            for ch in 0..<c { x[s * c + ch] = patches[s * patchLength + ch * p * p + centre] }
        }
        return x
    }
}
