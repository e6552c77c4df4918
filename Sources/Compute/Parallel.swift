import Foundation
import Runtime

/// Splitting work over the cores (BLAS itself runs single-threaded) with the process's one pool of
/// helper threads (`WorkerPool`), shared by the network engine, the forest, the area of
/// applicability and the map stage.
///
/// The worker count is the `threads` of the process's runtime configuration
/// (`RuntimeConfiguration.current`, read at the first parallel region; by default the
/// active processors, or `SOCMAP_NN_THREADS`). Results do not depend on the worker count:
/// callers split work by sample, channel, element, file or task, and sums over shards (the
/// network's weight gradients) use `reductionShards`, a partition fixed by the data alone.
public enum Parallel {
    /// Number of workers: `RuntimeConfiguration.current.threads`.
    public static let workers: Int = RuntimeConfiguration.current.threads

    /// The helper threads (workers − 1 of them).
    private static let pool = WorkerPool(helpers: workers - 1)

    /// Runs `body(i)` for i in 0..<count on at most `workers` threads (worker t takes
    /// i = t, t + workers, ...; the calling thread is one of them).
    /// The callers' bodies write disjoint parts of their buffers (one shard each), which is
    /// what makes sharing the non-Sendable closure between threads safe.
    public static func forEach(_ count: Int, _ body: (Int) -> Void) {
        let threads = min(count, workers)
        if threads <= 1 {
            for i in 0..<count { body(i) }
            return
        }
        if pool.run(count: count, threads: threads, body) { return }
        // The helpers are busy with another region (another thread's, or this one's caller):
        // the cores are taken, so run on this thread.
        for i in 0..<count { body(i) }
    }

    /// `0..<total` cut into at most `parts` contiguous, near-equal, non-empty ranges.
    public static func split(_ total: Int, parts: Int) -> [Range<Int>] {
        let n = max(1, min(parts, total))
        if total == 0 { return [0..<0] }
        return (0..<n).map { i in (total * i / n)..<(total * (i + 1) / n) }
    }

    /// Shards of `0..<total` for work of about `nanosecondsPerItem` each on one core: one shard
    /// when the whole job takes less than about 50 µs, since waking a worker costs tens of µs.
    public static func shards(_ total: Int, nanosecondsPerItem: Double) -> [Range<Int>] {
        let parts = Double(total) * nanosecondsPerItem < 50_000 ? 1 : workers
        return split(total, parts: parts)
    }

    /// Parts of a sum over shards (a weight gradient summed over the batch): a fixed count, so
    /// the sum runs in the same order and gives the same bits on any number of threads.
    public static let reductionParts = 8

    /// Shards of `0..<total` that do not depend on the worker count: `reductionParts` near-equal
    /// ranges, or one when the whole job takes less than about 50 µs. For work whose per-shard
    /// partial results are added up afterwards.
    public static func reductionShards(_ total: Int, nanosecondsPerItem: Double) -> [Range<Int>] {
        let parts = Double(total) * nanosecondsPerItem < 50_000 ? 1 : reductionParts
        return split(total, parts: parts)
    }
}
