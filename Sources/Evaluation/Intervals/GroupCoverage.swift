import Foundation

/// Coverage of the maps' interval within one group of held-out samples (a zone, or inside / outside the
/// area of applicability), per model and depth: the share of held-out observations inside their
/// interval calibrated on the other folds (`HeldOutPrediction.bounds`), and the mean width, folds pooled.
public struct GroupCoverage: Codable, Sendable, Equatable {
    /// The model's name.
    public var model: String
    /// The depth label.
    public var depth: String
    /// The group, e.g. a zone's label or "inside AOA".
    public var group: String
    /// Share of the group's held-out observations inside their interval (NaN: none tried).
    public var picp: Double
    /// Mean interval width (NaN: none tried).
    public var meanWidth: Double
    /// Held-out samples tried.
    public var n: Int

    enum CodingKeys: String, CodingKey {
        case model, depth, group, picp, n
        case meanWidth = "mean_width"
    }

    /// Makes a row.
    public init(model: String, depth: String, group: String, picp: Double, meanWidth: Double, n: Int) {
        self.model = model
        self.depth = depth
        self.group = group
        self.picp = picp
        self.meanWidth = meanWidth
        self.n = n
    }

    /// Decodes a row; `null` reads as NaN.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            model: try c.decode(String.self, forKey: .model), depth: try c.decode(String.self, forKey: .depth),
            group: try c.decode(String.self, forKey: .group),
            picp: try c.decodeNaNIfNull(forKey: .picp),
            meanWidth: try c.decodeNaNIfNull(forKey: .meanWidth),
            n: try c.decode(Int.self, forKey: .n))
    }

    /// Encodes a row; NaN as `null`.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(model, forKey: .model)
        try c.encode(depth, forKey: .depth)
        try c.encode(group, forKey: .group)
        try c.encode(n, forKey: .n)
        try c.encodeNullIfNaN(picp, forKey: .picp)
        try c.encodeNullIfNaN(meanWidth, forKey: .meanWidth)
    }

    /// The rows of `models` per depth and group, groups in the order of `groups`: each held-out
    /// prediction with bounds counted in the group `group(of:)` gives it (nil: in none). Groups without a
    /// sample at a depth get a row with n = 0. `groups` names each group once.
    public static func measure(
        _ predictions: [HeldOutPrediction], models: [String], depthLabels: [String], groups: [String],
        group: (HeldOutPrediction) -> String?
    ) -> [GroupCoverage] {
        precondition(Set(groups).count == groups.count, "GroupCoverage.measure: a group named twice in \(groups)")
        let index = Dictionary(uniqueKeysWithValues: groups.enumerated().map { ($1, $0) })
        var rows: [GroupCoverage] = []
        for model in models {
            // counts[depth][group] = (inside, tried, width sum)
            var counts = [[(inside: Int, tried: Int, width: Double)]](
                repeating: [(inside: Int, tried: Int, width: Double)](repeating: (0, 0, 0), count: groups.count),
                count: depthLabels.count)
            for p in predictions where depthLabels.indices.contains(p.depth) {
                guard let b = p.bounds[model], let name = group(p), let g = index[name] else { continue }
                counts[p.depth][g].tried += 1
                counts[p.depth][g].width += b.upper - b.lower
                if b.lower <= p.observed && p.observed <= b.upper { counts[p.depth][g].inside += 1 }
            }
            for (d, label) in depthLabels.enumerated() {
                for (g, name) in groups.enumerated() {
                    let c = counts[d][g]
                    let n = Double(c.tried)
                    rows.append(
                        GroupCoverage(
                            model: model, depth: label, group: name, picp: c.tried > 0 ? Double(c.inside) / n : .nan,
                            meanWidth: c.tried > 0 ? c.width / n : .nan, n: c.tried))
                }
            }
        }
        return rows
    }
}
