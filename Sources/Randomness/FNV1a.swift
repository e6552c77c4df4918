/// FNV-1a, 64 bits (offset basis 0xCBF29CE484222325, prime 0x100000001B3): a stable hash of
/// bytes, the same on every run and platform (unlike `Hasher`). Not a cryptographic hash.
public enum FNV1a {
    /// The 64-bit FNV-1a hash of `bytes`.
    @inlinable
    public static func hash64<Bytes: Sequence>(_ bytes: Bytes) -> UInt64 where Bytes.Element == UInt8 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return hash
    }
}
