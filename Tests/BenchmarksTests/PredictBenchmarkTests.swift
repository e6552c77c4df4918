import Benchmarks
import XCTest

/// The map benchmark on a tiny grid: every figure present and consistent (not its speed).
final class PredictBenchmarkTests: XCTestCase {
    func testRun_tinyGrid_reportsSharedWholeAndIntervalFigures() {
        let f = PredictBenchmark.run(seconds: 0.1, channels: 4, side: 32, tile: 16, freeze: 2)
        for key in [
            "cells_per_s", "cells_per_s_unshared", "cells_per_s_with_interval", "interval_overhead", "sharing_speedup"
        ] {
            XCTAssertNotNil(f[key], key)
        }
        XCTAssertGreaterThan(f["interval_overhead"]!, 0, "the bounds take some time")
        XCTAssertLessThan(f["cells_per_s_with_interval"]!, f["cells_per_s"]!, "bounds add to the prediction's time")
        XCTAssertEqual(
            f["cells_per_s_with_interval"]!, f["cells_per_s"]! / (1 + f["interval_overhead"]!),
            accuracy: 1e-6 * f["cells_per_s"]!)
        XCTAssertEqual(f["shared_blocks"], 2)
    }
}
