import Compute

/// Dense (fully convolutional) maps of several depth networks over one tile, running the
/// layers they have in common only once.
///
/// Transfer models freeze blocks 1..F while fine-tuning, so those blocks hold the same
/// weights and BatchNorm statistics in every depth's network; the multi-task network has a
/// single trunk for all its heads. The mapper finds the leading conv blocks (0...3) whose
/// tensors are bitwise equal in every member and computes them once for all members. When
/// fc1 is frozen too, its matrix product is shared as well: the depth one-hot only adds a
/// per-depth bias, which each member adds before running its remaining layers (the convolution
/// adds its bias after the product too). The results are bitwise those of running each member
/// whole (`Network.denseMap`), but for the sign of a zero should a bias be exactly −0.
public final class DenseMapper {
    /// The architecture every member has.
    public let config: NetworkConfig
    /// Number of leading blocks computed once for all members: 0...3 conv blocks, 4 when fc1's
    /// matrix product is shared too (each member then adds its own fc1 bias).
    public let sharedBlocks: Int
    /// Number of maps produced (one per member).
    public let memberCount: Int
    /// Dense layers of the shared blocks.
    private let shared: [any Layer]
    /// Per member: its fc1 bias when fc1's product is shared (nil otherwise), and its remaining dense layers.
    private let rest: [(bias: [Float]?, layers: [any Layer])]

    /// Dense layers in blocks 1, 2, 3 of `Network.denseLayers` (conv, activation, [pool,] BatchNorm);
    /// fc1's convolution follows them.
    static let blockLayerCounts = [3, 4, 3]

    /// A mapper for `members`: (network, depth index) pairs with one architecture, in inference
    /// mode or not (inference always uses running statistics). `share: false` runs each whole.
    public init(members: [(network: Network, depthIndex: Int)], share: Bool = true) {
        precondition(!members.isEmpty, "DenseMapper: no members")
        let config = members[0].network.config
        for (i, m) in members.enumerated() {
            precondition(
                m.network.config == config,
                "DenseMapper: member \(i) has another architecture than member 0 (\(m.network.config) vs \(config))")
            precondition(
                (0..<config.depths).contains(m.depthIndex),
                "DenseMapper: member \(i) depth index \(m.depthIndex) not in 0..<\(config.depths)")
        }
        self.config = config
        memberCount = members.count
        let layers = members.map { $0.network.denseLayers(depthIndex: $0.depthIndex) }
        let convBlocks = share ? Self.commonConvBlocks(members.map(\.network)) : 0
        let cut = Self.blockLayerCounts.prefix(convBlocks).reduce(0, +)
        let fc1 = layers.map { $0[cut] as? Conv2D }
        if convBlocks == 3, let first = fc1[0],
            fc1.allSatisfy({ $0.map { Self.bitwiseEqual($0.weight.value, first.weight.value) } ?? false })
        {
            // fc1's product is the same for every member; only its bias (with the depth column folded in) differs.
            sharedBlocks = 4
            shared =
                Array(layers[0].prefix(cut))
                + [
                    Conv2D(
                        weight: first.weight.value, bias: Tensor(shape: first.bias.value.shape),
                        dilation: first.dilation)
                ]
            rest = zip(layers, fc1).map { (bias: $1!.bias.value.data, layers: Array($0.dropFirst(cut + 1))) }
        } else {
            sharedBlocks = convBlocks
            shared = Array(layers[0].prefix(cut))
            rest = layers.map { (bias: nil, layers: Array($0.dropFirst(cut))) }
        }
        for layer in shared { layer.prepareForInference() }
        for member in rest { for layer in member.layers { layer.prepareForInference() } }
    }

    /// Number of leading conv blocks whose weights and BatchNorm statistics are bitwise equal in every network.
    static func commonConvBlocks(_ networks: [Network]) -> Int {
        guard let first = networks.first else { return 0 }
        func same(_ a: Sequential, _ b: Sequential) -> Bool {
            guard a !== b else { return true }
            return zip(a.layers, b.layers).allSatisfy { la, lb in
                let (sa, sb) = (la.state, lb.state)
                return sa.keys == sb.keys && sa.allSatisfy { key, t in sb[key].map { bitwiseEqual(t, $0) } ?? false }
            }
        }
        var blocks = 0
        while blocks < first.convBlocks.count,
            networks.allSatisfy({ $0.config == first.config && same($0.convBlocks[blocks], first.convBlocks[blocks]) })
        {
            blocks += 1
        }
        return blocks
    }

    /// Blocks computed once for these members (what `sharedBlocks` of a mapper for them is).
    public static func commonBlocks(_ members: [(network: Network, depthIndex: Int)]) -> Int {
        DenseMapper(members: members).sharedBlocks
    }

    /// What `sharedBlocks` means, for reports: e.g. "conv blocks 1-2", or "conv blocks 1-3 and fc1's product".
    public static func describe(sharedBlocks n: Int) -> String {
        n == 0 ? "nothing" : n <= 3 ? "conv block\(n == 1 ? " 1" : "s 1-\(n)")" : "conv blocks 1-3 and fc1's product"
    }

    /// Same shape and the same bits in every value (NaN payloads and signed zeros included).
    static func bitwiseEqual(_ a: Tensor, _ b: Tensor) -> Bool {
        a.shape == b.shape && a.data.elementsEqual(b.data) { $0.bitPattern == $1.bitPattern }
    }

    /// The dense maps [members, H − P + 1, W − P + 1] of a map tile [C, H, W] (read with its halo):
    /// cell (m, i, j) is member m's prediction for the patch whose top-left corner is (i, j). The
    /// output is cut into chunks of at most `chunkSize` × `chunkSize` cells spread over the cores;
    /// each chunk runs the shared blocks once for all members.
    public func maps(tile: Tensor, chunkSize: Int = 48) -> Tensor {
        let c = config
        precondition(
            tile.rank == 3 && tile.shape[0] == c.channels && tile.shape[1] >= c.patchSize
                && tile.shape[2] >= c.patchSize,
            "DenseMapper: tile must be [\(c.channels), H >= \(c.patchSize), W >= \(c.patchSize)], got \(tile.shape)")
        precondition(chunkSize >= 1, "DenseMapper: chunkSize must be positive, got \(chunkSize)")
        let (h, w) = (tile.shape[1], tile.shape[2])
        let (oh, ow) = (h - c.patchSize + 1, w - c.patchSize + 1)
        var chunks: [(Range<Int>, Range<Int>)] = []
        for r in stride(from: 0, to: oh, by: chunkSize) {
            for q in stride(from: 0, to: ow, by: chunkSize) {
                chunks.append((r..<min(oh, r + chunkSize), q..<min(ow, q + chunkSize)))
            }
        }
        let span = c.patchSize - 1
        let (shared, rest) = (shared, rest)
        return Tensor(shape: [memberCount, oh, ow]) { out in
            let outBase = out.baseAddress!
            tile.withPointer { x in
                Parallel.forEach(chunks.count) { k in
                    let (rows, cols) = chunks[k]
                    let (th, tw) = (rows.count + span, cols.count + span)
                    var input = Tensor(shape: [1, c.channels, th, tw])
                    input.withMutablePointer { dst in
                        for ch in 0..<c.channels {
                            for i in 0..<th {
                                (dst + (ch * th + i) * tw).update(
                                    from: x + (ch * h + rows.lowerBound + i) * w + cols.lowerBound,
                                    count: tw)
                            }
                        }
                    }
                    let trunk = shared.reduce(input) { $1.infer($0) }
                    for (m, member) in rest.enumerated() {
                        let start = member.bias.map { Self.addingChannelBias($0, to: trunk) } ?? trunk
                        let y = member.layers.reduce(start) { $1.infer($0) }
                        precondition(
                            y.shape == [1, 1, rows.count, cols.count], "DenseMapper: internal shape \(y.shape)")
                        let plane = outBase + m * oh * ow
                        y.withPointer { v in
                            for i in 0..<rows.count {
                                (plane + (rows.lowerBound + i) * ow + cols.lowerBound).update(
                                    from: v + i * cols.count,
                                    count: cols.count)
                            }
                        }
                    }
                }
            }
        }
    }

    /// x [1, C, H, W] plus bias[c] on channel c (the same addition as a convolution's epilogue).
    static func addingChannelBias(_ bias: [Float], to x: Tensor) -> Tensor {
        let plane = x.count / bias.count
        return Tensor(shape: x.shape) { out in
            x.withPointer { src in
                for (c, b) in bias.enumerated() {
                    for i in (c * plane)..<((c + 1) * plane) { out[i] = src[i] + b }
                }
            }
        }
    }
}
