// CART for regression, as scikit-learn's BestSplitter with the squared-error criterion:
// at each node, up to `maxFeatures` non-constant features drawn at random are searched
// exhaustively (every boundary between distinct values), the split that most reduces the
// weighted variance wins, both children keep at least `minSamplesLeaf` distinct rows, and
// the threshold is the midpoint between the two values either side of the boundary.

import Randomness

/// The training data shared read-only by every tree of a forest.
struct TrainingSet: Sendable {
    /// The features as ranks, with their distinct values.
    let ranks: FeatureRanks
    /// The targets, one per row.
    let y: [Float]
}

/// One fitted tree plus what the forest needs from its training.
struct BuiltTree: Sendable {
    /// The tree.
    let tree: DecisionTree
    /// Bit i set when row i was in the tree's bootstrap sample.
    let inBag: [UInt64]
    /// The tree's impurity decrease per feature, normalised to sum 1 (all zero for a single leaf).
    let importance: [Double]
}

/// Bootstrap draws of one tree: how many times each row was drawn (all 1 without bootstrap).
func bootstrapCounts(rows n: Int, bootstrap: Bool, rng: inout Xoshiro256) -> [Int32] {
    guard bootstrap else { return [Int32](repeating: 1, count: n) }
    var counts = [Int32](repeating: 0, count: n)
    for _ in 0..<n { counts[rng.next(below: n)] += 1 }
    return counts
}

/// Builds trees one after another with scratch buffers reused between them; one per worker thread.
final class TreeBuilder {
    private let n: Int
    private let p: Int
    private let samples: UnsafeMutablePointer<Int32>
    private let partitionScratch: UnsafeMutablePointer<Int32>
    private let keys: UnsafeMutablePointer<UInt64>
    private let keyScratch: UnsafeMutablePointer<UInt64>
    private let nodeWeight: UnsafeMutablePointer<Double>
    private let nodeWeightedY: UnsafeMutablePointer<Double>
    private let buckets: UnsafeMutablePointer<Int32>

    /// A builder for data of `n` rows and `p` features.
    init(rows n: Int, features p: Int) {
        self.n = n
        self.p = p
        samples = .allocate(capacity: n)
        partitionScratch = .allocate(capacity: n)
        keys = .allocate(capacity: n)
        keyScratch = .allocate(capacity: n)
        nodeWeight = .allocate(capacity: n)
        nodeWeightedY = .allocate(capacity: n)
        buckets = .allocate(capacity: 2048)
    }

    deinit {
        samples.deallocate()
        partitionScratch.deallocate()
        keys.deallocate()
        keyScratch.deallocate()
        nodeWeight.deallocate()
        nodeWeightedY.deallocate()
        buckets.deallocate()
    }

    /// A node waiting to be split: its rows are `samples[start..<end]`.
    private struct Pending {
        var node: Int
        var start: Int
        var end: Int
        var depth: Int
        var stats: NodeStats
    }

    /// Weighted count, weighted sum and impurity (weighted variance) of a node's targets.
    private struct NodeStats {
        var weight: Double
        var sum: Double
        var impurity: Double
    }

    /// The best split found so far in a node.
    private struct Split {
        var feature = -1
        var proxy = -Double.infinity
        var lowRank: UInt32 = 0
        var highRank: UInt32 = 0
        var leftCount = 0
    }

    /// Fits tree number `index` of a forest with `parameters` on `data`.
    func build(index: Int, data: TrainingSet, parameters: ForestParameters) -> BuiltTree {
        var rng = Xoshiro256(seed: ForestSeeds.tree(index, forestSeed: parameters.seed))
        let counts = bootstrapCounts(rows: n, bootstrap: parameters.bootstrap, rng: &rng)
        var inBag = [UInt64](repeating: 0, count: (n + 63) / 64)
        var rowCount = 0
        for i in 0..<n where counts[i] > 0 {
            samples[rowCount] = Int32(i)
            rowCount += 1
            inBag[i >> 6] |= 1 << UInt64(i & 63)
        }
        let minLeaf = parameters.minSamplesLeaf
        let maxFeatures = min(parameters.maxFeatures, p)
        let maxDepth = parameters.maxDepth ?? Int.max
        var featureOrder = Array(0..<p)
        var importance = [Double](repeating: 0, count: p)
        var nodes: [DecisionTree.Node] = []
        var values: [Float] = []
        var sampleCounts: [Int32] = []
        var drawCounts: [Int32] = []

        return data.y.withUnsafeBufferPointer { y in
            data.ranks.ranks.withUnsafeBufferPointer { ranks in
                counts.withUnsafeBufferPointer { w in
                    func stats(_ start: Int, _ end: Int) -> NodeStats {
                        var weight = 0.0
                        var sum = 0.0
                        for k in start..<end {
                            let row = Int(samples[k])
                            weight += Double(w[row])
                            sum += Double(w[row]) * Double(y[row])
                        }
                        let mean = sum / weight
                        var squares = 0.0
                        for k in start..<end {
                            let row = Int(samples[k])
                            let d = Double(y[row]) - mean
                            squares += Double(w[row]) * d * d
                        }
                        return NodeStats(weight: weight, sum: sum, impurity: squares / weight)
                    }
                    func addNode(_ s: NodeStats, rows: Int) -> Int {
                        nodes.append(DecisionTree.Node(feature: -1, threshold: 0, left: -1, right: -1))
                        values.append(Float(s.sum / s.weight))
                        sampleCounts.append(Int32(rows))
                        drawCounts.append(Int32(s.weight))
                        return nodes.count - 1
                    }

                    let rootStats = stats(0, rowCount)
                    var stack = [
                        Pending(
                            node: addNode(rootStats, rows: rowCount), start: 0, end: rowCount, depth: 0,
                            stats: rootStats)
                    ]
                    while let task = stack.popLast() {
                        let m = task.end - task.start
                        if m < 2 || m < 2 * minLeaf || task.depth >= maxDepth || task.stats.impurity <= Double.ulpOfOne
                        {
                            continue
                        }
                        let split = bestSplit(
                            task, maxFeatures: maxFeatures, minLeaf: minLeaf,
                            featureOrder: &featureOrder, rng: &rng, ranks: ranks, y: y, w: w)
                        guard split.feature >= 0 else { continue }

                        // Stable partition: rows keep their (ascending) order on both sides.
                        let column = ranks.baseAddress! + split.feature * n
                        var write = task.start
                        var spill = 0
                        for k in task.start..<task.end {
                            let row = samples[k]
                            if column[Int(row)] <= split.lowRank {
                                samples[write] = row
                                write += 1
                            } else {
                                partitionScratch[spill] = row
                                spill += 1
                            }
                        }
                        (samples + write).update(from: partitionScratch, count: spill)
                        precondition(write - task.start == split.leftCount, "partition disagrees with the split search")

                        let leftStats = stats(task.start, write)
                        let rightStats = stats(write, task.end)
                        importance[split.feature] +=
                            task.stats.weight * task.stats.impurity
                            - leftStats.weight * leftStats.impurity - rightStats.weight * rightStats.impurity
                        let left = addNode(leftStats, rows: write - task.start)
                        let right = addNode(rightStats, rows: task.end - write)
                        nodes[task.node] = DecisionTree.Node(
                            feature: Int32(split.feature),
                            threshold: data.ranks.threshold(
                                feature: split.feature, lowRank: split.lowRank, highRank: split.highRank),
                            left: Int32(left), right: Int32(right))
                        stack.append(
                            Pending(node: right, start: write, end: task.end, depth: task.depth + 1, stats: rightStats))
                        stack.append(
                            Pending(node: left, start: task.start, end: write, depth: task.depth + 1, stats: leftStats))
                    }
                    let total = importance.reduce(0, +)
                    if total > 0 { for f in 0..<p { importance[f] /= total } }
                    let tree = DecisionTree(
                        nodes: nodes, values: values, sampleCounts: sampleCounts, drawCounts: drawCounts)
                    return BuiltTree(tree: tree, inBag: inBag, importance: importance)
                }
            }
        }
    }

    /// The best split of a node over up to `maxFeatures` non-constant features drawn without
    /// replacement (a partial Fisher-Yates shuffle of `featureOrder`); feature -1 if none is valid.
    private func bestSplit(
        _ task: Pending, maxFeatures: Int, minLeaf: Int, featureOrder: inout [Int],
        rng: inout Xoshiro256, ranks: UnsafeBufferPointer<UInt32>,
        y: UnsafeBufferPointer<Float>, w: UnsafeBufferPointer<Int32>
    ) -> Split {
        let m = task.end - task.start
        let rows = samples + task.start
        for j in 0..<m {
            let row = Int(rows[j])
            let weight = Double(w[row])
            nodeWeight[j] = weight
            nodeWeightedY[j] = weight * Double(y[row])
        }
        let totalWeight = task.stats.weight
        let totalSum = task.stats.sum
        let lastLeft = m - minLeaf
        var best = Split()
        var visited = 0
        var drawn = 0
        while drawn < p && visited < maxFeatures {
            let pick = drawn + rng.next(below: p - drawn)
            featureOrder.swapAt(drawn, pick)
            let f = featureOrder[drawn]
            drawn += 1

            let column = ranks.baseAddress! + f * n
            var lo = UInt32.max
            var hi = UInt32.min
            for j in 0..<m {
                let r = column[Int(rows[j])]
                lo = min(lo, r)
                hi = max(hi, r)
                keys[j] = UInt64(r) &<< 32 | UInt64(j)
            }
            if lo == hi { continue }  // constant in this node: does not count (as scikit-learn)
            visited += 1

            let sorted = sortByRank(keys, scratch: keyScratch, count: m, minRank: lo, maxRank: hi, buckets: buckets)
            var leftWeight = 0.0
            var leftSum = 0.0
            // The first minLeaf - 1 rows always go left.
            for i in 0..<(minLeaf - 1) {
                let j = Int(UInt32(truncatingIfNeeded: sorted[i]))
                leftWeight += nodeWeight[j]
                leftSum += nodeWeightedY[j]
            }
            // Candidate boundaries: after position i, with i + 1 rows left and m - i - 1 right.
            for i in (minLeaf - 1)..<lastLeft {
                let v = sorted[i]
                let j = Int(UInt32(truncatingIfNeeded: v))
                leftWeight += nodeWeight[j]
                leftSum += nodeWeightedY[j]
                let next = sorted[i + 1]
                if v &>> 32 == next &>> 32 { continue }
                let rightWeight = totalWeight - leftWeight
                let rightSum = totalSum - leftSum
                let proxy = leftSum * leftSum / leftWeight + rightSum * rightSum / rightWeight
                if proxy > best.proxy {
                    best = Split(
                        feature: f, proxy: proxy, lowRank: UInt32(truncatingIfNeeded: v &>> 32),
                        highRank: UInt32(truncatingIfNeeded: next &>> 32), leftCount: i + 1)
                }
            }
        }
        return best
    }
}
