import Foundation
import TextFormat

/// Whether the kriging variance belongs in a kriged model's interval, depth by depth: on the held-out samples of
/// residual kriging (each with its kriging SD as `IntervalSample.spread`), the band of the maps' method and the
/// band ± q · (kriging SD + floor) (the adaptive method with the kriging SD as the difficulty), each calibrated on
/// the other folds, are compared by their coverage in each fifth of the kriging SD. The kriging variance is folded
/// in at a depth only where it is needed and calibrated: the method's band misses the level in some fifth, and the
/// kriged band in none; a fifth misses when its coverage is further than `tolerance` from the level and outside
/// the range a calibrated band's falls in by chance with its samples (`CalibratedRange`).
public struct KrigingVarianceCheck: Codable, Sendable, Equatable {
    /// One depth's comparison.
    public struct Depth: Codable, Sendable, Equatable {
        /// The depth label.
        public var depth: String
        /// Held-out samples with a kriging SD.
        public var n: Int
        /// The upper kriging SD of each fifth but the last (in the values' unit).
        public var fifthEdges: [Double]
        /// The coverage of the maps' method's band in each fifth of the kriging SD.
        public var methodCoverage: [Double]
        /// The coverage of the band scaled by the kriging SD in each fifth.
        public var krigedCoverage: [Double]
        /// Whether the maps' band at this depth scales with the kriging SD.
        public var folded: Bool

        enum CodingKeys: String, CodingKey {
            case depth, n, folded
            case fifthEdges = "fifth_edges"
            case methodCoverage = "method_coverage"
            case krigedCoverage = "kriged_coverage"
        }

        /// A depth's comparison.
        public init(
            depth: String, n: Int, fifthEdges: [Double], methodCoverage: [Double], krigedCoverage: [Double],
            folded: Bool
        ) {
            (self.depth, self.n, self.fifthEdges, self.folded) = (depth, n, fifthEdges, folded)
            (self.methodCoverage, self.krigedCoverage) = (methodCoverage, krigedCoverage)
        }

        /// Reads a depth; an empty fifth's coverage (`null`: the kriging SD's fifths coincide where it is
        /// nearly constant) reads as NaN.
        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                depth: try c.decode(String.self, forKey: .depth), n: try c.decode(Int.self, forKey: .n),
                fifthEdges: try c.decodeNumbers(forKey: .fifthEdges),
                methodCoverage: try c.decodeNumbers(forKey: .methodCoverage),
                krigedCoverage: try c.decodeNumbers(forKey: .krigedCoverage),
                folded: try c.decode(Bool.self, forKey: .folded))
        }

        /// Writes a depth, an empty fifth's coverage as `null`.
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(depth, forKey: .depth)
            try c.encode(n, forKey: .n)
            try c.encodeNumbers(fifthEdges, forKey: .fifthEdges)
            try c.encodeNumbers(methodCoverage, forKey: .methodCoverage)
            try c.encodeNumbers(krigedCoverage, forKey: .krigedCoverage)
            try c.encode(folded, forKey: .folded)
        }

        /// Equal when every field is, an empty fifth's NaN equal to NaN.
        public static func == (a: Depth, b: Depth) -> Bool {
            func same(_ x: [Double], _ y: [Double]) -> Bool {
                x.count == y.count && zip(x, y).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
            }
            return a.depth == b.depth && a.n == b.n && a.folded == b.folded && same(a.fifthEdges, b.fifthEdges)
                && same(a.methodCoverage, b.methodCoverage) && same(a.krigedCoverage, b.krigedCoverage)
        }
    }

    /// The kriged model's name ("<model>+rk").
    public var model: String
    /// The maps' method the kriged band is compared with.
    public var method: IntervalMethod
    /// The nominal level.
    public var level: Double
    /// Largest departure of a fifth's coverage from the level for the kriged band to be used.
    public var tolerance: Double
    /// One per depth with samples.
    public var depths: [Depth]

    /// A fifth may miss the level by this much (0.05: 0.85-0.95 at 0.9).
    public static let defaultTolerance = 0.05

    /// The comparison on `samples` (one model's held-out samples, `spread` the kriging SD, NaN where not kriged).
    public static func measure(
        _ samples: [IntervalSample], model: String, method: IntervalMethod, level: Double, folds: Int,
        depthLabels: [String], tolerance: Double = defaultTolerance
    ) -> KrigingVarianceCheck {
        var depths: [Depth] = []
        for (d, label) in depthLabels.enumerated() {
            let list = samples.filter { $0.depth == d && $0.spread.isFinite }
            guard list.count >= 10 else { continue }
            let own = IntervalCalibration.heldOutBounds(list, method: method, level: level, folds: folds)
            let kriged = IntervalCalibration.heldOutBounds(list, method: .adaptive, level: level, folds: folds)
            let sorted = list.map(\.spread).sorted()
            let edges = (1..<5).map { sorted[min(sorted.count - 1, $0 * sorted.count / 5)] }
            func fifth(_ s: Double) -> Int { edges.firstIndex { s < $0 } ?? 4 }
            var sizes = [Int](repeating: 0, count: 5)
            for s in list { sizes[fifth(s.spread)] += 1 }
            func coverage(_ bounds: [IntervalBounds?]) -> [Double] {
                var (hit, all) = ([Int](repeating: 0, count: 5), [Int](repeating: 0, count: 5))
                for (s, b) in zip(list, bounds) {
                    let f = fifth(s.spread)
                    all[f] += 1
                    if let b, b.lower <= s.observed, s.observed <= b.upper { hit[f] += 1 }
                }
                return (0..<5).map { all[$0] > 0 ? Double(hit[$0]) / Double(all[$0]) : .nan }
            }
            let (a, b) = (coverage(own), coverage(kriged))
            // A fifth misses when its coverage is further than `tolerance` from the level and further than a
            // calibrated band's falls by chance with its samples (`CalibratedRange`).
            func misses(_ c: [Double]) -> Bool {
                (0..<5).contains { f in
                    c[f].isFinite && abs(c[f] - level) > tolerance
                        && CalibratedRange.isMiss(picp: c[f], n: sizes[f], level: level)
                }
            }
            // Needed (the method's band misses some fifth) and calibrated (the kriged band misses none).
            let folded = misses(a) && !misses(b)
            depths.append(
                Depth(
                    depth: label, n: list.count, fifthEdges: edges, methodCoverage: a, krigedCoverage: b, folded: folded
                ))
        }
        return KrigingVarianceCheck(model: model, method: method, level: level, tolerance: tolerance, depths: depths)
    }

    /// Whether the kriging variance is folded into the band at `depth`.
    public func folded(_ depth: String) -> Bool { depths.first { $0.depth == depth }?.folded ?? false }

    /// The summary's section: per depth the coverage of both bands in each fifth of the kriging SD, and which
    /// band the maps use.
    public func markdown(unit: String) -> String {
        guard !depths.isEmpty else { return "" }
        let level = NumberText.fixed(self.level, 2, nonFinite: "?")
        var out = "\n### Kriging variance in the interval of \(model)\n\n"
        out += "Residual kriging's held-out samples (each outer fold's residuals from its inner folds, kriged to its "
        out += "held-out sites) in fifths of their kriging SD\(unit.isEmpty ? "" : " (\(unit))"): the coverage of the "
        out += "\(method.rawValue) band and of the band ± q · (kriging SD + floor), each calibrated on the other folds "
        out += "(nominal \(level)). The maps scale the interval with the kriging SD only at depths where the "
        out += "\(method.rawValue) band misses the level in some fifth and that band in none; a fifth misses when "
        out += "it is further than \(NumberText.fixed(tolerance, 2, nonFinite: "?")) from the level and outside the "
        out +=
            "range a calibrated band's coverage falls in by chance with its samples (95 %, binomial). (In the tables above, \(model)'s adaptive "
        out += "band is this one: its spread is the kriging SD.)\n\n"
        out += "| Depth | n | Kriging SD fifths (upper edges) | \(method.rawValue) by fifth | kriging SD band by fifth "
        out += "| Maps use |\n|---|---:|---|---|---|---|\n"
        func list(_ v: [Double], _ digits: Int) -> String {
            v.map { NumberText.fixed($0, digits, nonFinite: "–") }.joined(separator: ", ")
        }
        for d in depths {
            let edges = d.fifthEdges.map { NumberText.significant($0, 3) }.joined(separator: ", ")
            out += "| \(TextFormatting.depthDisplay(d.depth)) | \(d.n) | \(edges) | \(list(d.methodCoverage, 2)) | "
            out += "\(list(d.krigedCoverage, 2)) | \(d.folded ? "kriging SD band" : method.rawValue) |\n"
        }
        return out
    }
}
