/// A named stream of seeds under a root seed: every random choice of a run draws its seed from a path
/// of names ("train" / "fold" / 3), so two choices never share a seed by an accident of arithmetic
/// (as `seed + 7919 k` and `seed + 104729` could) and adding a stream changes no other stream.
public struct SeedStream: Sendable, Hashable, CustomStringConvertible {
    /// The stream's key: a 64-bit hash of the root seed and the path of names.
    public let key: UInt64
    /// The path of names, for messages ("2025/train/fold/3").
    public let path: String

    /// The root stream of `seed`.
    public init(root seed: UInt64) {
        key = SplitMix64.mix(seed ^ 0x5EED_5EED_5EED_5EED)
        path = "\(seed)"
    }

    private init(key: UInt64, path: String) {
        self.key = key
        self.path = path
    }

    /// The sub-stream called `name`.
    public func child(_ name: String) -> SeedStream {
        SeedStream(key: SplitMix64.mix(key ^ FNV1a.hash64(Array(name.utf8))), path: path + "/" + name)
    }

    /// The sub-stream numbered `index` (a fold, a subset, a member).
    public func child(_ index: Int) -> SeedStream {
        SeedStream(
            key: SplitMix64.mix(SplitMix64.mix(key) ^ UInt64(bitPattern: Int64(index))), path: path + "/\(index)")
    }

    /// The seed this stream hands to a fit or a draw.
    public var seed: UInt64 { SplitMix64.mix(key &+ 0x9E37_79B9_7F4A_7C15) }

    public var description: String { path }
}
