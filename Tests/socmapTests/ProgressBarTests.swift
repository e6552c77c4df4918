import XCTest

@testable import socmap

/// The progress bar's rate and ETA count only what was done while the bar was shown.
final class ProgressBarTests: XCTestCase {
    func testRate_countsItemsSinceTheBarAppeared_andSaysNothingTooEarly() {
        // A bar whose first report is its last (all 2999 patches in one tile) has no rate to show.
        let once = ProgressBar.rateAndETA(done: 2999, firstDone: 2999, total: 2999, elapsed: 0.0001)
        XCTAssertTrue(once.rate.isNaN)
        XCTAssertEqual(once.eta, 0)
        XCTAssertEqual(ProgressBar.short(once.rate), "--")
        // Under 0.2 s: no rate yet, and an unknown ETA.
        let early = ProgressBar.rateAndETA(done: 10, firstDone: 0, total: 100, elapsed: 0.1)
        XCTAssertTrue(early.rate.isNaN && early.eta.isNaN)
        // A resumed stage: 40 tiles were done before, 10 more in 5 s -> 2/s and 25 s for the last 50.
        let resumed = ProgressBar.rateAndETA(done: 50, firstDone: 40, total: 100, elapsed: 5)
        XCTAssertEqual(resumed.rate, 2, accuracy: 1e-12)
        XCTAssertEqual(resumed.eta, 25, accuracy: 1e-9)
        XCTAssertEqual(ProgressBar.clock(resumed.eta), "0:25")
        XCTAssertEqual(ProgressBar.short(6_289_400_000), "6289.4M")
    }
}
