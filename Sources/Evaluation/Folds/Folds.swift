import Foundation
import Randomness

/// Cross-validation folds over sites: every sample of a site, at every depth, lands in its site's fold.
///
/// Folds are numbered 0..<k. Both assignments are deterministic for a seed and do not depend on
/// the order in which sites are listed.
public enum Folds {
    /// Assigns each site to one of `k` folds of balanced size (sizes differ by at most one).
    ///
    /// `siteIDs` lists each site once; the result gives the fold of `siteIDs[i]` at index i.
    /// The sites are sorted, shuffled with `seed` and dealt round-robin, so adding a site
    /// reshuffles but listing order never matters.
    /// Throws when there are fewer sites than folds, a site is listed twice or k < 2.
    public static func grouped(siteIDs: [String], k: Int, seed: UInt64) throws -> [Int] {
        try checkK(k)
        guard siteIDs.count >= k else {
            throw EvaluationError(
                .tooFewSites,
                message:
                    "too few sites for k folds: \(siteIDs.count) sites, k = \(k); lower evaluate.folds")
        }
        var seen = Set<String>()
        for id in siteIDs where !seen.insert(id).inserted {
            throw EvaluationError(
                .duplicateSite,
                message:
                    "site '\(id)' is listed twice for fold assignment; pass each site once (its samples follow it)")
        }
        var order = Array(siteIDs.indices).sorted { siteIDs[$0] < siteIDs[$1] }
        var random = SplitMix64(seed: seed)
        random.shuffle(&order)
        var folds = [Int](repeating: 0, count: siteIDs.count)
        for (position, site) in order.enumerated() { folds[site] = position % k }
        return folds
    }

    /// Assigns sites to `k` folds by spatial blocks: square cells of `blockSize` (in the units of
    /// x and y, anchored at 0) go whole to one fold, so neighbouring sites are held out together.
    ///
    /// Non-empty blocks are shuffled with `seed` and each is given to the fold holding the fewest
    /// sites so far (lowest fold on ties), which keeps folds as even as the block sizes allow.
    /// `x[i]`, `y[i]` are the coordinates of site i; the result gives its fold at index i.
    /// Throws when there are fewer non-empty blocks than folds, a coordinate is not finite,
    /// the block size is not positive or k < 2.
    public static func spatialBlocks(x: [Double], y: [Double], blockSize: Double, k: Int, seed: UInt64) throws -> [Int]
    {
        try checkK(k)
        guard x.count == y.count else {
            throw EvaluationError(
                .invalidInput,
                message:
                    "spatial blocks need one x and one y per site; got \(x.count) x and \(y.count) y values")
        }
        guard blockSize.isFinite, blockSize > 0 else {
            throw EvaluationError(
                .invalidInput,
                message: """
                    the spatial block size must be a positive number of CRS units, got \
                    \(blockSize); fix evaluate.block_size
                    """
            )
        }
        for i in x.indices where !(x[i].isFinite && y[i].isFinite) {
            throw EvaluationError(
                .invalidInput,
                message:
                    "site \(i + 1) has no finite coordinates (x = \(x[i]), y = \(y[i])); drop it or fix the sites table"
            )
        }
        // Sites per block, blocks keyed by their integer grid indices.
        struct Block: Hashable, Comparable {
            let column: Int64, row: Int64
            static func < (a: Block, b: Block) -> Bool { (a.column, a.row) < (b.column, b.row) }
        }
        var members: [Block: [Int]] = [:]
        for i in x.indices {
            let block = Block(
                column: Int64((x[i] / blockSize).rounded(.down)), row: Int64((y[i] / blockSize).rounded(.down)))
            members[block, default: []].append(i)
        }
        guard members.count >= k else {
            throw EvaluationError(
                .tooFewBlocks,
                message:
                    "too few spatial blocks for k folds: the \(x.count) sites fall in \(members.count) blocks of "
                    + "\(blockSize) units, k = \(k); lower evaluate.block_size or evaluate.folds")
        }
        var blocks = members.keys.sorted()
        var random = SplitMix64(seed: seed)
        random.shuffle(&blocks)
        var load = [Int](repeating: 0, count: k)
        var folds = [Int](repeating: 0, count: x.count)
        for block in blocks {
            let sites = members[block]!
            var target = 0
            for f in 1..<k where load[f] < load[target] { target = f }
            load[target] += sites.count
            for s in sites { folds[s] = target }
        }
        return folds
    }

    /// Assigns each sample (a site at one depth) to one of `k` folds of balanced size, ignoring its
    /// site: the paper's random split, under which the other depths of a held-out profile can be in
    /// training. `keys` names each sample once (e.g. site id and depth); the result gives the fold of
    /// `keys[i]` at index i. Sorted, shuffled with `seed`, dealt round-robin, like `grouped`.
    public static func samples(keys: [String], k: Int, seed: UInt64) throws -> [Int] {
        try checkK(k)
        guard keys.count >= k else {
            throw EvaluationError(
                .tooFewSites,
                message:
                    "too few samples for k folds: \(keys.count) samples, k = \(k); lower evaluate.folds")
        }
        return try grouped(siteIDs: keys, k: k, seed: seed)
    }

    /// Rejects fold counts below two.
    private static func checkK(_ k: Int) throws {
        guard k >= 2 else {
            throw EvaluationError(
                .invalidInput,
                message:
                    "cross-validation needs at least 2 folds, got k = \(k); set evaluate.folds to 2 or more")
        }
    }
}
