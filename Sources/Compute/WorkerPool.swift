import Foundation
import Synchronization

/// The process's helper threads: `Parallel.forEach` hands each parallel region to them.
///
/// A network's training step runs about twenty short regions (one per layer pass), each of a few
/// hundred microseconds. Waking a sleeping thread for each costs tens of microseconds,
/// so after a region the helpers watch for the next one for about 50 µs before they
/// sleep on a condition. One region runs at a time; a region started while another is
/// running (another thread's, or a nested one) runs on its caller's thread alone.
final class WorkerPool: @unchecked Sendable {
    /// Threads besides the caller's.
    let helpers: Int

    /// Bumped (releasing) once the region's fields below are set; helpers acquire it.
    private let generation = Atomic<Int>(0)
    /// Helpers done with (or, beyond the region's thread count, past) the current region.
    private let finished = Atomic<Int>(0)
    /// Whether a region is running.
    private let busy = Atomic<Bool>(false)
    private let sleep = NSCondition()
    /// Helpers sleeping on `sleep` (changed under its lock).
    private var sleeping = 0

    // The current region, written by the caller before `generation` is bumped.
    private var body: ((Int) -> Void)?
    private var count = 0
    private var threads = 0

    /// Iterations of watching `generation` before a helper sleeps (about 50 µs).
    private static let watch = 20_000

    /// A pool with `helpers` threads, started now.
    init(helpers: Int) {
        self.helpers = helpers
        for t in 0..<helpers {
            let thread = Thread { [self] in self.helperLoop(slot: t + 1) }
            thread.name = "Compute worker \(t + 1)"
            thread.start()
        }
    }

    /// Runs body(i) for i in 0..<count on `threads` threads (slot t takes i = t, t + threads, ...;
    /// the caller is slot 0). Returns false, having done nothing, when a region is already running.
    func run(count: Int, threads: Int, _ body: (Int) -> Void) -> Bool {
        precondition(threads >= 2 && threads <= helpers + 1, "WorkerPool: \(threads) threads for \(helpers) helpers")
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return false }
        withoutActuallyEscaping(body) { escapable in
            self.body = escapable
            self.count = count
            self.threads = threads
            finished.store(0, ordering: .relaxed)
            generation.add(1, ordering: .releasing)
            sleep.lock()
            if sleeping > 0 { sleep.broadcast() }
            sleep.unlock()
            for i in stride(from: 0, to: count, by: threads) { escapable(i) }
            // Every helper acknowledges every region (those beyond `threads` at once), so that
            // none can still be reading this region's fields when the next one writes them.
            var spins = 0
            while finished.load(ordering: .acquiring) < helpers {
                spins += 1
                if spins > 2_000 { sched_yield() }
            }
            self.body = nil
        }
        busy.store(false, ordering: .releasing)
        return true
    }

    private func helperLoop(slot: Int) {
        var seen = 0
        while true {
            var current = generation.load(ordering: .acquiring)
            var spins = 0
            while current == seen && spins < Self.watch {
                spins += 1
                current = generation.load(ordering: .acquiring)
            }
            if current == seen {
                sleep.lock()
                while generation.load(ordering: .acquiring) == seen {
                    sleeping += 1
                    sleep.wait()
                    sleeping -= 1
                }
                sleep.unlock()
                current = generation.load(ordering: .acquiring)
            }
            seen = current
            let threads = self.threads
            if slot < threads {
                // The caller's closure lives only for its `withoutActuallyEscaping` block: drop the
                // reference before reporting, so that no copy outlives the region.
                var body = self.body
                for i in stride(from: slot, to: count, by: threads) { body?(i) }
                body = nil
            }
            finished.add(1, ordering: .releasing)
        }
    }
}
