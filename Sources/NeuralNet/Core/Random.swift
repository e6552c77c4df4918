import Foundation
import Randomness

/// The engine's seeded generator (xoshiro256**, from `Randomness`): the only random source of
/// the engine, so that equal seeds give equal models.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Equatable {
    private var core: Xoshiro256

    /// A generator whose whole sequence is fixed by `seed`.
    public init(seed: UInt64) { core = Xoshiro256(seed: seed) }

    /// The next 64 random bits.
    @inline(__always)
    public mutating func next() -> UInt64 { core.next() }

    /// A uniform Float in [0, 1) with 24 random bits.
    @inline(__always)
    public mutating func nextUnitFloat() -> Float { core.nextUnitFloat() }

    /// A uniform Float in [low, high).
    public mutating func nextFloat(in low: Float, _ high: Float) -> Float {
        low + (high - low) * nextUnitFloat()
    }

    /// A standard normal Float (Box–Muller).
    public mutating func nextNormal() -> Float { Float(core.nextGaussian()) }

    /// A new generator derived from this one's seed stream and `stream` (for per-layer generators).
    public func derived(stream: UInt64) -> SeededGenerator {
        var copy = self
        return SeededGenerator(seed: copy.next() ^ (stream &* 0xD1B5_4A32_D192_ED03))
    }
}
