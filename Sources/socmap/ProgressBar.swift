import Foundation
import Pipeline
import TextFormat

/// A terminal progress bar with rate and ETA on stderr; plain lines every 10 % when not a terminal.
final class ProgressBar {
    private let isTTY = isatty(STDERR_FILENO) != 0
    private var label = ""
    private var start = Date()
    private var lastDraw = Date.distantPast
    private var lastDecile = -1
    private var active = false
    /// Items already done when the bar appeared (a resumed stage): not counted in the rate.
    private var firstDone = 0

    func update(_ label: String, done: Int, total: Int, detail: String = "") {
        if label != self.label || !active {
            finishLine()
            self.label = label
            start = Date()
            lastDecile = -1
            active = true
            firstDone = done
        }
        let now = Date()
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 0
        let elapsed = now.timeIntervalSince(start)
        let (rate, eta) = Self.rateAndETA(done: done, firstDone: firstDone, total: total, elapsed: elapsed)
        if isTTY {
            guard done >= total || now.timeIntervalSince(lastDraw) > 0.1 else { return }
            lastDraw = now
            let width = 28
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            let text = String(
                format: "\r  %@ %@ %3.0f%% %ld/%ld  %@/s  ETA %@  %@\u{1B}[K", label, bar, fraction * 100, done, total,
                ProgressBar.short(rate), ProgressBar.clock(eta), detail)
            FileHandle.standardError.write(Data(text.utf8))
        } else {
            // Logs (CI, files): the end of each bar, and a line every 10 % only for bars that run long.
            let decile = Int(fraction * 10)
            let slow = elapsed > 5 && now.timeIntervalSince(lastDraw) > 5
            guard done >= total || (decile > lastDecile && slow) else { return }
            lastDecile = decile
            lastDraw = now
            let text = String(
                format: "  %@ %3.0f%% %ld/%ld  ETA %@  %@\n", label, fraction * 100, done, total,
                ProgressBar.clock(eta), detail)
            FileHandle.standardError.write(Data(text.utf8))
        }
        if done >= total { finishLine() }
    }

    func finishLine() {
        if active && isTTY { FileHandle.standardError.write(Data("\n".utf8)) }
        active = false
    }

    /// Items per second since the bar appeared and the time left at that rate; NaN (shown as "--")
    /// until there is something to measure: under 0.2 s, or no item done since the bar appeared
    /// (a bar whose first report is its last would otherwise claim millions per second).
    static func rateAndETA(done: Int, firstDone: Int, total: Int, elapsed: Double) -> (rate: Double, eta: Double) {
        let progressed = done - firstDone
        guard elapsed >= 0.2, progressed > 0 else { return (.nan, done >= total ? 0 : .nan) }
        let rate = Double(progressed) / elapsed
        return (rate, Double(max(0, total - done)) / rate)
    }

    static func clock(_ seconds: Double) -> String { DurationText.clock(seconds) }

    static func short(_ v: Double) -> String {
        guard v.isFinite else { return "--" }
        return v >= 1e6
            ? String(format: "%.1fM", v / 1e6) : v >= 1e3 ? String(format: "%.1fk", v / 1e3) : String(format: "%.0f", v)
    }
}

/// Shows stages, progress bars and notes on stderr while a pipeline runs.
final class TerminalObserver: PipelineObserver {
    private let bar = ProgressBar()
    private let quiet: Bool
    private let start = Date()

    init(quiet: Bool) { self.quiet = quiet }

    func stageStarted(_ name: String) {
        bar.finishLine()
        if !quiet { eprint(String(format: "[%6.1fs] %@", Date().timeIntervalSince(start), name)) }
    }

    func progress(_ label: String, done: Int, total: Int, detail: String) {
        if !quiet { bar.update(label, done: done, total: total, detail: detail) }
    }

    func note(_ text: String) {
        bar.finishLine()
        if !quiet { eprint("  " + text) }
    }
}

/// Prints a line to stderr.
func eprint(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
