import Foundation

/// SplitMix64: a tiny deterministic generator, used to seed `SeededGenerator` and to hash lattice points.
struct SplitMix64 {
    /// The running state.
    private(set) var state: UInt64

    /// Starts from `seed`.
    init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }

    /// SplitMix64's finaliser: a bijective 64-bit mixer (good as a hash).
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Xoshiro256**: the deterministic random source for every sample-data choice (never the system RNG).
///
/// The same seed and stream name give the same numbers on every run, so the sample data
/// regenerates byte for byte.
struct SeededGenerator: RandomNumberGenerator {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// A generator for `seed`; `stream` separates independent uses of one seed (sites, horizons ...).
    init(seed: UInt64, stream: String = "") {
        var mixer = SplitMix64(seed: seed ^ SeededGenerator.streamHash(stream))
        s0 = mixer.next()
        s1 = mixer.next()
        s2 = mixer.next()
        s3 = mixer.next()
    }

    /// FNV-1a of the stream name (stable across runs, unlike `Hasher`).
    static func streamHash(_ name: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in name.utf8 {
            h ^= UInt64(byte)
            h &*= 0x0000_0100_0000_01B3
        }
        return h
    }

    /// The next 64 random bits.
    mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform in [lower, upper).
    mutating func uniform(_ lower: Double, _ upper: Double) -> Double {
        lower + (upper - lower) * uniform()
    }

    /// Uniform integer in the closed range (no modulo bias).
    mutating func integer(in range: ClosedRange<Int>) -> Int {
        Int.random(in: range, using: &self)
    }

    /// A standard normal draw (Box-Muller; one value per call keeps the stream simple).
    mutating func normal() -> Double {
        let u1 = max(uniform(), 0x1.0p-60)
        let u2 = uniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool { uniform() < p }
}
