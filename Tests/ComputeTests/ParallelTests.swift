import Dispatch
import Runtime
import XCTest

@testable import Compute

/// The worker pool: every index once, from any thread, nested or concurrent; shards fixed by the data.
final class ParallelTests: XCTestCase {
    /// Runs forEach(count) and returns how often each index ran.
    private static func counts(_ count: Int, body extra: (Int) -> Void = { _ in }) -> [Int] {
        var hits = [Int](repeating: 0, count: count)
        hits.withUnsafeMutableBufferPointer { h in
            let p = h.baseAddress
            Parallel.forEach(count) { i in
                p![i] += 1  // each index is one task: no two threads write the same slot
                extra(i)
            }
        }
        return hits
    }

    func testWorkers_areTheRuntimeConfigurationsThreads() {
        XCTAssertEqual(Parallel.workers, RuntimeConfiguration.current.threads)
        // Nothing in the test bundle applies another configuration: today's rule, SOCMAP_NN_THREADS or the processors.
        XCTAssertEqual(Parallel.workers, RuntimeConfiguration.default.threads)
    }

    func testSplit_cutsContiguousNearEqualNonEmptyRanges() {
        XCTAssertEqual(Parallel.split(10, parts: 3), [0..<3, 3..<6, 6..<10])
        XCTAssertEqual(Parallel.split(2, parts: 8), [0..<1, 1..<2])
        XCTAssertEqual(Parallel.split(0, parts: 4), [0..<0])
        XCTAssertEqual(Parallel.split(5, parts: 0), [0..<5])
    }

    func testReductionShards_dependOnTheDataAlone() {
        // A large job: eight parts whatever the worker count; a job under about 50 µs: one.
        XCTAssertEqual(Parallel.reductionShards(1_000, nanosecondsPerItem: 100), Parallel.split(1_000, parts: 8))
        XCTAssertEqual(Parallel.reductionParts, 8)
        XCTAssertEqual(Parallel.reductionShards(1_000, nanosecondsPerItem: 1), [0..<1_000])
        XCTAssertEqual(Parallel.shards(1_000, nanosecondsPerItem: 1), [0..<1_000])
        XCTAssertEqual(Parallel.shards(1_000, nanosecondsPerItem: 100), Parallel.split(1_000, parts: Parallel.workers))
    }

    func testForEach_runsEveryIndexOnce() {
        for count in [0, 1, 2, 3, 7, 100] {
            XCTAssertEqual(Self.counts(count), [Int](repeating: 1, count: count), "count \(count)")
        }
    }

    func testForEach_manyRegionsInARow() {
        for round in 0..<2_000 {
            XCTAssertEqual(Self.counts(2 + round % 3), [Int](repeating: 1, count: 2 + round % 3))
        }
    }

    func testForEach_nestedRegionRunsOnItsCaller() {
        var inner = [Int](repeating: 0, count: 4 * 5)
        inner.withUnsafeMutableBufferPointer { b in
            let p = b.baseAddress!
            Parallel.forEach(4) { i in
                Parallel.forEach(5) { j in p[i * 5 + j] += 1 }
            }
        }
        XCTAssertEqual(inner, [Int](repeating: 1, count: 20))
    }

    func testForEach_fromSeveralThreadsAtOnce() {
        let failures = Counter()
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for round in 0..<300 {
                let n = 1 + round % 6
                if Self.counts(n) != [Int](repeating: 1, count: n) { failures.increment() }
            }
        }
        XCTAssertEqual(failures.value, 0)
    }
}

/// A thread-safe counter for the test above.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() {
        lock.lock()
        count += 1
        lock.unlock()
    }
    var value: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }
}
