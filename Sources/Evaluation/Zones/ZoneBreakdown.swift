import Foundation

/// The zone of every site: a class code of a categorical raster (or none: the site's cell is nodata
/// there) and the raster's class labels.
public struct ZoneAssignment: Sendable, Equatable {
    /// What the zones come from, as the pipeline names it (`evaluate.zones`: a covariate name or a path).
    public var source: String
    /// Every class of the zone raster, code -> label (from its raster attribute table or category
    /// names, else "class <code>"); zones without a held-out sample are still listed.
    public var labels: [Int: String]
    /// The zone code of each site by site id; nil when the site's cell is nodata in the zone raster.
    public var zoneOfSite: [String: Int?]

    /// Makes an assignment.
    public init(source: String, labels: [Int: String], zoneOfSite: [String: Int?]) {
        self.source = source
        self.labels = labels
        self.zoneOfSite = zoneOfSite
    }
}

/// Every metric of `Metrics.definitions` per model, depth and zone, from the held-out predictions of
/// cross-validation (like the paper's Fig. 8 per climate zone). Rows with fewer than
/// `minimumCount` held-out samples are kept and marked (`tooFew`), never hidden; held-out samples
/// of sites whose zone cell is nodata are counted (`nodataSites`, `nodataSamples`), never dropped
/// silently.
public struct ZoneBreakdown: Sendable, Codable, Equatable {
    /// Rows with fewer held-out samples than this are marked as too few (`evaluate.zone_min_samples`).
    public static let defaultMinimumCount = 10

    /// One zone of the raster.
    public struct Zone: Sendable, Codable, Equatable {
        /// The class code.
        public var code: Int
        /// The class label.
        public var label: String
        /// Sites with a held-out sample in this zone.
        public var sites: Int

        /// A zone as computed (or read back from a report).
        public init(code: Int, label: String, sites: Int) {
            self.code = code
            self.label = label
            self.sites = sites
        }
    }

    /// One model at one depth in one zone.
    public struct Row: Sendable, Codable, Equatable {
        /// The model.
        public var model: String
        /// The depth label.
        public var depth: String
        /// The zone code.
        public var zone: Int
        /// The zone label.
        public var label: String
        /// Metrics over the held-out samples of the depth in the zone (n = 0: every metric NaN).
        public var metrics: Metrics
        /// True when `metrics.n` < the breakdown's `minimumCount`.
        public var tooFew: Bool

        /// A row as computed (or read back from a report).
        public init(model: String, depth: String, zone: Int, label: String, metrics: Metrics, tooFew: Bool) {
            self.model = model
            self.depth = depth
            self.zone = zone
            self.label = label
            self.metrics = metrics
            self.tooFew = tooFew
        }

        enum CodingKeys: String, CodingKey {
            case model, depth, zone, label, metrics
            case tooFew = "too_few"
        }
    }

    /// What the zones come from (`evaluate.zones`).
    public var source: String
    /// The marking threshold (held-out samples).
    public var minimumCount: Int
    /// The models, in report order.
    public var models: [String]
    /// The depth labels, shallow to deep.
    public var depthLabels: [String]
    /// Every zone of the raster, by code.
    public var zones: [Zone]
    /// Rows depth by depth, zone by zone (by code), model by model.
    public var rows: [Row]
    /// Held-out samples per depth (in `depthLabels` order) with an observation, in each zone: [depth][zone index].
    public var samples: [[Int]]
    /// Sites with held-out samples whose cell is nodata in the zone raster (in no zone).
    public var nodataSites: Int
    /// Their held-out samples (all depths).
    public var nodataSamples: Int

    /// A breakdown as computed (or read back from a report, e.g. `Reports.RunRecord`).
    public init(
        source: String, minimumCount: Int, models: [String], depthLabels: [String], zones: [Zone], rows: [Row],
        samples: [[Int]], nodataSites: Int, nodataSamples: Int
    ) {
        self.source = source
        self.minimumCount = minimumCount
        self.models = models
        self.depthLabels = depthLabels
        self.zones = zones
        self.rows = rows
        self.samples = samples
        self.nodataSites = nodataSites
        self.nodataSamples = nodataSamples
    }

    enum CodingKeys: String, CodingKey {
        case source, models, zones, rows, samples
        case minimumCount = "minimum_count"
        case depthLabels = "depth_labels"
        case nodataSites = "nodata_sites"
        case nodataSamples = "nodata_samples"
    }

    /// The row of `model` at `depth` in `zone`.
    public func row(model: String, depth: String, zone: Int) -> Row? {
        rows.first { $0.model == model && $0.depth == depth && $0.zone == zone }
    }

    /// Computes the breakdown. Each model counts only samples with a finite observation and a finite
    /// prediction of its own, as `EvaluationTable` does; every prediction's `depth` indexes `depthLabels`.
    /// A site missing from `assignment.zoneOfSite` counts as nodata. A zone code found at a site but
    /// not among the labels is added as "class <code>".
    public static func build(
        predictions: [HeldOutPrediction], models: [String], depthLabels: [String],
        assignment: ZoneAssignment, minimumCount: Int = defaultMinimumCount
    ) -> ZoneBreakdown {
        precondition(minimumCount >= 0, "ZoneBreakdown.build: minimumCount \(minimumCount) is negative")
        var labels = assignment.labels
        for case let code? in assignment.zoneOfSite.values where labels[code] == nil { labels[code] = "class \(code)" }
        let codes = labels.keys.sorted()
        let zoneIndex = Dictionary(uniqueKeysWithValues: codes.enumerated().map { ($1, $0) })
        var sitesInZone = [Set<String>](repeating: [], count: codes.count)
        var nodataSites = Set<String>()
        var nodataSamples = 0
        var samples = [[Int]](repeating: [Int](repeating: 0, count: codes.count), count: depthLabels.count)
        // Pairs per depth, zone and model.
        var observed = [[[String: [Double]]]](
            repeating: [[String: [Double]]](repeating: [:], count: codes.count),
            count: depthLabels.count)
        var predicted = observed
        for p in predictions {
            precondition(
                depthLabels.indices.contains(p.depth),
                "ZoneBreakdown.build: site \(p.siteID) has depth index \(p.depth), outside 0..<\(depthLabels.count)")
            guard let code = assignment.zoneOfSite[p.siteID] ?? nil, let z = zoneIndex[code] else {
                nodataSites.insert(p.siteID)
                nodataSamples += 1
                continue
            }
            sitesInZone[z].insert(p.siteID)
            guard p.observed.isFinite else { continue }
            samples[p.depth][z] += 1
            for model in models {
                guard let value = p.predicted[model], value.isFinite else { continue }
                observed[p.depth][z][model, default: []].append(p.observed)
                predicted[p.depth][z][model, default: []].append(value)
            }
        }
        var rows: [Row] = []
        for (d, depth) in depthLabels.enumerated() {
            for (z, code) in codes.enumerated() {
                for model in models {
                    let m = Metrics.compute(
                        observed: observed[d][z][model] ?? [], predicted: predicted[d][z][model] ?? [])
                    rows.append(
                        Row(
                            model: model, depth: depth, zone: code, label: labels[code]!, metrics: m,
                            tooFew: m.n < minimumCount))
                }
            }
        }
        let zones = codes.enumerated().map { Zone(code: $1, label: labels[$1]!, sites: sitesInZone[$0].count) }
        return ZoneBreakdown(
            source: assignment.source, minimumCount: minimumCount, models: models, depthLabels: depthLabels,
            zones: zones, rows: rows, samples: samples, nodataSites: nodataSites.count,
            nodataSamples: nodataSamples)
    }
}
