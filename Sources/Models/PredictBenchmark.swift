import Foundation
import NeuralNet

/// The map benchmark: six depth maps of the reference network (C = 40, P = 13) over 512 x 512-cell
/// tiles of a synthetic 40 x 1024 x 1024 stack, the way the map stage runs them.
public enum PredictBenchmark {
    /// Output cells per second for all six depths (each cell counted once), with the settings used.
    public static func run(seconds: Double = 20, channels: Int = 40, side: Int = 1024, tile: Int = 512) -> [String: Double] {
        let p = 13, depths = 6
        let config = NetworkConfig(kind: .depthInput, channels: channels, patchSize: p, depths: depths)
        let pre = try! Network(config: config, seed: 1)
        pre.eval()
        // Six fine-tuned copies with blocks 1-2 frozen, as the transfer model has.
        let perDepth: [Network?] = (0..<depths).map { d in
            let n = pre.copy()
            n.freeze(blocks: 1...2)
            var g = SeededGenerator(seed: UInt64(100 + d))
            for (name, t) in n.namedTensors where name.hasPrefix("fc") || name.hasPrefix("out") {
                try? n.setTensor(name, Tensor(shape: t.shape, data: t.data.map { $0 * (0.9 + 0.2 * Float(g.next() % 1000) / 1000) }))
            }
            n.eval()
            return n
        }
        let scalers = [TargetScaler](repeating: TargetScaler(fitting: [0, 2], log1p: false), count: depths)
        let model = TrainedModel.network(NetworkModel(kind: .transfer, pretrained: pre, perDepth: perDepth, heads: nil,
                                                      scalers: scalers, freeze: 2, logs: [:]))
        var g = SeededGenerator(seed: 7)
        let h = tile + p - 1
        let input = Tensor(shape: [channels, h, h], data: (0..<(channels * h * h)).map { _ in Float(g.next() % 10_000) / 10_000 })
        let tiles = (side / tile) * (side / tile)
        var done = 0
        let start = Date()
        repeat {
            _ = model.denseMaps(tile: input, patchSize: p, depths: depths)
            done += 1
        } while done < tiles && Date().timeIntervalSince(start) < seconds
        let elapsed = Date().timeIntervalSince(start)
        return ["cells_per_s": Double(done * tile * tile) / elapsed, "tiles": Double(done), "tile_cells": Double(tile * tile),
                "depths": Double(depths), "channels": Double(channels), "seconds": elapsed]
    }
}
