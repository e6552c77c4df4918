import Foundation

/// How the process runs the numerical work: worker threads, OpenBLAS kernels, glibc's heap.
///
/// One value for the whole process, applied once (`apply()`) before the first network or
/// forest runs: the `socmap` command applies the one built from its `--threads` and
/// `--blas-kernel` options at start-up; library code that runs before anyone applied one
/// (tests, other tools) applies `RuntimeConfiguration.default` at its first use of
/// `RuntimeConfiguration.current`, through the same `apply()`.
///
/// The settings are process-wide by nature (one BLAS library, one allocator, one pool of
/// worker threads in module Compute), hence one value per process rather than a parameter per call.
///
/// Determinism: results do not depend on the thread count. The forest's trees, predictions
/// and files are the same for every count, and so are the networks': their sums over batch
/// shards run over shards fixed by the batch, in one order (`Parallel.reductionShards`), so
/// a run with 1, 2 or 8 threads writes the same models, evaluation and maps (tested).
public struct RuntimeConfiguration: Sendable, Equatable, CustomStringConvertible {
    /// Worker threads of Compute's pool, which the network engine (batch shards, patch chunks, map
    /// tiles) and the forest (trees, row blocks) share; at least 1 (checked when applied). OpenBLAS
    /// itself always runs on one thread, so that its threads and the workers never compete for the cores.
    public var threads: Int
    /// Which OpenBLAS kernels run the matrix products.
    public var blasKernel: BLASKernel
    /// Whether glibc keeps buffers below 32 MB in its heap (M_MMAP_THRESHOLD) and up to 128 MB
    /// of free heap (M_TRIM_THRESHOLD). The layers allocate and free buffers of 0.1–2 MB at every
    /// step; with glibc's defaults these are mapped and unmapped, or trimmed, again and again,
    /// and the page faults cost 5–25 % of the run time. Linux only; ignored elsewhere.
    public var tunesAllocator: Bool

    /// A configuration; `blasKernel` and `tunesAllocator` default to today's behaviour.
    public init(threads: Int, blasKernel: BLASKernel = .automatic, tunesAllocator: Bool = true) {
        precondition(threads >= 1, "RuntimeConfiguration: threads must be at least 1, got \(threads)")
        self.threads = threads
        self.blasKernel = blasKernel
        self.tunesAllocator = tunesAllocator
    }

    /// The configuration of a process that chose nothing, from its environment:
    /// - `threads`: `SOCMAP_NN_THREADS` when it is a positive integer, else the active processors;
    /// - `blasKernel`: `.library` when `OPENBLAS_CORETYPE` is set (OpenBLAS honours it), else `.automatic`;
    /// - `tunesAllocator`: false when `GLIBC_TUNABLES` or any `MALLOC_*` variable is set, else true.
    public static var `default`: RuntimeConfiguration {
        defaults(
            environment: ProcessInfo.processInfo.environment,
            activeProcessors: ProcessInfo.processInfo.activeProcessorCount)
    }

    /// The environment variable that sets the default thread count.
    public static let threadsVariable = "SOCMAP_NN_THREADS"

    /// The most worker threads `--threads` accepts: beyond any machine SOCMAP runs on, and a guard against a
    /// typo starting thousands of threads.
    public static let maximumThreads = 1024

    /// `default`'s rules for a given environment and processor count.
    static func defaults(environment: [String: String], activeProcessors: Int) -> RuntimeConfiguration {
        var threads = max(1, activeProcessors)
        if let text = environment[threadsVariable], let n = Int(text), n > 0 { threads = n }
        let kernel: BLASKernel = environment["OPENBLAS_CORETYPE"] == nil ? .automatic : .library
        let tunes =
            environment["GLIBC_TUNABLES"] == nil && !environment.keys.contains(where: { $0.hasPrefix("MALLOC_") })
        return RuntimeConfiguration(threads: threads, blasKernel: kernel, tunesAllocator: tunes)
    }

    public var description: String {
        "\(threads) \(threads == 1 ? "thread" : "threads"), BLAS kernel \(blasKernel.rawValue)"
            + (tunesAllocator ? "" : ", glibc heap untuned")
    }
}

/// Which OpenBLAS kernels run the matrix products.
public enum BLASKernel: String, Sendable, CaseIterable {
    /// OpenBLAS's own choice, except where it falls short: OpenBLAS 0.3.21 (Debian 12) does not
    /// know recent Xeons (e.g. CPU model 207) and falls back to its SSE3 "Prescott" kernels,
    /// about 7 times slower than its AVX-512 ones. When it reports Prescott on a CPU with
    /// AVX-512 (or AVX2 + FMA), it is re-initialised with its SkylakeX (or Haswell) kernels
    /// through its own dynamic-architecture entry points.
    case automatic = "auto"
    /// OpenBLAS's own choice as it stands: its CPU detection, or `OPENBLAS_CORETYPE` when set.
    case library = "openblas"

    /// The core that `.automatic` switches to when OpenBLAS chose `libraryCore` on a CPU with
    /// the feature flags `cpuFlags` (as in /proc/cpuinfo); nil to keep OpenBLAS's choice.
    static func automaticCore(libraryCore: String, cpuFlags: Set<String>) -> String? {
        guard libraryCore.lowercased() == "prescott" else { return nil }
        if ["avx512f", "avx512dq", "avx512bw", "avx512vl", "avx512cd"].allSatisfy(cpuFlags.contains) {
            return "SkylakeX"
        }
        if ["avx2", "fma"].allSatisfy(cpuFlags.contains) { return "Haswell" }
        return nil
    }
}
