import Foundation
import Reports

/// Wall times of a run's stages as they run: each `record` stores the time since the previous lap.
final class StageClock {
    /// The stages' times so far.
    var timings = RunRecord.Timings()
    private let start = Date()
    private var last = Date()

    /// Seconds since the previous lap (or `restart`), starting the next.
    func lap() -> Double {
        let now = Date()
        defer { last = now }
        return now.timeIntervalSince(last)
    }

    /// Starts the next lap now.
    func restart() { last = Date() }

    /// Stores the lap's seconds as a stage's time.
    func record(_ stage: WritableKeyPath<RunRecord.Timings, Double>) { timings[keyPath: stage] = lap() }

    /// Stores the lap's seconds as an optional stage's time.
    func record(_ stage: WritableKeyPath<RunRecord.Timings, Double?>) { timings[keyPath: stage] = lap() }

    /// Seconds since the clock was made.
    var total: Double { Date().timeIntervalSince(start) }
}
