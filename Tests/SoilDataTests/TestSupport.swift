import Foundation
import Randomness
import XCTest

@testable import SoilData

/// A temporary folder for CSV fixtures, removed when the test ends.
final class TempDir {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("SoilDataTests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// Writes `text` (as UTF-8 bytes, unchanged) to `name` and returns its path.
    func write(_ name: String, _ text: String) throws -> String {
        let path = url.appendingPathComponent(name).path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Writes raw bytes to `name` and returns its path.
    func write(_ name: String, bytes: [UInt8]) throws -> String {
        let path = url.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }
}

/// Test draws on top of `Randomness.SplitMix64`, kept as they were (fixed test data depends on them).
extension SplitMix64 {
    /// Uniform in [lo, hi).
    mutating func uniform(_ lo: Double, _ hi: Double) -> Double {
        lo + (hi - lo) * Double(next() >> 11) / Double(1 << 53)
    }
    /// Uniform integer in lo...hi.
    mutating func int(_ lo: Int, _ hi: Int) -> Int { lo + Int(next() % UInt64(hi - lo + 1)) }
}

/// Asserts that `body` throws a `SoilDataError` and returns it.
func soilError(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> SoilDataError? {
    do {
        try body()
        XCTFail("expected a SoilDataError, nothing was thrown", file: file, line: line)
    } catch let e as SoilDataError {
        return e
    } catch {
        XCTFail("expected a SoilDataError, got \(error)", file: file, line: line)
    }
    return nil
}

/// Unwraps an optional interval value, failing the test when it is nil.
func value(_ v: Double??, file: StaticString = #filePath, line: UInt = #line) -> Double {
    guard let inner = v, let x = inner else {
        XCTFail("expected a value, got nil", file: file, line: line)
        return .nan
    }
    return x
}
