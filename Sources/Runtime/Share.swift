import Foundation

/// This process's share of a job cut into n shares: `--part 2/3` of a run's or a study's units,
/// `--shard 2/3` of a map's tiles. The one "i of n" type; 1-based on the command line.
public struct Share: Sendable, Hashable, CustomStringConvertible {
    /// 0-based index.
    public let index: Int
    /// Number of shares.
    public let count: Int

    /// What a bad "i/n" text gets: the text and the rule.
    public struct ParseError: Error, CustomStringConvertible, Sendable {
        /// The text given.
        public let text: String
        public var description: String {
            "'\(text)' must be i/n with 1 <= i <= n (numbered from 1), e.g. 1/3, 2/3 and 3/3 for three"
        }
    }

    /// Parses "i/n" with 1 <= i <= n.
    public init(parsing text: String) throws {
        let fields = text.split(separator: "/", omittingEmptySubsequences: false).map {
            Int($0.trimmingCharacters(in: .whitespaces))
        }
        guard fields.count == 2, let i = fields[0], let n = fields[1], n >= 1, (1...n).contains(i) else {
            throw ParseError(text: text)
        }
        index = i - 1
        count = n
    }

    /// Share `index` (0-based) of `count`.
    public init(index: Int, count: Int) {
        precondition(count >= 1 && (0..<count).contains(index), "Share: \(index) of \(count)")
        self.index = index
        self.count = count
    }

    /// The whole job as one share.
    public static let whole = Share(index: 0, count: 1)

    /// "i/n", 1-based.
    public var description: String { "\(index + 1)/\(count)" }

    /// Deals `costs` (one per item, in item order) to the shares, costliest first, each to the share
    /// with the least cost so far (ties to the lower share, then the earlier item): every process
    /// of a job computes the same deal. Returns the items of this share, in item order.
    public func deal(costs: [Double]) -> [Int] {
        var load = [Double](repeating: 0, count: count)
        var owner = [Int](repeating: 0, count: costs.count)
        let order = costs.indices.sorted { a, b in costs[a] != costs[b] ? costs[a] > costs[b] : a < b }
        for i in order {
            let p = load.indices.min { load[$0] != load[$1] ? load[$0] < load[$1] : $0 < $1 }!
            owner[i] = p
            load[p] += costs[i]
        }
        return costs.indices.filter { owner[$0] == index }
    }
}
