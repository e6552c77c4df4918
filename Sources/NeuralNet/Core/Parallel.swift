import Dispatch
import Foundation

/// Splitting work over the cores with Dispatch (BLAS itself runs single-threaded).
///
/// The worker count is the number of active processors, or `SOCMAP_NN_THREADS`
/// when that is set to a positive integer. Results depend on the worker count only
/// through the order of floating-point sums, and are identical from run to run.
public enum Parallel {
    /// Number of workers the engine uses.
    public static let workers: Int = {
        if let text = ProcessInfo.processInfo.environment["SOCMAP_NN_THREADS"], let n = Int(text), n > 0 {
            return n
        }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }()

    /// Runs `body(i)` for i in 0..<count on at most `workers` threads (worker t takes
    /// i = t, t + workers, ...; the calling thread is one of them).
    /// The callers' bodies write disjoint parts of their buffers (one shard each), which is
    /// what makes sharing the non-Sendable closure between threads safe.
    static func forEach(_ count: Int, _ body: (Int) -> Void) {
        let threads = min(count, workers)
        if threads <= 1 {
            for i in 0..<count { body(i) }
            return
        }
        withoutActuallyEscaping(body) { escapable in
            let shared = UncheckedSendable(escapable)
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                for i in stride(from: t, to: count, by: threads) { shared.value(i) }
            }
        }
    }

    /// `0..<total` cut into at most `parts` contiguous, near-equal, non-empty ranges.
    static func split(_ total: Int, parts: Int) -> [Range<Int>] {
        let n = max(1, min(parts, total))
        if total == 0 { return [0..<0] }
        return (0..<n).map { i in (total * i / n)..<(total * (i + 1) / n) }
    }

    /// Shards of `0..<total` for work of about `nanosecondsPerItem` each on one core: one shard
    /// when the whole job takes less than about 50 µs, since waking a worker costs tens of µs.
    static func shards(_ total: Int, nanosecondsPerItem: Double) -> [Range<Int>] {
        let parts = Double(total) * nanosecondsPerItem < 50_000 ? 1 : workers
        return split(total, parts: parts)
    }
}

/// A value handed to other threads under the caller's guarantee of no data race.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
