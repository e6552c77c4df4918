import Compute
import Foundation

/// A calibrated prediction interval applied cell by cell: per depth the bounds are
/// prediction ± q (plain conformal), prediction ± q · (s + floor) (locally adaptive), where s is
/// the cell's spread (SD) of the k cross-validation models' predictions, prediction ± q · r(prediction) (scaled
/// conformal, r the residual scale against the prediction), or (prediction + c) · e^(± q) − c
/// (conformal on the log scale, c the depth's offset; a prediction below 0 taken as 0); bounds below the property's
/// lowest possible value (`lowerLimit`) are raised to it, bounds above its highest (`upperLimit`)
/// lowered to it. The median (Q0.5) is the prediction moved by the depth's median signed held-out score on
/// the same scale, and the uncertainty (Q_upper − Q_lower) / Q0.5, as SoilGrids maps it. q, floor, offset
/// and centre come from cross-validation (Evaluation's `IntervalCalibration`); here they are only applied,
/// so the map stage adds a few operations per cell and keeps memory bounded by the tile.
public struct PredictionInterval: Sendable, Equatable {
    /// Nominal coverage, in (0, 1), e.g. 0.9.
    public var level: Double
    /// Whether the half-width scales with the cell's spread.
    public var adaptive: Bool
    /// q per depth, in layer order (finite, non-negative).
    public var halfWidths: [Double]
    /// The floor added to the spread per depth (adaptive only; 0 otherwise).
    public var floors: [Double]
    /// The log scale's offset c per depth (conformal on the log scale); nil: a band of ± q.
    public var logOffsets: [Double]?
    /// The median signed held-out score per depth, in layer order (`IntervalCalibration.centre`): what
    /// moves the prediction to Q0.5.
    public var centres: [Double]
    /// The residual scale r(prediction) per depth of the scaled conformal interval, prediction ± q · r; nil
    /// for the other methods.
    public var scales: [PiecewiseLinear]?
    /// The smallest value the property can take (e.g. 0 g/kg): bounds below it are raised to it, so
    /// a symmetric interval around a small prediction does not reach impossible values. The
    /// coverage is unchanged, since no observation lies below it. Nil: no limit.
    public var lowerLimit: Double?
    /// The largest value the property can take (the top of `profiles.valid_range`): bounds above it are
    /// lowered to it, the coverage unchanged for the same reason. Nil: no limit.
    public var upperLimit: Double?
    /// Per depth, with residual kriging, the band scaled by the cell's kriging SD where that is calibrated
    /// (Evaluation's `KrigingVarianceCheck`); nil entries (or nil) keep the method's band.
    public var krigedBands: [KrigedBand?]? = nil

    /// A band of prediction ± q · (kriging SD + floor), its median prediction + centre · (kriging SD + floor).
    public struct KrigedBand: Sendable, Equatable {
        /// The conformal quantile of |residual| / (kriging SD + floor).
        public var q: Double
        /// Added to the kriging SD.
        public var floor: Double
        /// The median signed score.
        public var centre: Double

        /// A band with these calibrated values.
        public init(q: Double, floor: Double, centre: Double) {
            self.q = q
            self.floor = floor
            self.centre = centre
        }
    }

    /// Creates an interval; `halfWidths` and `floors` have one finite, non-negative entry per depth,
    /// `centres` one finite entry per depth.
    public init(
        level: Double, adaptive: Bool, halfWidths: [Double], floors: [Double], logOffsets: [Double]? = nil,
        centres: [Double], scales: [PiecewiseLinear]? = nil, lowerLimit: Double? = nil, upperLimit: Double? = nil
    ) {
        precondition(level > 0 && level < 1, "PredictionInterval: level \(level) must lie in (0, 1)")
        precondition(halfWidths.count == floors.count, "PredictionInterval: one floor per half-width")
        precondition(
            halfWidths.allSatisfy { $0.isFinite && $0 >= 0 } && floors.allSatisfy { $0.isFinite && $0 >= 0 },
            "PredictionInterval: half-widths and floors must be finite and non-negative")
        precondition(
            logOffsets == nil
                || (!adaptive && logOffsets!.count == halfWidths.count
                    && logOffsets!.allSatisfy { $0.isFinite && $0 > 0 }),
            "PredictionInterval: a log-scale interval has one positive offset per depth and is not adaptive")
        precondition(
            centres.count == halfWidths.count && centres.allSatisfy(\.isFinite),
            "PredictionInterval: one finite centre per depth")
        precondition(
            scales == nil || (!adaptive && logOffsets == nil && scales!.count == halfWidths.count),
            "PredictionInterval: a scaled interval has one residual scale per depth, and no spread or offset")
        precondition(lowerLimit?.isFinite ?? true, "PredictionInterval: the lower limit must be finite")
        precondition(upperLimit?.isFinite ?? true, "PredictionInterval: the upper limit must be finite")
        precondition(
            lowerLimit == nil || upperLimit == nil || lowerLimit! < upperLimit!,
            "PredictionInterval: the lower limit must lie below the upper limit")
        self.level = level
        self.adaptive = adaptive
        self.halfWidths = halfWidths
        self.floors = floors
        self.logOffsets = logOffsets
        self.centres = centres
        self.scales = scales
        self.lowerLimit = lowerLimit
        self.upperLimit = upperLimit
    }

    /// The quantile the lower bound stands for, (1 − level) / 2 (0.05 for 0.9).
    public var lowerQuantile: Double { (1 - level) / 2 }
    /// The quantile the upper bound stands for, (1 + level) / 2 (0.95 for 0.9).
    public var upperQuantile: Double { (1 + level) / 2 }

    /// The interval's layers of one depth of a tile, each NaN where the prediction is not finite.
    public struct Layers: Sendable, Equatable {
        /// The lower bound (Q at `lowerQuantile`).
        public var lower: [Float]
        /// The upper bound (Q at `upperQuantile`).
        public var upper: [Float]
        /// The median, Q0.5.
        public var median: [Float]
        /// (upper − lower) / median; NaN where the median is not above 0 (the ratio is not defined).
        public var uncertainty: [Float]

        /// Cell `c`'s bounds and median kept within the limits, and its uncertainty.
        mutating func set(
            _ c: Int, lower: Double, upper: Double, median: Double, within low: Double?, _ high: Double?
        ) {
            var (lo, hi, mid) = (lower, upper, median)
            if let low { (lo, hi, mid) = (max(lo, low), max(hi, low), max(mid, low)) }
            if let high { (lo, hi, mid) = (min(lo, high), min(hi, high), min(mid, high)) }
            self.lower[c] = Float(lo)
            self.upper[c] = Float(hi)
            self.median[c] = Float(mid)
            if mid > 0 { uncertainty[c] = Float((hi - lo) / mid) }
        }
    }

    /// The interval's layers of `depth` for a tile's `prediction` and, for an adaptive interval, the
    /// cells' `spread` (NaN stays NaN; a plain interval ignores the spread). Bounds and median are kept
    /// within the limits.
    public func layers(prediction: [Float], spread: [Float]?, krigingSD: [Float]? = nil, depth: Int) -> Layers {
        if let band = krigedBands?[depth], let krigingSD {
            return krigedLayers(prediction: prediction, sd: krigingSD, band: band)
        }
        precondition(
            spread == nil || prediction.count == spread!.count,
            "PredictionInterval.layers: \(prediction.count) predictions, \(spread!.count) spreads")
        precondition(!adaptive || spread != nil, "PredictionInterval.layers: an adaptive interval needs the spread")
        let q = halfWidths[depth]
        let floor = floors[depth]
        let offset = logOffsets?[depth]
        let m = centres[depth]
        let residualScale = scales?[depth]
        let (grow, shrink, shift) = (exp(q), exp(-q), exp(m))
        var out = Layers(
            lower: [Float](repeating: .nan, count: prediction.count), upper: [], median: [], uncertainty: [])
        (out.upper, out.median, out.uncertainty) = (out.lower, out.lower, out.lower)
        for c in prediction.indices {
            let p = Double(prediction[c])
            let scale = adaptive ? Double(spread![c]) + floor : residualScale.map { $0(p) } ?? 1
            guard p.isFinite, scale.isFinite else { continue }
            var (lo, hi, mid) = (p - q * scale, p + q * scale, p + m * scale)
            if let offset {
                let base = max(p, 0) + offset
                (lo, hi, mid) = (base * shrink - offset, base * grow - offset, base * shift - offset)
            }
            out.set(c, lower: lo, upper: hi, median: mid, within: lowerLimit, upperLimit)
        }
        return out
    }

    /// The layers of a kriged band (`krigedBands`) from the cells' kriging SD.
    func krigedLayers(prediction: [Float], sd: [Float], band: KrigedBand) -> Layers {
        precondition(prediction.count == sd.count, "PredictionInterval: a kriging SD per cell")
        var out = Layers(
            lower: [Float](repeating: .nan, count: prediction.count), upper: [], median: [], uncertainty: [])
        (out.upper, out.median, out.uncertainty) = (out.lower, out.lower, out.lower)
        for c in prediction.indices {
            let p = Double(prediction[c])
            let scale = Double(sd[c]) + band.floor
            guard p.isFinite, scale.isFinite else { continue }
            let (lo, hi, mid) = (p - band.q * scale, p + band.q * scale, p + band.centre * scale)
            out.set(c, lower: lo, upper: hi, median: mid, within: lowerLimit, upperLimit)
        }
        return out
    }

    /// A one-line description for the tile manifest, e.g. "conformal 0.9 q=[1.5, 2.25] floor=[0, 0] lower
    /// limit=0.0 upper limit=1000.0".
    public var summary: String {
        "\(adaptive ? "adaptive" : logOffsets != nil ? "log conformal" : scales != nil ? "scaled conformal" : "conformal") "
            + "\(level) q=\(halfWidths) " + (logOffsets.map { "offset=\($0)" } ?? "floor=\(floors)")
            + " centre=\(centres)" + (scales.map { " scale=\($0.map { [$0.x, $0.y] })" } ?? "")
            + (lowerLimit.map { " lower limit=\($0)" } ?? "") + (upperLimit.map { " upper limit=\($0)" } ?? "")
            + (krigedBands.map { b in
                " kriged="
                    + b.map { $0.map { "[q=\($0.q) floor=\($0.floor) centre=\($0.centre)]" } ?? "-" }.joined(
                        separator: ",")
            } ?? "")
    }
}
