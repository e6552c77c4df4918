import FileIO
import Foundation
import TextFormat

/// The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian
/// header length, a JSON header {"__metadata__": {string: string}, name: {"dtype", "shape",
/// "data_offsets": [begin, end]}}, then the raw little-endian tensor bytes. Only F32 is written
/// or read. Writing is deterministic (keys sorted, tensors in name order, header padded with
/// spaces to 8 bytes) and atomic (a temporary file renamed over the destination).
public enum Safetensors {
    /// Writes `tensors` and string `metadata` to `path`, replacing any file there atomically.
    public static func write(_ tensors: [String: Tensor], metadata: [String: String], to path: String) throws {
        do {
            try AtomicFile.write(Data(encode(tensors, metadata: metadata)), to: path)
        } catch let e as FileWriteError {
            throw NeuralNetError.io(path: path, reason: e.message)
        }
    }

    /// The file's bytes for `tensors` and `metadata`.
    public static func encode(_ tensors: [String: Tensor], metadata: [String: String]) -> [UInt8] {
        let names = tensors.keys.sorted()
        var header = "{"
        if !metadata.isEmpty {
            header += JSONText.quoted("__metadata__") + ":{"
            header += metadata.keys.sorted().map { JSONText.quoted($0) + ":" + JSONText.quoted(metadata[$0]!) }.joined(
                separator: ",")
            header += "}"
        }
        var offset = 0
        for (i, name) in names.enumerated() {
            precondition(name != "__metadata__", "Safetensors: '__metadata__' is reserved and cannot name a tensor")
            let t = tensors[name]!
            let end = offset + 4 * t.count
            if i > 0 || !metadata.isEmpty { header += "," }
            header +=
                JSONText.quoted(name) + ":{\"dtype\":\"F32\",\"shape\":["
                + t.shape.map(String.init).joined(separator: ",") + "],\"data_offsets\":[\(offset),\(end)]}"
            offset = end
        }
        header += "}"
        var headerBytes = Array(header.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + headerBytes.count + offset)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: headerBytes)
        for name in names {
            for v in tensors[name]!.data {
                withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
            }
        }
        return bytes
    }

    /// Reads every tensor and the metadata of the file at `path`.
    public static func read(path: String) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw NeuralNetError.io(
                path: path, reason: "cannot read the file (\(SystemError.reason(error))): check the path")
        }
        return try decode([UInt8](data), path: path)
    }

    /// Parses a file's bytes; `path` only names the file in errors.
    public static func decode(
        _ bytes: [UInt8], path: String
    ) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        func bad(_ reason: String) -> NeuralNetError {
            .badFile(path: path, reason: reason + " (not a valid safetensors file)")
        }
        guard bytes.count >= 8 else { throw bad("file has \(bytes.count) bytes, fewer than the 8-byte header length") }
        var headerLength: UInt64 = 0
        for i in 0..<8 { headerLength |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard headerLength <= UInt64(bytes.count - 8) else {
            throw bad("header length \(headerLength) exceeds the file size \(bytes.count)")
        }
        let dataStart = 8 + Int(headerLength)
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: Data(bytes[8..<dataStart]))
        } catch {
            throw bad("header is not JSON (\(SystemError.reason(error)))")
        }
        guard let header = json as? [String: Any] else { throw bad("header is not a JSON object") }
        var metadata: [String: String] = [:]
        var tensors: [String: Tensor] = [:]
        let dataCount = bytes.count - dataStart
        for (name, value) in header {
            if name == "__metadata__" {
                guard let m = value as? [String: Any] else { throw bad("__metadata__ is not an object") }
                for (k, v) in m {
                    guard let s = v as? String else { throw bad("metadata key '\(k)' is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
                let shapeValues = entry["shape"] as? [Any], let offsetValues = entry["data_offsets"] as? [Any],
                offsetValues.count == 2
            else {
                throw bad("tensor '\(name)' lacks dtype, shape or data_offsets")
            }
            guard dtype == "F32" else {
                throw NeuralNetError.badFile(
                    path: path,
                    reason: "tensor '\(name)' has dtype \(dtype); only F32 is supported: convert it to float32")
            }
            let shape = try shapeValues.map { v -> Int in
                guard let n = (v as? NSNumber)?.intValue, n >= 0 else { throw bad("tensor '\(name)' has a bad shape") }
                return n
            }
            let offsets = try offsetValues.map { v -> Int in
                guard let n = (v as? NSNumber)?.intValue, n >= 0 else {
                    throw bad("tensor '\(name)' has bad data_offsets")
                }
                return n
            }
            let count = shape.reduce(1, *)
            guard offsets[1] >= offsets[0], offsets[1] - offsets[0] == 4 * count, offsets[1] <= dataCount else {
                throw bad("tensor '\(name)' has data_offsets \(offsets) that do not fit its shape \(shape) or the file")
            }
            var values = [Float](repeating: 0, count: count)
            let start = dataStart + offsets[0]
            for i in 0..<count {
                let p = start + 4 * i
                let bits =
                    UInt32(bytes[p]) | UInt32(bytes[p + 1]) << 8 | UInt32(bytes[p + 2]) << 16 | UInt32(bytes[p + 3])
                    << 24
                values[i] = Float(bitPattern: bits)
            }
            tensors[name] = Tensor(shape: shape, data: values)
        }
        return (tensors, metadata)
    }
}
