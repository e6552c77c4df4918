import Foundation

/// The variants of a study scored on identical folds, and each one's paired RMSE difference to
/// each baseline per depth and pooled over depths.
public struct StudyComparison: Sendable, Codable, Equatable {
    /// One variant against one baseline at one depth (or `EvaluationTable.allDepths`).
    public struct Difference: Sendable, Codable, Equatable {
        /// The variant's name.
        public var variant: String
        /// The baseline's name.
        public var baseline: String
        /// The depth label, or "all".
        public var depth: String
        /// RMSE(variant) - RMSE(baseline) with its paired bootstrap interval (negative: the variant is better).
        public var rmse: PairedBootstrap.Interval
    }

    /// Every variant's metrics per depth and pooled (variants are the table's models).
    public var table: EvaluationTable
    /// Variant names marked as baselines.
    public var baselines: [String]
    /// The differences, variant-major then baseline then depth.
    public var differences: [Difference]
    /// Bootstrap resamples of sites.
    public var resamples: Int
    /// The interval's confidence level.
    public var level: Double

    /// The difference of a variant to a baseline at a depth key.
    public func difference(_ variant: String, _ baseline: String, depth: String) -> Difference? {
        differences.first { $0.variant == variant && $0.baseline == baseline && $0.depth == depth }
    }

    /// Scores the variants on their held-out predictions (keyed by variant name) and compares each
    /// variant with each baseline on the samples both predicted, resampling sites `resamples` times.
    public static func build(
        predictions: [HeldOutPrediction], variants: [String], baselines: [String], depthLabels: [String],
        design: FoldDesign, resamples: Int, level: Double = 0.95, seed: UInt64
    ) -> StudyComparison {
        let table = EvaluationTable.build(
            predictions: predictions, models: variants, depthLabels: depthLabels, design: design)
        var differences: [Difference] = []
        for variant in variants {
            for baseline in baselines where baseline != variant {
                for (k, key) in (depthLabels + [EvaluationTable.allDepths]).enumerated() {
                    var bySite: [String: PairedBootstrap.SiteErrors] = [:]
                    for p in predictions where key == EvaluationTable.allDepths || p.depth == k {
                        guard let a = p.predicted[variant], let b = p.predicted[baseline], a.isFinite, b.isFinite else {
                            continue
                        }
                        var e = bySite[p.siteID] ?? PairedBootstrap.SiteErrors(a: 0, b: 0, count: 0)
                        e.a += (a - p.observed) * (a - p.observed)
                        e.b += (b - p.observed) * (b - p.observed)
                        e.count += 1
                        bySite[p.siteID] = e
                    }
                    let sites = bySite.keys.sorted().map { bySite[$0]! }
                    let stream = seed ^ (UInt64(k) &* 0x9E37_79B9_7F4A_7C15)
                    differences.append(
                        Difference(
                            variant: variant, baseline: baseline, depth: key,
                            rmse: PairedBootstrap.rmseDifference(
                                sites, resamples: resamples, level: level,
                                seed: stream)))
                }
            }
        }
        return StudyComparison(
            table: table, baselines: baselines, differences: differences, resamples: resamples, level: level)
    }
}
