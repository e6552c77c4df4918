import Foundation
import Models
import NeuralNet
import Patches
import SoilData

/// A small patch data set: `sites` sites on a line, patches of one cell, three channels, two depths;
/// the value is a known function of the channels.
func smallData(sites: Int = 30, seed: UInt64 = 3) -> PatchDataset {
    var rng = SeededGenerator(seed: seed)
    var patches: [Float] = []
    var samples: [PatchSample] = []
    for s in 0..<sites {
        let a = Float.random(in: 0...1, using: &rng)
        let b = Float.random(in: 0...1, using: &rng)
        patches += [a, b, 0.5]
        for d in 0..<2 { samples.append(PatchSample(site: s, depth: d, value: 10 * a - 3 * b - Float(d))) }
    }
    let channels = ["a", "b", "c"].map {
        PatchChannel(name: $0, covariate: $0, classValue: nil, min: 0, max: 1, fill: 0.5)
    }
    return PatchDataset(
        property: "SOC", unit: "g/kg", patchSize: 1, channels: channels,
        depths: [try! DepthInterval.parse("0-5"), try! DepthInterval.parse("5-15")],
        grid: PatchGrid(crsWKT: "", geotransform: [0, 1, 0, 0, 0, -1], width: sites, height: 1),
        sites: (0..<sites).map {
            PatchSite(
                id: String(format: "S%02d", $0), x: Double($0) * 100, y: 0, sourceX: 0, sourceY: 0, col: $0, row: 0)
        },
        patches: patches, samples: samples)
}

/// A quick forest.
var quickForest: ModelSettings {
    var s = ModelSettings()
    s.trees = 10
    s.tuningTrees = 5
    s.maxFeatures = [1, 2]
    s.minSamplesLeaf = [2]
    return s
}

/// A folder removed with the value.
final class ScratchFolder {
    let path = NSTemporaryDirectory() + "socmap-experiments-\(UUID().uuidString)"
    deinit { try? FileManager.default.removeItem(atPath: path) }
}
