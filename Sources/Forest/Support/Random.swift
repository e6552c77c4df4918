// Seeded pseudo-random numbers for the forest: SplitMix64 to expand seeds,
// xoshiro256** for the draws. Never the system generator, so a seed fixes a forest.

/// SplitMix64 (Steele, Lea and Flood 2014): expands one 64-bit seed into a stream of well-mixed words.
struct SplitMix64 {
    private var state: UInt64

    /// A generator whose stream is fixed by `seed`.
    init(seed: UInt64) { state = seed }

    /// The next 64-bit word.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }

    /// The SplitMix64 finaliser: a bijective 64-bit hash.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// xoshiro256** (Blackman and Vigna 2018): the generator each tree draws its bootstrap and features from.
struct Xoshiro256 {
    private var s0, s1, s2, s3: UInt64

    /// A generator seeded through SplitMix64, as the authors recommend.
    init(seed: UInt64) {
        var sm = SplitMix64(seed: seed)
        s0 = sm.next(); s1 = sm.next(); s2 = sm.next(); s3 = sm.next()
    }

    /// The next 64-bit word.
    @inline(__always)
    mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// A uniform integer in 0..<bound (Lemire's multiply-and-reject, unbiased).
    @inline(__always)
    mutating func next(below bound: Int) -> Int {
        precondition(bound > 0, "Xoshiro256.next(below:) needs a positive bound, got \(bound)")
        let n = UInt64(bound)
        var m = next().multipliedFullWidth(by: n)
        if m.low < n {
            let threshold = (0 &- n) % n
            while m.low < threshold { m = next().multipliedFullWidth(by: n) }
        }
        return Int(m.high)
    }

    /// A uniform Float in [0, 1) with 24 random bits.
    mutating func nextUnitFloat() -> Float { Float(next() >> 40) * 0x1p-24 }

    /// A uniform Double in [0, 1) with 53 random bits.
    mutating func nextUnitDouble() -> Double { Double(next() >> 11) * 0x1p-53 }
}

/// Seeds of the forest's random streams, derived from the forest seed alone so that a tree's
/// draws do not depend on which thread builds it or in which order.
enum ForestSeeds {
    /// The seed of tree `index` of a forest seeded with `seed`.
    static func tree(_ index: Int, forestSeed seed: UInt64) -> UInt64 {
        SplitMix64.mix(SplitMix64.mix(seed ^ 0x5EED_F0E5_7000_0000) &+ SplitMix64.mix(UInt64(index) &+ 1))
    }
}
