// Work sharing for the forest: a few workers pull task indices from one counter, on Compute's
// worker pool. Results are written by index, so they do not depend on the scheduling.
import Compute
import Foundation
import Runtime

/// The thread count of a call: `threads` when given, else the process's runtime configuration's
/// (`RuntimeConfiguration.current.threads`, by default the active processors or `SOCMAP_NN_THREADS`).
func threadCount(_ threads: Int?) -> Int {
    let count = threads ?? RuntimeConfiguration.current.threads
    precondition(count >= 1, "thread count must be at least 1, got \(count)")
    return count
}

/// A counter that hands out task indices 0..<count once each, and counts finished tasks.
final class TaskCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var nextIndex = 0
    private var finished = 0
    private let count: Int

    /// A counter over `count` tasks.
    init(count: Int) { self.count = count }

    /// The next task index, or nil when every task has been handed out.
    func take() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard nextIndex < count else { return nil }
        nextIndex += 1
        return nextIndex - 1
    }

    /// Marks one task finished and calls `report(finished, count)` under the lock, so reports arrive in order.
    func finish(report: (@Sendable (Int, Int) -> Void)?) {
        lock.lock()
        defer { lock.unlock() }
        finished += 1
        report?(finished, count)
    }
}

/// A buffer that worker threads write at distinct indices. Callers guarantee that no two
/// threads touch the same index and that reads happen after the workers have joined.
final class SharedSlots<Element>: @unchecked Sendable {
    /// The storage; index it only from the one worker that owns that index.
    let buffer: UnsafeMutableBufferPointer<Element>

    /// A buffer of `count` copies of `value`.
    init(count: Int, repeating value: Element) {
        buffer = .allocate(capacity: count)
        buffer.initialize(repeating: value)
    }

    deinit {
        buffer.deinitialize()
        buffer.deallocate()
    }

    /// The contents as an array (call after the workers have joined).
    func toArray() -> [Element] { Array(buffer) }
}

/// Runs `worker(w)` for w in 0..<threads on Compute's worker pool (`Parallel.forEach`) and returns
/// when all have finished; the calling thread is one of them. Each worker pulls its tasks from a
/// shared `TaskCounter` until none is left. At most `Parallel.workers` run at once (the process's
/// thread count): a worker index beyond them runs after another one on the same thread and finds
/// the tasks taken. Inside another parallel region (or while another thread's runs) every worker
/// runs on the calling thread, one after the other.
func runWorkers(threads: Int, _ worker: @Sendable (Int) -> Void) {
    precondition(threads >= 1, "thread count must be at least 1, got \(threads)")
    Parallel.forEach(threads, worker)
}
