import Foundation

/// One generated horizon row; `soc` nil is written as NA.
struct GeneratedHorizon: Sendable, Equatable {
    /// The site id.
    var siteID: String
    /// Upper depth, cm.
    var top: Int
    /// Lower depth, cm.
    var bottom: Int
    /// Observed SOC, g/kg (nil = not measured).
    var soc: Double?
}

/// Horizon tables for the sites: irregular boundaries, varying profile depth, SOC from `SOCTruth`
/// with noise, and a few deliberate data problems.
enum HorizonGenerator {
    /// Share of SOC values written as NA.
    static let missingShare = 0.005

    /// Profile depths (cm) drawn with equal probability before a small jitter: many profiles stop
    /// above 100 or 200 cm, so the deep intervals are missing for some sites.
    static let profileDepths = [40, 50, 60, 70, 80, 100, 100, 120, 120, 150, 150, 180, 200, 200, 200]

    /// Horizon boundaries for one profile: 3...7 horizons from 0 to 40...200 cm, each at least 5 cm thick.
    static func boundaries(_ rng: inout SeededGenerator) -> [Int] {
        var depth = profileDepths[rng.integer(in: 0...(profileDepths.count - 1))]
        if depth < 200 { depth = min(200, max(40, depth + rng.integer(in: -5...5))) }
        let first = rng.integer(in: 5...20)
        let count = max(3, min(rng.integer(in: 3...7), 1 + (depth - first) / 10))
        // Deeper horizons tend to be thicker: weights grow with position.
        let weights = (0..<(count - 1)).map { i in rng.uniform(0.5, 1.5) * (1 + 0.4 * Double(i)) }
        let total = weights.reduce(0, +)
        var bounds = [0, first]
        var acc = 0.0
        for w in weights.dropLast() {
            acc += w
            let b = first + Int((Double(depth - first) * acc / total).rounded())
            bounds.append(max(bounds[bounds.count - 1] + 5, b))
        }
        bounds.append(depth)
        // Repair any horizon squeezed below 5 cm at the bottom by merging it upward.
        while bounds.count > 2, bounds[bounds.count - 1] - bounds[bounds.count - 2] < 5 {
            bounds.remove(at: bounds.count - 2)
        }
        return bounds
    }

    /// Horizons for every site, `inputs[i]` being site i's truth inputs.
    static func generate(siteIDs: [String], inputs: [SOCTruth.Inputs], rng: inout SeededGenerator) -> [GeneratedHorizon]
    {
        precondition(siteIDs.count == inputs.count, "HorizonGenerator: \(siteIDs.count) ids for \(inputs.count) inputs")
        var rows: [GeneratedHorizon] = []
        for (id, x) in zip(siteIDs, inputs) {
            let b = boundaries(&rng)
            for i in 0..<(b.count - 1) {
                let expected = SOCTruth.mean(x, top: Double(b[i]), bottom: Double(b[i + 1]))
                let z = rng.normal()
                let sigma = SOCTruth.noiseSigma
                let observed = expected * exp(sigma * z - sigma * sigma / 2)
                let missing = rng.chance(missingShare)
                rows.append(
                    GeneratedHorizon(
                        siteID: id, top: b[i], bottom: b[i + 1],
                        soc: missing ? nil : max(0.05, round(observed, 2))))
            }
        }
        return rows
    }

    /// Plants one horizon with its top below its bottom and one overlapping pair, on two different
    /// sites with at least four horizons; returns the changed rows' descriptions.
    static func plantProblems(_ rows: inout [GeneratedHorizon], rng: inout SeededGenerator) -> [String] {
        // Rows that are a middle horizon (not first, not last) of a profile with >= 4 horizons.
        var middles: [Int] = []
        var start = 0
        while start < rows.count {
            var end = start
            while end + 1 < rows.count, rows[end + 1].siteID == rows[start].siteID { end += 1 }
            if end - start + 1 >= 4 {
                // Rows with values (and a previous row with one) so the loader reaches the depth checks.
                middles.append(
                    contentsOf: ((start + 1)..<end).filter { rows[$0].soc != nil && rows[$0 - 1].soc != nil })
            }
            start = end + 1
        }
        guard Set(middles.map { rows[$0].siteID }).count >= 2 else { return [] }
        var notes: [String] = []
        let first = middles[rng.integer(in: 0...(middles.count - 1))]
        var second = first
        while rows[second].siteID == rows[first].siteID { second = middles[rng.integer(in: 0...(middles.count - 1))] }

        let r = rows[first]
        rows[first].top = r.bottom
        rows[first].bottom = r.top
        notes.append(
            """
            site \(r.siteID): horizon \(r.top)-\(r.bottom) cm written as top \
            \(r.bottom), bottom \(r.top) (top >= bottom)
            """
        )

        let o = rows[second]
        let previous = rows[second - 1]
        let shift = min(3, previous.bottom - previous.top - 1)
        rows[second].top = o.top - shift
        notes.append(
            "site \(o.siteID): horizon \(o.top)-\(o.bottom) cm written as \(o.top - shift)-\(o.bottom), "
                + "overlapping \(previous.top)-\(previous.bottom) (overlapping horizons)")
        return notes
    }
}
