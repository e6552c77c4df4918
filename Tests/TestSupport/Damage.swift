import Foundation

/// Damages a saved file in place, as the tests of verified state (units, tiles, models, caches) need.
public enum Damage {
    /// Changes one byte of `path` in place, keeping its size: the byte at `offset(size)` (default the
    /// middle) becomes "1", or "2" when it is "1" (a digit for a digit, so a JSON file stays well-formed).
    public static func flipByte(_ path: String, at offset: (Int) -> Int = { $0 / 2 }) throws {
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let i = offset(bytes.count)
        bytes[i] = bytes[i] == UInt8(ascii: "1") ? UInt8(ascii: "2") : UInt8(ascii: "1")
        try bytes.write(to: URL(fileURLWithPath: path))
    }

    /// Cuts `path` to half its size in place.
    public static func truncate(_ path: String) throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try Data(bytes.prefix(bytes.count / 2)).write(to: URL(fileURLWithPath: path))
    }
}
