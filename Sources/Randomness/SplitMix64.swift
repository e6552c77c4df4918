/// SplitMix64 (Steele, Lea and Flood 2014): a tiny generator that expands one 64-bit seed into
/// well-mixed words; its finaliser `mix` is a bijective 64-bit hash.
public struct SplitMix64: WordGenerator, RandomNumberGenerator, Sendable, Equatable {
    /// The running state.
    @usableFromInline var state: UInt64

    /// A generator whose stream is fixed by `seed`.
    @inlinable
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    @inlinable
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// The SplitMix64 finaliser: a bijective 64-bit mixer (good as a hash).
    @inlinable
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
