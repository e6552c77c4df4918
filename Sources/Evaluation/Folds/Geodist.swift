import Foundation

/// The geodist comparison (CAST's `geodist`): three distributions of nearest-neighbour distances (NND),
/// sample-to-sample (each site to the nearest other site), CV (each held-out site to the nearest site
/// its fold trains on) and prediction-to-sample (each prediction point to the nearest site). Folds whose
/// CV distances are shorter than the prediction distances test the model nearer the sites than the map
/// predicts, and flatter it.
public struct Geodist: Sendable {
    /// Each site's distance to the nearest other site.
    public var sampleToSample: [Double]
    /// Each held-out site's distance to the nearest site its fold trains on (one per site and fold
    /// holding out a sample of it; 0 when another depth of the same site trains, as under `split: samples`).
    public var crossValidation: [Double]
    /// Each prediction point's distance to the nearest site.
    public var predictionToSample: [Double]
    /// The distances' unit ("m" for great-circle distances, else the CRS's unit).
    public var unit: String

    /// The report's plot of the three ECDFs, in the evaluation folder.
    public static let plotFile = "plots/geodist.svg"

    /// The three distributions of `sites` under a plan: `foldOfSample[s]` (-1: outside the plan) is the
    /// fold of sample s, whose site is `siteOfSample[s]`; `prediction` are the prediction points.
    public static func build(
        sites: SpatialPoints, prediction: SpatialPoints, foldOfSample: [Int], siteOfSample: [Int], unit: String
    ) -> Geodist {
        precondition(foldOfSample.count == siteOfSample.count, "Geodist: one fold per sample")
        let k = (foldOfSample.max() ?? -1) + 1
        var heldOut = [Set<Int>](repeating: [], count: k)
        var training = [Set<Int>](repeating: [], count: k)
        for (s, f) in foldOfSample.enumerated() where f >= 0 {
            heldOut[f].insert(siteOfSample[s])
            for g in 0..<k where g != f { training[g].insert(siteOfSample[s]) }
        }
        var cv: [Double] = []
        for f in 0..<k where !training[f].isEmpty {
            let train = sites.subset(training[f].sorted())
            let test = sites.subset(heldOut[f].sorted())
            cv += NearestDistances.between(test, train)
        }
        let cells = (0..<prediction.count).filter { prediction.x[$0].isFinite && prediction.y[$0].isFinite }
        return Geodist(
            sampleToSample: NearestDistances.withinSet(sites).filter(\.isFinite), crossValidation: cv,
            predictionToSample: sites.count > 0 ? NearestDistances.between(prediction.subset(cells), sites) : [],
            unit: unit)
    }

    /// The table of the three distributions (quantiles, mean, W).
    public var table: GeodistTable {
        GeodistTable(
            unit: unit,
            rows: [
                .init(.sampleToSample, sampleToSample), .init(.crossValidation, crossValidation),
                .init(.predictionToSample, predictionToSample)
            ],
            wCrossValidation: Self.finite(KNNDMStatistics.wasserstein(crossValidation, predictionToSample)),
            wSampleToSample: Self.finite(KNNDMStatistics.wasserstein(sampleToSample, predictionToSample)))
    }

    static func finite(_ x: Double) -> Double? { x.isFinite ? x : nil }
}

/// The geodist table: per distribution n, mean and the 5, 25, 50, 75 and 95 % quantiles (R's type 7),
/// and the Wasserstein distances W of the CV and of the sample-to-sample distances to the
/// prediction-to-sample ones (0: the same distribution). In metrics.json (`geodist`), summary.md and
/// the run's report.
public struct GeodistTable: Sendable, Codable, Equatable {
    /// Which distances a row describes.
    public enum Distribution: String, Sendable, Codable, Equatable, CaseIterable {
        /// Each site to the nearest other site.
        case sampleToSample = "sample_to_sample"
        /// Each held-out site to the nearest site of its fold's training.
        case crossValidation = "cv"
        /// Each prediction point to the nearest site.
        case predictionToSample = "prediction_to_sample"

        /// The row's label in tables and the plot's legend.
        public var label: String {
            switch self {
            case .sampleToSample: return "sample-to-sample"
            case .crossValidation: return "CV (held-out to training)"
            case .predictionToSample: return "prediction-to-sample"
            }
        }
    }

    /// One distribution's summary (nil values: no distances).
    public struct Row: Sendable, Codable, Equatable {
        /// The distribution.
        public var distribution: Distribution
        /// The number of distances.
        public var n: Int
        /// Their mean.
        public var mean: Double?
        /// Their 5, 25, 50, 75 and 95 % quantiles.
        public var q05: Double?, q25: Double?, q50: Double?, q75: Double?, q95: Double?

        /// The summary of `distances`.
        public init(_ distribution: Distribution, _ distances: [Double]) {
            let sorted = distances.filter(\.isFinite).sorted()
            func q(_ p: Double) -> Double? { Geodist.finite(Statistics.quantile(sorted: sorted, p)) }
            self.distribution = distribution
            n = sorted.count
            mean = Geodist.finite(Statistics.mean(sorted))
            (q05, q25, q50, q75, q95) = (q(0.05), q(0.25), q(0.5), q(0.75), q(0.95))
        }
    }

    /// The distances' unit.
    public var unit: String
    /// Sample-to-sample, CV, prediction-to-sample.
    public var rows: [Row]
    /// W between the CV and the prediction-to-sample distances.
    public var wCrossValidation: Double?
    /// W between the sample-to-sample and the prediction-to-sample distances.
    public var wSampleToSample: Double?

    /// Makes a table from its parts.
    public init(unit: String, rows: [Row], wCrossValidation: Double?, wSampleToSample: Double?) {
        self.unit = unit
        self.rows = rows
        self.wCrossValidation = wCrossValidation
        self.wSampleToSample = wSampleToSample
    }

    enum CodingKeys: String, CodingKey {
        case unit, rows
        case wCrossValidation = "w_cv"
        case wSampleToSample = "w_sample_to_sample"
    }

    /// The row of a distribution.
    public func row(_ distribution: Distribution) -> Row? { rows.first { $0.distribution == distribution } }

    /// A Markdown section: a sentence, the table, and W; `plot` is the plot's path as the reader finds it.
    public func markdown(heading: String = "##", plot: String = Geodist.plotFile) -> String {
        func v(_ x: Double?) -> String { x.map(Self.distanceText) ?? "NA" }
        var md = "\(heading) Nearest-neighbour distances (geodist)\n\n"
        md += """
            Distances (\(unit)) from each site to the nearest other site, from each held-out site to the \
            nearest site its fold trains on, and from each prediction point (cells sampled where the \
            covariates have data) to the nearest site. Cross-validation resembles the map's prediction \
            task when the CV row matches the prediction-to-sample row; shorter CV distances flatter the \
            scores. Plot: `\(plot)`.\n\n
            """
        md += "| distances | n | mean | 5 % | 25 % | median | 75 % | 95 % |\n|---|---:|---:|---:|---:|---:|---:|---:|\n"
        for r in rows {
            md += "| \(r.distribution.label) | \(r.n) | \(v(r.mean)) | \(v(r.q05)) | \(v(r.q25)) | \(v(r.q50)) "
            md += "| \(v(r.q75)) | \(v(r.q95)) |\n"
        }
        md += """
            \nWasserstein W to the prediction-to-sample distances (\(unit); 0: the same distribution): CV \
            \(v(wCrossValidation)), sample-to-sample \(v(wSampleToSample)).\n
            """
        return md
    }

    /// A distance with four significant digits, without exponent for everyday magnitudes.
    public static func distanceText(_ x: Double) -> String {
        guard x.isFinite else { return "NA" }
        if abs(x) >= 1000 { return String(format: "%.0f", x) }
        return String(format: "%.4g", x)
    }
}
