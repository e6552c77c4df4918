import Crypto
import Foundation

/// SHA-256 as lowercase hex, from swift-crypto's `Crypto.SHA256` (BoringSSL's on Linux, CryptoKit's
/// on Apple systems), streaming: `update` with bytes as they come (files in 1 MiB pieces), then
/// `hexDigest`.
public struct SHA256Hasher {
    private var hasher = Crypto.SHA256()

    /// A fresh hash.
    public init() {}

    /// Feeds bytes.
    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        let contiguous: Void? = bytes.withContiguousStorageIfAvailable {
            hasher.update(bufferPointer: UnsafeRawBufferPointer($0))
        }
        if contiguous == nil { hasher.update(data: Array(bytes)) }
    }

    /// Feeds raw memory (a numeric array's bytes, as `withUnsafeBytes` gives them).
    public mutating func update(raw bytes: UnsafeRawBufferPointer) { hasher.update(bufferPointer: bytes) }

    /// Feeds the UTF-8 bytes of a string.
    public mutating func update(_ text: String) { update(Array(text.utf8)) }

    /// Feeds a big-endian 64-bit integer (used to frame variable-length fields).
    public mutating func update(uint64 value: UInt64) {
        update((0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * $0)) })
    }

    /// Feeds a file's bytes, read in 1 MiB pieces.
    public mutating func update(fileAt path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw FileReadError(path: path, reason: "no such file, or not readable")
        }
        defer { try? handle.close() }
        while true {
            let chunk: Data
            do {
                chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            } catch {
                throw FileReadError(path: path, reason: SystemError.reason(error))
            }
            if chunk.isEmpty { break }
            hasher.update(data: chunk)
        }
    }

    /// The digest of the bytes fed so far, as 64 lowercase hex digits (more bytes may follow).
    public func hexDigest() -> String {
        hasher.finalize().map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// SHA-256 of bytes, as hex.
    public static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var hash = SHA256Hasher()
        hash.update(bytes)
        return hash.hexDigest()
    }

    /// SHA-256 of a string's UTF-8 bytes, as hex.
    public static func hex(_ text: String) -> String { hex(Array(text.utf8)) }

    /// SHA-256 of a file's bytes, as hex (read in 1 MiB pieces).
    public static func hex(fileAt path: String) throws -> String {
        var hash = SHA256Hasher()
        try hash.update(fileAt: path)
        return hash.hexDigest()
    }
}
