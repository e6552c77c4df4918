// Little-endian byte writing and reading for the forest file, with a checksum.

/// Appends little-endian values to a byte array.
struct ByteWriter {
    /// The bytes written so far.
    private(set) var bytes: [UInt8] = []

    /// Appends an integer, little-endian.
    mutating func write<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Appends a Float as its IEEE bit pattern.
    mutating func write(_ value: Float) { write(value.bitPattern) }

    /// Appends a Double as its IEEE bit pattern.
    mutating func write(_ value: Double) { write(value.bitPattern) }

    /// Appends raw bytes.
    mutating func write(bytes more: [UInt8]) { bytes.append(contentsOf: more) }

    /// Appends every integer of an array, little-endian.
    mutating func write<T: FixedWidthInteger>(array: [T]) {
        if UInt16(1).littleEndian == 1 {
            array.withUnsafeBytes { bytes.append(contentsOf: $0) }
        } else {
            bytes.reserveCapacity(bytes.count + array.count * MemoryLayout<T>.size)
            for v in array { write(v) }
        }
    }
}

/// Reads little-endian values from a byte array, throwing on truncation.
struct ByteReader {
    private let bytes: [UInt8]
    /// Offset of the next byte to read.
    private(set) var offset = 0
    /// What to name in errors.
    private let path: String

    /// A reader over `bytes` read from `path`.
    init(_ bytes: [UInt8], path: String) {
        self.bytes = bytes
        self.path = path
    }

    /// Bytes left to read.
    var remaining: Int { bytes.count - offset }

    /// Reads an integer, little-endian.
    mutating func read<T: FixedWidthInteger>(_ type: T.Type, _ what: String) throws -> T {
        let size = MemoryLayout<T>.size
        guard remaining >= size else { throw truncated(what) }
        var value: T = 0
        withUnsafeMutableBytes(of: &value) { dst in
            bytes.withUnsafeBytes { src in
                dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[offset..<offset + size]))
            }
        }
        offset += size
        return T(littleEndian: value)
    }

    /// Reads a Float.
    mutating func readFloat(_ what: String) throws -> Float { Float(bitPattern: try read(UInt32.self, what)) }

    /// Reads a Double.
    mutating func readDouble(_ what: String) throws -> Double { Double(bitPattern: try read(UInt64.self, what)) }

    /// Reads `count` raw bytes.
    mutating func read(bytes count: Int, _ what: String) throws -> [UInt8] {
        guard count >= 0, remaining >= count else { throw truncated(what) }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    /// Reads `count` integers, little-endian.
    mutating func read<T: FixedWidthInteger>(array type: T.Type, count: Int, _ what: String) throws -> [T] {
        guard count >= 0, remaining / MemoryLayout<T>.size >= count else { throw truncated(what) }
        let size = count * MemoryLayout<T>.size
        var out = [T](repeating: 0, count: count)
        out.withUnsafeMutableBytes { dst in
            bytes.withUnsafeBytes { src in
                dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[offset..<offset + size]))
            }
        }
        offset += size
        if UInt16(1).littleEndian != 1 { out = out.map { T(littleEndian: $0) } }
        return out
    }

    /// The error for a file that ends too early.
    func truncated(_ what: String) -> ForestFileError {
        ForestFileError(
            path: path,
            reason:
                "file ends at byte \(bytes.count) while reading \(what); the file is truncated, save the forest again")
    }
}
