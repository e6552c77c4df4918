// One regression tree as flat arrays: node i splits on `nodes[i].feature` at
// `nodes[i].threshold` (x <= threshold goes to `left`, else `right`) or is a leaf.

/// A CART regression tree stored as flat arrays indexed by node (the root is node 0).
public struct DecisionTree: Sendable, Codable, Equatable {
    /// One node: a split, or a leaf when `feature` is -1.
    public struct Node: Sendable, Codable, Equatable {
        /// Feature the node splits on, or -1 for a leaf.
        public var feature: Int32
        /// Rows with `x[feature] <= threshold` go left, the others right (unused in a leaf).
        public var threshold: Float
        /// Index of the left child, or -1 for a leaf.
        public var left: Int32
        /// Index of the right child, or -1 for a leaf.
        public var right: Int32

        /// Whether the node is a leaf.
        public var isLeaf: Bool { feature < 0 }
    }

    /// The nodes, parents before children (depth first, left subtree first); a split's right
    /// child always directly follows its left child.
    public let nodes: [Node]
    /// Weighted mean of the training targets in each node; a leaf's value is its prediction.
    public let values: [Float]
    /// Distinct training rows (in the tree's bootstrap sample) that reach each node.
    public let sampleCounts: [Int32]
    /// Bootstrap draws that reach each node (the rows' weights; equals `sampleCounts` without bootstrap).
    public let drawCounts: [Int32]
    /// The nodes laid out for the prediction kernel (derived from `nodes`, not stored in files).
    let packed: [PackedNode]
    /// Length of the longest root-to-leaf path (0 for a tree that is a single leaf).
    public let depth: Int

    /// A node as the prediction kernel reads it: the next node is `left + (x[feature] > threshold)`.
    /// A leaf points to itself with feature 0 and threshold +infinity, so walking on stays put.
    struct PackedNode {
        var feature: Int32
        var threshold: Float
        var left: Int32
    }

    /// A tree from its arrays (one entry per node; children after their parent, right = left + 1).
    init(nodes: [Node], values: [Float], sampleCounts: [Int32], drawCounts: [Int32]) {
        precondition(!nodes.isEmpty, "DecisionTree needs at least a root node")
        precondition(
            values.count == nodes.count && sampleCounts.count == nodes.count && drawCounts.count == nodes.count,
            "DecisionTree arrays must have one entry per node (\(nodes.count) nodes)")
        self.nodes = nodes
        self.values = values
        self.sampleCounts = sampleCounts
        self.drawCounts = drawCounts
        packed = nodes.enumerated().map { i, node in
            node.isLeaf
                ? PackedNode(feature: 0, threshold: .infinity, left: Int32(i))
                : PackedNode(feature: node.feature, threshold: node.threshold, left: node.left)
        }
        var depths = [Int](repeating: 0, count: nodes.count)
        var deepest = 0
        for (i, node) in nodes.enumerated()
        where !node.isLeaf && node.left > i && node.right > i
            && Int(node.left) < nodes.count && Int(node.right) < nodes.count
        {
            depths[Int(node.left)] = depths[i] + 1
            depths[Int(node.right)] = depths[i] + 1
            deepest = max(deepest, depths[i] + 1)
        }
        depth = deepest
    }

    private enum CodingKeys: String, CodingKey { case nodes, values, sampleCounts, drawCounts }

    /// Decodes the four stored arrays and checks that they form a tree.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let nodes = try c.decode([Node].self, forKey: .nodes)
        let values = try c.decode([Float].self, forKey: .values)
        let samples = try c.decode([Int32].self, forKey: .sampleCounts)
        let draws = try c.decode([Int32].self, forKey: .drawCounts)
        guard !nodes.isEmpty, values.count == nodes.count, samples.count == nodes.count, draws.count == nodes.count
        else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: c.codingPath,
                    debugDescription: "DecisionTree arrays must be non-empty with one entry per node"))
        }
        self.init(nodes: nodes, values: values, sampleCounts: samples, drawCounts: draws)
        if let problem = structuralProblem(featureCount: Int(Int32.max)) {
            throw DecodingError.dataCorrupted(
                .init(codingPath: c.codingPath, debugDescription: "not a tree: \(problem)"))
        }
    }

    /// Encodes the four stored arrays.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(nodes, forKey: .nodes)
        try c.encode(values, forKey: .values)
        try c.encode(sampleCounts, forKey: .sampleCounts)
        try c.encode(drawCounts, forKey: .drawCounts)
    }

    /// Trees are equal when their stored arrays are.
    public static func == (a: DecisionTree, b: DecisionTree) -> Bool {
        a.nodes == b.nodes && a.values == b.values && a.sampleCounts == b.sampleCounts && a.drawCounts == b.drawCounts
    }

    /// Number of leaves.
    public var leafCount: Int { nodes.reduce(0) { $0 + ($1.isLeaf ? 1 : 0) } }

    /// Index of the leaf that a row falls into (a slow path for inspection: the forest predicts
    /// many rows at once). The row needs a value for every feature the tree splits on.
    public func leafIndex(row: [Float]) -> Int {
        var i = 0
        while !nodes[i].isLeaf {
            let node = nodes[i]
            precondition(
                Int(node.feature) < row.count,
                "DecisionTree.leafIndex: the row has \(row.count) values, the tree splits on feature \(node.feature)")
            i = Int(row[Int(node.feature)] <= node.threshold ? node.left : node.right)
        }
        return i
    }

    /// The tree's prediction for one row (slow path, see `leafIndex(row:)`).
    public func predict(row: [Float]) -> Float { values[leafIndex(row: row)] }

    /// Leaves reached by `count` rows (row r at `rows + r * stride`, no NaN) written to `leaves`.
    /// Rows walk the tree eight at a time, branch-free, so their memory loads overlap.
    @inline(__always)
    func leaves(rows: UnsafePointer<Float>, stride: Int, count: Int, into leaves: UnsafeMutablePointer<Int32>) {
        packed.withUnsafeBufferPointer { buffer in
            let nodes = buffer.baseAddress!
            @inline(__always) func step(_ i: Int32, _ row: UnsafePointer<Float>) -> Int32 {
                let node = nodes[Int(i)]
                return node.left &+ (row[Int(node.feature)] > node.threshold ? 1 : 0)
            }
            var r = 0
            while r + 8 <= count {
                let x0 = rows + r * stride
                let x1 = x0 + stride
                let x2 = x1 + stride
                let x3 = x2 + stride
                let x4 = x3 + stride
                let x5 = x4 + stride
                let x6 = x5 + stride
                let x7 = x6 + stride
                var i0: Int32 = 0
                var i1: Int32 = 0
                var i2: Int32 = 0
                var i3: Int32 = 0
                var i4: Int32 = 0
                var i5: Int32 = 0
                var i6: Int32 = 0
                var i7: Int32 = 0
                while true {
                    let n0 = step(i0, x0)
                    let n1 = step(i1, x1)
                    let n2 = step(i2, x2)
                    let n3 = step(i3, x3)
                    let n4 = step(i4, x4)
                    let n5 = step(i5, x5)
                    let n6 = step(i6, x6)
                    let n7 = step(i7, x7)
                    let moved =
                        (n0 ^ i0) | (n1 ^ i1) | (n2 ^ i2) | (n3 ^ i3) | (n4 ^ i4) | (n5 ^ i5) | (n6 ^ i6) | (n7 ^ i7)
                    if moved == 0 { break }
                    i0 = n0
                    i1 = n1
                    i2 = n2
                    i3 = n3
                    i4 = n4
                    i5 = n5
                    i6 = n6
                    i7 = n7
                }
                leaves[r] = i0
                leaves[r + 1] = i1
                leaves[r + 2] = i2
                leaves[r + 3] = i3
                leaves[r + 4] = i4
                leaves[r + 5] = i5
                leaves[r + 6] = i6
                leaves[r + 7] = i7
                r += 8
            }
            while r < count {
                let x = rows + r * stride
                var i: Int32 = 0
                while true {
                    let next = step(i, x)
                    if next == i { break }
                    i = next
                }
                leaves[r] = i
                r += 1
            }
        }
    }

    /// Checks that the arrays form a tree over `featureCount` features; returns what is wrong, or nil.
    func structuralProblem(featureCount: Int) -> String? {
        var seen = [Bool](repeating: false, count: nodes.count)
        seen[0] = true
        for (i, node) in nodes.enumerated() {
            if node.isLeaf {
                if node.feature != -1 || node.left != -1 || node.right != -1 {
                    return "leaf node \(i) has children or a feature"
                }
                continue
            }
            if Int(node.feature) >= featureCount {
                return "node \(i) splits on feature \(node.feature) of \(featureCount)"
            }
            guard node.feature >= 0 else { return "node \(i) has feature \(node.feature)" }
            guard node.right == node.left &+ 1 else {
                return "node \(i)'s right child \(node.right) does not follow its left child \(node.left)"
            }
            for child in [node.left, node.right] {
                guard Int(child) > i, Int(child) < nodes.count, !seen[Int(child)] else {
                    return "node \(i) has a bad child index \(child)"
                }
                seen[Int(child)] = true
            }
        }
        return seen.allSatisfy { $0 } ? nil : "some nodes are unreachable from the root"
    }
}
