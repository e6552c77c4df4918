import Foundation
import RasterIO

/// The sample data's known SOC on its main grid: the noise-free value of the truth function
/// (`SOCTruth`, printed in sample-data/README.md) at every land cell, for any depth interval.
/// Built from the same seeded landscape as `generateSampleData`, so the same options give the
/// truth of the same sample.
public struct SampleTruth: Sendable {
    /// The main Albers grid of the sample (that of `covariates/elevation.tif`).
    public let grid: Grid
    /// sigma of the lognormal noise of an observed horizon (README: exp(sigma z - sigma^2 / 2)).
    public static let noiseSigma = SOCTruth.noiseSigma
    /// The truth inputs of every cell, row-major; nil outside the land.
    let inputs: [SOCTruth.Inputs?]

    /// The truth of the sample made with `options` (seed and resolution; the site count does not matter).
    public init(options: SampleDataOptions = SampleDataOptions()) throws {
        try options.validate()
        let generator = try SampleDataGenerator(options: options, progress: nil)
        grid = generator.mainGrid
        inputs = try generator.surface(on: generator.mainGrid).map { $0.map(SOCTruth.Inputs.init) }
    }

    /// Mean SOC (g/kg) over top...bottom cm of every cell, row-major; nil outside the land.
    public func expected(top: Double, bottom: Double) -> [Double?] {
        inputs.map { $0.map { SOCTruth.mean($0, top: top, bottom: bottom) } }
    }
}
