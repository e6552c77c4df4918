import Randomness

/// Seeds of the forest's random streams (each tree draws from its own `Xoshiro256`), derived from
/// the forest seed alone so that a tree's draws do not depend on which thread builds it or in which order.
enum ForestSeeds {
    /// The seed of tree `index` of a forest seeded with `seed`.
    static func tree(_ index: Int, forestSeed seed: UInt64) -> UInt64 {
        SplitMix64.mix(SplitMix64.mix(seed ^ 0x5EED_F0E5_7000_0000) &+ SplitMix64.mix(UInt64(index) &+ 1))
    }
}
