import Foundation
import Randomness

/// The deterministic random source for every sample-data choice: xoshiro256** from `Randomness`
/// with a named stream per use (never the system RNG).
///
/// The same seed and stream name give the same numbers on every run, so the sample data
/// regenerates byte for byte.
struct SeededGenerator: RandomNumberGenerator {
    private var core: Xoshiro256

    /// A generator for `seed`; `stream` separates independent uses of one seed (sites, horizons ...).
    init(seed: UInt64, stream: String = "") {
        core = Xoshiro256(seed: seed ^ SeededGenerator.streamHash(stream))
    }

    /// `Randomness.FNV1a` of the stream name (stable across runs, unlike `Hasher`).
    static func streamHash(_ name: String) -> UInt64 { FNV1a.hash64(name.utf8) }

    /// The next 64 random bits.
    mutating func next() -> UInt64 { core.next() }

    /// Uniform in [0, 1) with 53 random bits.
    mutating func uniform() -> Double { core.nextUnitDouble() }

    /// Uniform in [lower, upper).
    mutating func uniform(_ lower: Double, _ upper: Double) -> Double {
        lower + (upper - lower) * uniform()
    }

    /// Uniform integer in the closed range (no modulo bias).
    mutating func integer(in range: ClosedRange<Int>) -> Int {
        Int.random(in: range, using: &self)
    }

    /// A standard normal draw (Box-Muller; one value per call keeps the stream simple).
    mutating func normal() -> Double { core.nextGaussian() }

    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool { uniform() < p }
}
