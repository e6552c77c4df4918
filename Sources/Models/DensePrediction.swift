import Forest
import Foundation
import NeuralNet

extension TrainedModel {
    /// Maps of every depth over a scaled tile [C, H, W]: for each depth, (H − P + 1) × (W − P + 1)
    /// values in property units, row-major; cell (i, j) is the prediction for the patch whose
    /// top-left corner is (i, j), i.e. for tile cell (i + P/2, j + P/2).
    public func denseMaps(tile: Tensor, patchSize p: Int, depths: Int) -> [[Float]] {
        switch self {
        case .network(let m): return m.denseMaps(tile: tile, depths: depths)
        case .forest(let f): return f.denseMaps(tile: tile, patchSize: p)
        }
    }
}

extension NetworkModel {
    /// Dense maps of every depth, each through the fully convolutional form of its network.
    func denseMaps(tile: Tensor, depths: Int) -> [[Float]] {
        (0..<depths).map { d in
            guard let net = network(forDepth: d) else {
                let p = perDepth.compactMap { $0 }.first?.config.patchSize ?? heads?.config.patchSize ?? 1
                return [Float](repeating: .nan, count: (tile.shape[1] - p + 1) * (tile.shape[2] - p + 1))
            }
            let scaler = scalers[d]
            return net.denseMap(tile: tile, depthIndex: d).data.map { scaler.unscale($0) }
        }
    }
}

extension ForestModel {
    /// Dense maps of every depth from each cell's own covariate values.
    func denseMaps(tile: Tensor, patchSize p: Int) -> [[Float]] {
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
