/// xoshiro256** (Blackman and Vigna 2018), seeded through SplitMix64 as its authors recommend:
/// the generator behind every random choice of the project (never the system generator).
public struct Xoshiro256: WordGenerator, RandomNumberGenerator, Sendable, Equatable {
    @usableFromInline var s0, s1, s2, s3: UInt64

    /// A generator whose whole stream is fixed by `seed`.
    @inlinable
    public init(seed: UInt64) {
        var mixer = SplitMix64(seed: seed)
        s0 = mixer.next()
        s1 = mixer.next()
        s2 = mixer.next()
        s3 = mixer.next()
    }

    /// The next 64 random bits.
    @inlinable
    public mutating func next() -> UInt64 {
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
}
