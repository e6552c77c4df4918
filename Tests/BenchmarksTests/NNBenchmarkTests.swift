import Benchmarks
import Foundation
import XCTest

/// Runs `NNBenchmark` when SOCMAP_NN_BENCH is set (release build:
/// `SOCMAP_NN_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter NNBenchmarkTests`).
/// It prints the figures; it asserts nothing about speed.
final class NNBenchmarkTests: XCTestCase {
    func testBenchmark_printsFiguresAsJSON() throws {
        guard let text = ProcessInfo.processInfo.environment["SOCMAP_NN_BENCH"] else {
            throw XCTSkip("set SOCMAP_NN_BENCH=1 (or a number of seconds) to run the benchmark")
        }
        let figures = NNBenchmark.run(seconds: Double(text).map { max($0, 2) } ?? 10)
        let json = try JSONSerialization.data(withJSONObject: figures, options: [.sortedKeys])
        print(String(decoding: json, as: UTF8.self))
        XCTAssertGreaterThan(figures["train_samples_per_s"] ?? 0, 0)
        XCTAssertGreaterThan(figures["infer_patches_per_s"] ?? 0, 0)
    }
}
