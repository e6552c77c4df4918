import Compute
import Foundation

/// Work on several files at once: one call per file on Compute's workers.
enum EachFile {
    /// Runs `body(k)` for k in 0..<count on Compute's workers (`Parallel.forEach`), each file's
    /// work on one thread; `finished(k)` runs under a lock after each success (progress). Once all
    /// have run, throws the error of the lowest k that failed.
    static func run(_ count: Int, _ body: (Int) throws -> Void, finished: ((Int) -> Void)? = nil) throws {
        let lock = NSLock()
        var failures: [Int: Error] = [:]
        Parallel.forEach(count) { k in
            do {
                try body(k)
                lock.lock()
                finished?(k)
                lock.unlock()
            } catch {
                lock.lock()
                failures[k] = error
                lock.unlock()
            }
        }
        if let first = failures.keys.min() { throw failures[first]! }
    }
}
