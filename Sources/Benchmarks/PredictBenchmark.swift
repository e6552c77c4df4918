import Applicability
import Compute
import Foundation
import Mapping
import Models
import NeuralNet

/// The map benchmark: six depth maps of the reference network (C = 40, P = 13) over 512 x 512-cell
/// tiles of a synthetic 40 x 1024 x 1024 stack, the way the map stage runs them (frozen blocks
/// computed once per tile), alternated with tiles that run each depth's network whole; and the
/// cost of a conformal interval's bounds on the same tiles.
public enum PredictBenchmark {
    /// Output cells per second for all six depths (each cell counted once), shared and whole, with the settings used.
    /// `freeze` is the transfer model's F (blocks 1...F frozen, so shared by the six depths).
    public static func run(
        seconds: Double = 20, channels: Int = 40, side: Int = 1024, tile: Int = 512,
        freeze: Int = 2
    ) -> [String: Double] {
        precondition((0...6).contains(freeze), "PredictBenchmark: freeze must be in 0...6, got \(freeze)")
        let p = 13
        let depths = 6
        let config = NetworkConfig(kind: .depthInput, channels: channels, patchSize: p, depths: depths)
        let pre = try! Network(config: config, seed: 1)
        pre.eval()
        // Six fine-tuned copies with blocks 1...F frozen (F = 2 in the default transfer model):
        // every later tensor perturbed.
        let perDepth: [Network?] = (0..<depths).map { d in
            let n = pre.copy()
            if freeze > 0 { n.freeze(blocks: 1...freeze) }
            var g = SeededGenerator(seed: UInt64(100 + d))
            let tensors = n.namedTensors
            for name in n.trainableTensorNames {
                let t = tensors[name]!
                try? n.setTensor(
                    name, Tensor(shape: t.shape, data: t.data.map { $0 * (0.9 + 0.2 * Float(g.next() % 1000) / 1000) }))
            }
            n.eval()
            return n
        }
        let scalers = [TargetScaler](repeating: TargetScaler(fitting: [0, 2], log1p: false), count: depths)
        let model = NetworkModel(
            kind: .transfer, config: config, pretrained: pre, perDepth: perDepth, heads: nil,
            scalers: scalers, freeze: freeze, logs: [:])
        var g = SeededGenerator(seed: 7)
        let h = tile + p - 1
        let input = Tensor(
            shape: [channels, h, h], data: (0..<(channels * h * h)).map { _ in Float(g.next() % 10_000) / 10_000 })
        let tiles = (side / tile) * (side / tile)
        // A conformal 90 % interval as the map stage applies it: bounds, median and uncertainty of every depth.
        let interval = PredictionInterval(
            level: 0.9, adaptive: false, halfWidths: [Double](repeating: 1.5, count: depths),
            floors: [Double](repeating: 0, count: depths), centres: [Double](repeating: 0.1, count: depths))
        // Tiles alternate between the shared run (the map stage's) and whole networks per depth,
        // so the sharing speed-up is a ratio measured under the same machine load; the shared
        // run's bounds are timed on their own, as the interval's share of the prediction.
        var time = [true: 0.0, false: 0.0]
        var done = [true: 0, false: 0]
        var boundsTime = 0.0
        let start = Date()
        repeat {
            for share in [true, false] {
                let t0 = Date()
                let maps = model.denseMaps(tile: input, depths: depths, share: share)
                time[share]! += Date().timeIntervalSince(t0)
                done[share]! += 1
                if share {
                    let t1 = Date()
                    for d in 0..<depths { _ = interval.layers(prediction: maps[d], spread: nil, depth: d) }
                    boundsTime += Date().timeIntervalSince(t1)
                }
            }
        } while done[true]! < tiles && Date().timeIntervalSince(start) < seconds
        let cells = Double(tile * tile)
        let shared = Double(done[true]!) * cells / time[true]!
        let whole = Double(done[false]!) * cells / time[false]!
        return [
            "cells_per_s": shared, "cells_per_s_unshared": whole, "sharing_speedup": shared / whole,
            "cells_per_s_with_interval": Double(done[true]!) * cells / (time[true]! + boundsTime),
            "interval_overhead": boundsTime / time[true]!,
            "shared_blocks": Double(model.sharedBlocks), "tiles": Double(done[true]!), "tile_cells": cells,
            "depths": Double(depths), "channels": Double(channels), "freeze": Double(freeze), "seconds": time[true]!
        ]
    }

    /// The area of applicability's cost: the dissimilarity index fitted on `sites` training sites of
    /// `channels` covariates (5 folds, equal weights) and computed over a `side` x `side` grid in
    /// `tile` x `tile` tiles, as the map stage does. Random uniform values, seeded.
    public static func applicability(
        sites: Int = 8000, channels: Int = 40, side: Int = 1024, tile: Int = 512
    ) -> [String: Double] {
        var g = SeededGenerator(seed: 11)
        let train = (0..<(sites * channels)).map { _ in Float(g.next() % 10_000) / 10_000 }
        let t0 = Date()
        let index = DissimilarityIndex(
            features: train, count: sites, channels: channels,
            weights: [Double](repeating: 1, count: channels), folds: (0..<sites).map { $0 % 5 })
        let fit = Date().timeIntervalSince(t0)
        let cells = tile * tile
        let input = (0..<(cells * channels)).map { _ in Float(g.next() % 10_000) / 10_000 }
        let tiles = (side / tile) * (side / tile)
        var inside = 0
        let t1 = Date()
        let cpu1 = processCPUSeconds()
        for _ in 0..<tiles { inside += index.index(input, count: cells).filter(index.inside).count }
        let map = Date().timeIntervalSince(t1)
        let cpu = processCPUSeconds() - cpu1
        // CPU seconds of the process over the grid: on a loaded machine, cpu / threads is what the
        // grid would take with the cores to itself.
        return [
            "aoa_fit_seconds": fit, "aoa_grid_seconds": map, "aoa_grid_cpu_seconds": cpu,
            "aoa_threads": Double(Parallel.workers), "aoa_cells_per_s": Double(tiles * cells) / map,
            "aoa_sites": Double(sites), "aoa_channels": Double(channels), "aoa_grid_cells": Double(tiles * cells),
            "aoa_share_inside": Double(inside) / Double(tiles * cells), "aoa_threshold": index.threshold
        ]
    }

    /// CPU seconds this process has used, all threads.
    static func processCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }
}
