import FileIO
import Foundation
import SoilData

/// An error reading or writing a patch file, naming the file.
public struct PatchFileError: Error, CustomStringConvertible, Sendable {
    /// The file.
    public let path: String
    /// What is wrong.
    public let message: String
    public var description: String { "patch file '\(path)': \(message)" }
}

/// The patch file format, version 1 (little-endian throughout):
///
///     "SOCPATCH"                      8 bytes
///     header length N                 UInt64
///     JSON header                     N bytes, space-padded to a multiple of 8
///     patches                         Float32 [sites][channels][P][P]
///     samples                         [count] x (Int32 site, Int32 depth, Float32 value)
///
/// The JSON header lists shapes, channel names and scaling, depths, sites and the byte
/// offsets of both arrays, so numpy can read them with `np.fromfile(offset=...)`.
public enum PatchFile {
    /// Format version written by this build.
    public static let version = 1
    static let magic = Array("SOCPATCH".utf8)

    struct Header: Codable {
        var format = "socmap-patches"
        var version: Int
        var property: String
        var unit: String
        var patch_size: Int
        var channels: [PatchChannel]
        var depths: [[Double]]
        var grid: PatchGrid
        var sites: [PatchSite]
        var patches: ArrayInfo
        var samples: ArrayInfo
        /// Absent in files written before covariates were recorded.
        var covariates: [PatchCovariate]?
    }

    struct ArrayInfo: Codable {
        var dtype: String
        var shape: [Int]
        var offset: Int
        var fields: [String]?
    }

    /// Writes a data set atomically (temporary file, then rename).
    public static func write(_ data: PatchDataset, to path: String) throws {
        let c = data.channels.count
        let p = data.patchSize
        var header = Header(
            version: version, property: data.property, unit: data.unit, patch_size: p,
            channels: data.channels, depths: data.depths.map { [$0.top, $0.bottom] },
            grid: data.grid, sites: data.sites,
            patches: ArrayInfo(dtype: "<f4", shape: [data.sites.count, c, p, p], offset: 0, fields: nil),
            samples: ArrayInfo(
                dtype: "<i4,<i4,<f4", shape: [data.samples.count], offset: 0,
                fields: ["site", "depth", "value"]),
            covariates: data.covariates.isEmpty ? nil : data.covariates)
        // Offsets depend on the header length, which depends on the offsets' digits: iterate to a fixed point.
        var json = Data()
        for _ in 0..<4 {
            json = try encode(header)
            let start = 16 + padded(json.count)
            let next = ArrayInfo(dtype: "<f4", shape: header.patches.shape, offset: start, fields: nil)
            let samplesStart = start + data.patches.count * 4
            if next.offset == header.patches.offset && header.samples.offset == samplesStart { break }
            header.patches = next
            header.samples.offset = samplesStart
        }
        json = try encode(header)
        let headerLength = padded(json.count)
        var out = Data(capacity: 16 + headerLength + data.patches.count * 4 + data.samples.count * 12)
        out.append(contentsOf: magic)
        appendLE(&out, UInt64(headerLength))
        out.append(json)
        out.append(contentsOf: [UInt8](repeating: 0x20, count: headerLength - json.count))
        precondition(out.count == header.patches.offset, "patch file offset mismatch")
        appendLE(&out, floats: data.patches)
        for s in data.samples {
            appendLE(&out, UInt32(bitPattern: Int32(s.site)))
            appendLE(&out, UInt32(bitPattern: Int32(s.depth)))
            appendLE(&out, s.value.bitPattern)
        }
        try AtomicFile.write(out, to: path)
    }

    /// Reads a data set written by `write`, checking magic, version and sizes.
    public static func read(path: String) throws -> PatchDataset {
        guard let bytes = FileManager.default.contents(atPath: path) else {
            throw PatchFileError(path: path, message: "cannot read the file; run the patches stage first")
        }
        guard bytes.count >= 16, Array(bytes.prefix(8)) == magic else {
            throw PatchFileError(path: path, message: "not a SOCMap patch file (bad magic bytes)")
        }
        let n = Int(readLE(bytes, at: 8, as: UInt64.self))
        guard 16 + n <= bytes.count else { throw PatchFileError(path: path, message: "truncated header") }
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: bytes.subdata(in: 16..<(16 + n)))
        } catch {
            throw PatchFileError(path: path, message: "unreadable header: \(error)")
        }
        guard header.version == version else {
            throw PatchFileError(
                path: path, message: "format version \(header.version); this socmap reads version \(version)")
        }
        let count = header.patches.shape.reduce(1, *)
        let end = header.samples.offset + header.samples.shape[0] * 12
        guard header.patches.offset + count * 4 == header.samples.offset, end == bytes.count else {
            throw PatchFileError(path: path, message: "file size does not match its header (truncated or corrupt)")
        }
        let patches = readLE(floats: bytes, at: header.patches.offset, count: count)
        var samples: [PatchSample] = []
        samples.reserveCapacity(header.samples.shape[0])
        bytes.withUnsafeBytes { raw in
            for i in 0..<header.samples.shape[0] {
                let o = header.samples.offset + 12 * i
                let site = Int32(
                    bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: UInt32.self)))
                let depth = Int32(
                    bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: o + 4, as: UInt32.self)))
                let value = Float(
                    bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: o + 8, as: UInt32.self)))
                samples.append(PatchSample(site: Int(site), depth: Int(depth), value: value))
            }
        }
        let depths = header.depths.map { DepthInterval(top: $0[0], bottom: $0[1]) }
        guard
            samples.allSatisfy({
                $0.site >= 0 && $0.site < header.sites.count && $0.depth >= 0 && $0.depth < depths.count
            })
        else {
            throw PatchFileError(
                path: path, message: "a sample points at a site or depth that does not exist (corrupt file)")
        }
        return PatchDataset(
            property: header.property, unit: header.unit, patchSize: header.patch_size,
            channels: header.channels, depths: depths, grid: header.grid, sites: header.sites,
            patches: patches, samples: samples, covariates: header.covariates ?? [])
    }

    private static func encode(_ header: Header) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(header)
    }

    private static func padded(_ n: Int) -> Int { (n + 7) / 8 * 8 }
}

func appendLE<T: FixedWidthInteger>(_ data: inout Data, _ value: T) {
    withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
}

/// Appends Float32 values little-endian (a bulk copy on little-endian hosts).
func appendLE(_ data: inout Data, floats: [Float]) {
    #if _endian(little)
        floats.withUnsafeBytes { data.append(contentsOf: $0) }
    #else
        for v in floats { appendLE(&data, v.bitPattern) }
    #endif
}

/// Reads `count` little-endian Float32 values starting at `offset`.
func readLE(floats data: Data, at offset: Int, count: Int) -> [Float] {
    var out = [Float](repeating: 0, count: count)
    data.withUnsafeBytes { raw in
        #if _endian(little)
            out.withUnsafeMutableBytes { dst in
                dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[offset..<offset + 4 * count]))
            }
        #else
            for i in 0..<count {
                out[i] = Float(
                    bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 4 * i, as: UInt32.self))
                )
            }
        #endif
    }
    return out
}

func readLE<T: FixedWidthInteger>(_ data: Data, at offset: Int, as: T.Type) -> T {
    data.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: T.self)) }
}
