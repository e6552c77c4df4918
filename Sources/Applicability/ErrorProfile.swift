import Compute
import Foundation

/// The expected prediction error as a function of the dissimilarity index (after CAST's
/// `errorProfiles`, Meyer & Pebesma 2022): held-out samples sorted by their cross-validation DI are cut
/// into groups of equal count, each group's RMSE taken at its mean DI, and the RMSEs made non-decreasing
/// in the DI (pool-adjacent-violators on the groups' mean squared errors, weighted by their counts).
/// Between group points the profile is linear; below the first and above the last it stays at the end's
/// value (it never extrapolates a trend beyond the DIs it saw).
public struct ErrorProfile: Sendable, Equatable, Codable {
    /// The expected RMSE against the DI: knots at the groups' mean DIs, values non-decreasing.
    public let curve: PiecewiseLinear
    /// The DI of each point (its group's mean DI), increasing.
    public var di: [Double] { curve.x }
    /// The expected RMSE at each point, non-decreasing.
    public var rmse: [Double] { curve.y }
    /// Held-out samples fitted.
    public let samples: Int

    /// The smallest group: a profile point is the RMSE of at least this many held-out samples.
    public static let minimumGroup = 10
    /// The number of groups sought (fewer when there are fewer than `groups` × `minimumGroup` samples).
    public static let groups = 10

    /// Fits the profile of held-out `errors` (observed − predicted) at their DIs; nil when no pair is finite.
    public init?(di values: [Double], errors: [Double]) {
        precondition(values.count == errors.count, "ErrorProfile: one error per DI")
        let pairs = zip(values, errors).filter { $0.0.isFinite && $0.1.isFinite }
            .sorted { ($0.0, abs($0.1)) < ($1.0, abs($1.1)) }
        guard !pairs.isEmpty else { return nil }
        // Groups of equal count, in DI order.
        var blocks: [(di: Double, mse: Double, n: Double)] = []
        for range in PiecewiseLinear.equalGroups(
            count: pairs.count, groups: Self.groups, minimumSize: Self.minimumGroup)
        {
            let group = pairs[range]
            let n = Double(range.count)
            blocks.append(
                (group.map(\.0).reduce(0, +) / n, group.map { $0.1 * $0.1 }.reduce(0, +) / n, n))
        }
        // Pool adjacent violators: merge a block into the one before while its MSE is lower.
        var pooled: [(mse: Double, n: Double, members: Int)] = []
        for b in blocks {
            pooled.append((b.mse, b.n, 1))
            while pooled.count > 1, pooled[pooled.count - 1].mse < pooled[pooled.count - 2].mse {
                let last = pooled.removeLast()
                let before = pooled.removeLast()
                let n = last.n + before.n
                pooled.append(((last.mse * last.n + before.mse * before.n) / n, n, last.members + before.members))
            }
        }
        var rmse: [Double] = []
        for p in pooled { rmse += [Double](repeating: p.mse.squareRoot(), count: p.members) }
        self.curve = PiecewiseLinear(x: blocks.map(\.di), y: rmse)
        self.samples = pairs.count
    }

    /// The expected RMSE at `value` (NaN for a DI that is not finite).
    public func expected(_ value: Double) -> Double { curve(value) }
}
