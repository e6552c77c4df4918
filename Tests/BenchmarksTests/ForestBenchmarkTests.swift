// The benchmark's figures exist and make sense on a tiny run (speed itself is never asserted).
import Benchmarks
import Runtime
import XCTest

final class ForestBenchmarkTests: XCTestCase {
    func testRun_tinyForest_reportsTimesAndASaneOutOfBagR2() {
        let figures = ForestBenchmark.run(rows: 1000, features: 8, trees: 10, threads: 2)
        for key in ["fit_s", "predict_s", "oob_r2"] { XCTAssertNotNil(figures[key], key) }
        XCTAssertGreaterThan(figures["fit_s"] ?? -1, 0)
        XCTAssertGreaterThan(figures["predict_s"] ?? -1, 0)
        XCTAssertGreaterThan(figures["oob_r2"] ?? -1, 0.5)
        XCTAssertEqual(figures["max_features"], 2)  // 0.33 x 8, as scikit-learn truncates it
    }

    /// Without a thread count the benchmark runs on the runtime configuration's.
    func testDefaultThreads_areTheRuntimeConfigurations() {
        XCTAssertEqual(
            ForestBenchmark.run(rows: 200, features: 4, trees: 3)["threads"],
            Double(RuntimeConfiguration.current.threads))
    }
}
