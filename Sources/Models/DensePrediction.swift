import Forest
import Foundation
import NeuralNet

extension TrainedModel {
    /// Maps of every depth over a scaled tile [C, H, W] read with the model's halo: for each depth,
    /// (H − P + 1) × (W − P + 1) values in property units, row-major (P = `patchSize`); cell (i, j) is
    /// the prediction for the patch whose top-left corner is (i, j), i.e. for tile cell (i + halo, j + halo).
    public func denseMaps(tile: Tensor, depths: Int) -> [[Float]] {
        switch self {
        case .network(let m): return m.denseMaps(tile: tile, depths: depths)
        case .forest(let f): return f.denseMaps(tile: tile)
        case .combined(let c): return c.denseMaps(tile: tile, depths: depths)
        }
    }

    /// Leading blocks that the depths' networks have in common and maps compute once for all depths
    /// (0 for forests, a combination's largest of its members'; see `DenseMapper.sharedBlocks`).
    public var sharedBlocks: Int {
        switch self {
        case .network(let m): return m.sharedBlocks
        case .forest: return 0
        case .combined(let c): return c.members.map(\.sharedBlocks).max() ?? 0
        }
    }
}

extension NetworkModel {
    /// Dense maps of every depth through the fully convolutional form of the depth networks;
    /// the conv blocks they share (frozen in fine-tuning, or mtcnn's trunk) run once per tile.
    /// An ensemble maps the mean of its members' maps, all members' networks in one `DenseMapper`, so what
    /// members share (a transfer ensemble's frozen pre-trained blocks) also runs once per tile.
    /// With `share` false every depth runs its network whole (the benchmark's comparison).
    public func denseMaps(tile: Tensor, depths: Int, share: Bool = true) -> [[Float]] {
        let models = singleModels
        let present = (0..<depths).filter { d in models.allSatisfy { $0.network(forDepth: d) != nil } }
        let p = patchSize
        let cells = (tile.shape[1] - p + 1) * (tile.shape[2] - p + 1)
        var out = [[Float]](repeating: [Float](repeating: .nan, count: cells), count: depths)
        guard !present.isEmpty else { return out }
        let mapper = DenseMapper(
            members: models.flatMap { m in present.map { (m.network(forDepth: $0)!, $0) } }, share: share)
        let maps = mapper.maps(tile: tile)
        for (i, d) in present.enumerated() {
            out[d] = Self.mean(
                models.enumerated().map { e, model in
                    let plane = e * present.count + i
                    return maps.data[(plane * cells)..<((plane + 1) * cells)].map { model.scalers[d].unscale($0) }
                })
        }
        return out
    }

    /// Leading blocks the depth networks (of every member of an ensemble) have in common, computed once for
    /// all depths when mapping (see `DenseMapper.sharedBlocks`).
    public var sharedBlocks: Int {
        let pairs = singleModels.flatMap { m in
            (0..<scalers.count).compactMap { d in m.network(forDepth: d).map { (network: $0, depthIndex: d) } }
        }
        return pairs.isEmpty ? 0 : DenseMapper.commonBlocks(pairs)
    }
}

extension ForestModel {
    /// Dense maps of every depth from each cell's own covariate values.
    func denseMaps(tile: Tensor) -> [[Float]] {
        let p = patchSize
        let (c, h, w) = (tile.shape[0], tile.shape[1], tile.shape[2])
        let (oh, ow) = (h - p + 1, w - p + 1)
        let half = p / 2
        var x = [Float](repeating: 0, count: oh * ow * c)
        tile.data.withUnsafeBufferPointer { t in
            for i in 0..<oh {
                for j in 0..<ow {
                    let row = (i * ow + j) * c
                    for ch in 0..<c { x[row + ch] = t[(ch * h + i + half) * w + j + half] }
                }
            }
        }
        return forests.map { forest in
            guard let forest else { return [Float](repeating: .nan, count: oh * ow) }
            let y = forest.predict(x: x, n: oh * ow)
            return log1p ? y.map { Float(expm1(Double($0))) } : y
        }
    }
}
