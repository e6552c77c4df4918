/// Dense (fully convolutional) maps of several depth networks over one tile, running the
/// convolutional blocks they have in common only once.
///
/// Transfer models freeze blocks 1..F while fine-tuning, so those blocks hold the same
/// weights and BatchNorm statistics in every depth's network; the multi-task network has a
/// single trunk for all its heads. The mapper finds the leading conv blocks (0...3) whose
/// tensors are bitwise equal in every member, computes them once per output tile, and runs
/// only the remaining layers per member. The results are bitwise those of running each
/// member whole (`Network.denseMap`). Fully connected blocks are never shared: the depth
/// one-hot is folded into fc1's bias, which differs per depth.
public final class DenseMapper {
    /// The architecture every member has.
    public let config: NetworkConfig
    /// Number of leading conv blocks (0...3) computed once for all members.
    public let sharedBlocks: Int
    /// Number of maps produced (one per member).
    public let memberCount: Int
    /// Dense layers of the shared blocks.
    private let shared: [any Layer]
    /// Dense layers after the shared blocks, per member.
    private let rest: [[any Layer]]

    /// Dense layers in blocks 1, 2, 3 of `Network.denseLayers` (conv, activation, [pool,] BatchNorm).
    static let blockLayerCounts = [3, 4, 3]

    /// A mapper for `members`: (network, depth index) pairs with one architecture, in inference
    /// mode or not (inference always uses running statistics). `share: false` runs each whole.
    public init(members: [(network: Network, depthIndex: Int)], share: Bool = true) {
        precondition(!members.isEmpty, "DenseMapper: no members")
        let config = members[0].network.config
        for (i, m) in members.enumerated() {
            precondition(m.network.config == config,
                         "DenseMapper: member \(i) has another architecture than member 0 (\(m.network.config) vs \(config))")
            precondition((0..<config.depths).contains(m.depthIndex),
                         "DenseMapper: member \(i) depth index \(m.depthIndex) not in 0..<\(config.depths)")
        }
        self.config = config
        memberCount = members.count
        sharedBlocks = share ? Self.commonConvBlocks(members.map(\.network)) : 0
        let cut = Self.blockLayerCounts.prefix(sharedBlocks).reduce(0, +)
        let layers = members.map { $0.network.denseLayers(depthIndex: $0.depthIndex) }
        shared = Array(layers[0].prefix(cut))
        rest = layers.map { Array($0.dropFirst(cut)) }
        for layer in shared { layer.prepareForInference() }
        for list in rest { for layer in list { layer.prepareForInference() } }
    }

    /// Number of leading conv blocks whose weights and BatchNorm statistics are bitwise equal in every network.
    public static func commonConvBlocks(_ networks: [Network]) -> Int {
        guard let first = networks.first else { return 0 }
        func same(_ a: Sequential, _ b: Sequential) -> Bool {
            guard a !== b else { return true }
            return zip(a.layers, b.layers).allSatisfy { la, lb in
                let (sa, sb) = (la.state, lb.state)
                return sa.keys == sb.keys && sa.allSatisfy { key, t in
                    guard let u = sb[key], u.shape == t.shape else { return false }
                    return t.data.elementsEqual(u.data) { $0.bitPattern == $1.bitPattern }
                }
            }
        }
        var blocks = 0
        while blocks < first.convBlocks.count,
              networks.allSatisfy({ $0.config == first.config && same($0.convBlocks[blocks], first.convBlocks[blocks]) }) {
            blocks += 1
        }
        return blocks
    }

    /// The dense maps [members, H − P + 1, W − P + 1] of a tile [C, H, W]: cell (m, i, j) is member
    /// m's prediction for the patch whose top-left corner is (i, j). Output tiles of at most
    /// `tileSize` × `tileSize` cells are spread over the cores; each runs the shared blocks once.
    public func maps(tile: Tensor, tileSize: Int = 48) -> Tensor {
        let c = config
        precondition(tile.rank == 3 && tile.shape[0] == c.channels && tile.shape[1] >= c.patchSize
                     && tile.shape[2] >= c.patchSize,
                     "DenseMapper: tile must be [\(c.channels), H >= \(c.patchSize), W >= \(c.patchSize)], got \(tile.shape)")
        precondition(tileSize >= 1, "DenseMapper: tileSize must be positive, got \(tileSize)")
        let (h, w) = (tile.shape[1], tile.shape[2])
        let (oh, ow) = (h - c.patchSize + 1, w - c.patchSize + 1)
        var tiles: [(Range<Int>, Range<Int>)] = []
        for r in stride(from: 0, to: oh, by: tileSize) {
            for q in stride(from: 0, to: ow, by: tileSize) {
                tiles.append((r..<min(oh, r + tileSize), q..<min(ow, q + tileSize)))
            }
        }
        let span = c.patchSize - 1
        let (shared, rest) = (shared, rest)
        return Tensor(shape: [memberCount, oh, ow]) { out in
            let outBase = out.baseAddress!
            tile.withPointer { x in
                Parallel.forEach(tiles.count) { t in
                    let (rows, cols) = tiles[t]
                    let (th, tw) = (rows.count + span, cols.count + span)
                    var input = Tensor(shape: [1, c.channels, th, tw])
                    input.withMutablePointer { dst in
                        for ch in 0..<c.channels {
                            for i in 0..<th {
                                (dst + (ch * th + i) * tw).update(from: x + (ch * h + rows.lowerBound + i) * w + cols.lowerBound,
                                                                  count: tw)
                            }
                        }
                    }
                    let trunk = shared.reduce(input) { $1.infer($0) }
                    for (m, layers) in rest.enumerated() {
                        let y = layers.reduce(trunk) { $1.infer($0) }
                        precondition(y.shape == [1, 1, rows.count, cols.count], "DenseMapper: internal shape \(y.shape)")
                        let plane = outBase + m * oh * ow
                        y.withPointer { v in
                            for i in 0..<rows.count {
                                (plane + (rows.lowerBound + i) * ow + cols.lowerBound).update(from: v + i * cols.count,
                                                                                              count: cols.count)
                            }
                        }
                    }
                }
            }
        }
    }
}
