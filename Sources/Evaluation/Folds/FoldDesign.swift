import Foundation

/// How the cross-validation folds were made: k, the grouping (random groups of sites, or spatial
/// blocks of a given size) and the seed. Stored in metrics.json (`design`) and named next to every
/// table of scores, so a reader knows what "held out" meant.
public struct FoldDesign: Sendable, Codable, Equatable {
    /// How sites are grouped into folds.
    public enum Grouping: String, Sendable, Codable, Equatable {
        /// Sites dealt at random into folds (`Folds.grouped`); all depths of a site in one fold.
        case sites
        /// Square spatial blocks dealt into folds (`Folds.spatialBlocks`); a block's sites in one fold.
        case spatialBlocks = "spatial_blocks"
        /// Samples dealt at random into folds (`Folds.samples`, `evaluate.split: samples`, the paper's
        /// split): other depths of a held-out profile may be in training, which flatters the scores.
        case samples
        /// kNNDM folds of sites (`Folds.knndm`, `evaluate.split: knndm`): held-out-to-training distances
        /// matched as well as they can be to the prediction cells' distances to the sites; a site's depths
        /// in one fold.
        case knndm
    }

    /// What kNNDM matched (`Folds.knndm`): W, its unit, the clusters merged into folds (nil: random
    /// site folds, as the sites were not clustered) and the KS test's p-value.
    public struct KNNDM: Sendable, Codable, Equatable {
        /// W between the CV and the prediction-to-sample distance ECDFs.
        public var w: Double
        /// The unit of W ("m", or the CRS's unit).
        public var unit: String
        /// The hierarchical clusters merged into the k folds (nil: random site folds).
        public var clusters: Int?
        /// The p-value of the one-sided KS test of sample-to-sample against prediction-to-sample distances.
        public var ksPValue: Double

        /// Makes the summary.
        public init(w: Double, unit: String, clusters: Int?, ksPValue: Double) {
            self.w = w
            self.unit = unit
            self.clusters = clusters
            self.ksPValue = ksPValue
        }

        enum CodingKeys: String, CodingKey {
            case w, unit, clusters
            case ksPValue = "ks_p_value"
        }

        /// E.g. "240 hierarchical clusters merged into folds; W = 21843 m", or why the folds are random.
        var text: String {
            let wText = "W = \(GeodistTable.distanceText(w)) \(unit)"
            guard let clusters else {
                return """
                    random site folds, as the sites are no nearer each other than the prediction cells are to \
                    them (one-sided KS p = \(String(format: "%.2g", ksPValue))); \(wText)
                    """
            }
            return "\(clusters) hierarchical clusters merged into folds; \(wText)"
        }
    }

    /// The number of folds.
    public var folds: Int
    /// How sites are grouped into folds.
    public var grouping: Grouping
    /// The side of a spatial block, in `blockUnit` (nil for `sites`).
    public var blockSize: Double?
    /// The unit of `blockSize`, e.g. "m" or "CRS units" (nil for `sites`).
    public var blockUnit: String?
    /// The seed the folds were shuffled with.
    public var seed: UInt64
    /// What kNNDM matched (nil for other groupings).
    public var knndm: KNNDM?

    /// Folds of randomly grouped sites.
    public static func sites(folds: Int, seed: UInt64) -> FoldDesign {
        FoldDesign(folds: folds, grouping: .sites, blockSize: nil, blockUnit: nil, seed: seed)
    }

    /// Folds of spatial blocks of `size` `unit`.
    public static func spatialBlocks(folds: Int, size: Double, unit: String, seed: UInt64) -> FoldDesign {
        FoldDesign(folds: folds, grouping: .spatialBlocks, blockSize: size, blockUnit: unit, seed: seed)
    }

    /// Folds of randomly dealt samples (site and depth).
    public static func samples(folds: Int, seed: UInt64) -> FoldDesign {
        FoldDesign(folds: folds, grouping: .samples, blockSize: nil, blockUnit: nil, seed: seed)
    }

    /// kNNDM folds of sites.
    public static func knndm(folds: Int, seed: UInt64, result: KNNDM) -> FoldDesign {
        FoldDesign(folds: folds, grouping: .knndm, blockSize: nil, blockUnit: nil, seed: seed, knndm: result)
    }

    /// Makes a design from its parts.
    public init(
        folds: Int, grouping: Grouping, blockSize: Double?, blockUnit: String?, seed: UInt64, knndm: KNNDM? = nil
    ) {
        self.folds = folds
        self.grouping = grouping
        self.blockSize = blockSize
        self.blockUnit = blockUnit
        self.seed = seed
        self.knndm = knndm
    }

    /// The grouping in a few words, e.g. "randomly grouped sites" or "spatial blocks of 50000 m".
    public var groupingText: String {
        switch grouping {
        case .sites: return "randomly grouped sites"
        case .spatialBlocks:
            let size = blockSize.map(Self.number) ?? "?"
            return "spatial blocks of \(size) \(blockUnit ?? "CRS units")"
        case .samples: return "randomly dealt samples"
        case .knndm: return "sites by kNNDM"
        }
    }

    /// One sentence for reports, e.g. "5-fold cross-validation, folds of randomly grouped sites (all
    /// depths of a site in one fold), seed 2025".
    public var description: String {
        switch grouping {
        case .sites:
            return """
                \(folds)-fold cross-validation, folds of randomly grouped sites (all depths \
                of a site in one fold), seed \(seed)
                """
        case .spatialBlocks:
            return """
                \(folds)-fold cross-validation, folds of \(groupingText) (every site of a block, at all \
                depths, in one fold), seed \(seed)
                """
        case .samples:
            return """
                \(folds)-fold cross-validation, folds of randomly dealt samples (other depths of a held-out profile \
                can be in training, which flatters the scores), seed \(seed)
                """
        case .knndm:
            return """
                \(folds)-fold cross-validation, kNNDM folds of sites (held-out-to-training distances matched \
                to the prediction cells' distances to the sites; all depths of a site in one fold): \
                \(knndm?.text ?? "W not recorded"), seed \(seed)
                """
        }
    }

    /// A short form for map metadata, e.g. "5-fold CV of randomly grouped sites, seed 2025".
    public var shortDescription: String {
        "\(folds)-fold CV of \(groupingText), seed \(seed)"
    }

    /// A block size without needless decimals ("50000", "0.25").
    static func number(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : "\(x)"
    }

    private enum CodingKeys: String, CodingKey {
        case folds, grouping, seed, description, knndm
        case blockSize = "block_size"
        case blockUnit = "block_unit"
    }

    /// Decodes a design (the `description` key is for readers and is ignored).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            folds: try c.decode(Int.self, forKey: .folds), grouping: try c.decode(Grouping.self, forKey: .grouping),
            blockSize: try c.decodeIfPresent(Double.self, forKey: .blockSize),
            blockUnit: try c.decodeIfPresent(String.self, forKey: .blockUnit),
            seed: try c.decode(UInt64.self, forKey: .seed), knndm: try c.decodeIfPresent(KNNDM.self, forKey: .knndm))
    }

    /// Encodes the design with its `description` sentence, so consumers of metrics.json can print it.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(folds, forKey: .folds)
        try c.encode(grouping, forKey: .grouping)
        try c.encodeIfPresent(blockSize, forKey: .blockSize)
        try c.encodeIfPresent(blockUnit, forKey: .blockUnit)
        try c.encode(seed, forKey: .seed)
        try c.encodeIfPresent(knndm, forKey: .knndm)
        try c.encode(description, forKey: .description)
    }
}
