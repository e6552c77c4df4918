import COpenBLAS
import Foundation

/// One-time set-up of OpenBLAS for the engine.
///
/// 1. Single-threaded BLAS: the engine parallelises over batch shards itself (see `Parallel`),
///    so BLAS threads and the engine's threads never compete for the same cores.
/// 2. Kernel choice: OpenBLAS 0.3.21 (Debian 12) does not know recent Xeons (e.g. CPU model 207)
///    and falls back to its SSE3 "Prescott" kernels, about 7 times slower than its AVX-512 ones.
///    When the library reports Prescott on a CPU with AVX-512 (or AVX2 + FMA), and
///    OPENBLAS_CORETYPE is not set, the library is re-initialised with OPENBLAS_CORETYPE =
///    SkylakeX (or Haswell) through its own dynamic-architecture entry points. Set
///    OPENBLAS_CORETYPE yourself to override.
/// 3. Allocator (glibc): the layers allocate and free buffers of 0.1–2 MB at every step;
///    with glibc's defaults these are mapped and unmapped, or trimmed, again and again, and
///    the page faults cost 5–25 % of the run time. Buffers below 32 MB are therefore kept
///    in the heap (M_MMAP_THRESHOLD) and up to 128 MB of free heap is kept (M_TRIM_THRESHOLD),
///    unless the process sets MALLOC_* or GLIBC_TUNABLES itself. This is process-wide.
enum BLASSetup {
    /// The OpenBLAS core in use after set-up (e.g. "SkylakeX").
    static let coreName: String = {
        configure()
        return currentCoreName()
    }()

    private static func currentCoreName() -> String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    private static func configure() {
        openblas_set_num_threads(1)
        #if os(Linux)
        let environment = ProcessInfo.processInfo.environment
        if environment["GLIBC_TUNABLES"] == nil, !environment.keys.contains(where: { $0.hasPrefix("MALLOC_") }),
           let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "mallopt") {
            // mallopt(3) from <malloc.h>, which Swift's Glibc module does not export.
            typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
            let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
            let trimThreshold: Int32 = -1, mmapThreshold: Int32 = -3  // M_TRIM_THRESHOLD, M_MMAP_THRESHOLD
            _ = mallopt(mmapThreshold, 32 << 20)
            _ = mallopt(trimThreshold, 128 << 20)
        }
        guard ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil,
              currentCoreName().lowercased() == "prescott",
              let flags = cpuFlags() else { return }
        let core: String
        if ["avx512f", "avx512dq", "avx512bw", "avx512vl", "avx512cd"].allSatisfy(flags.contains) {
            core = "SkylakeX"
        } else if ["avx2", "fma"].allSatisfy(flags.contains) {
            core = "Haswell"
        } else {
            return
        }
        guard let handle = dlopen(nil, RTLD_NOW),
              let quit = dlsym(handle, "gotoblas_dynamic_quit"),
              let initialize = dlsym(handle, "gotoblas_dynamic_init") else { return }
        typealias Entry = @convention(c) () -> Void
        setenv("OPENBLAS_CORETYPE", core, 1)
        unsafeBitCast(quit, to: Entry.self)()
        unsafeBitCast(initialize, to: Entry.self)()
        unsetenv("OPENBLAS_CORETYPE")
        openblas_set_num_threads(1)
        #endif
    }

    /// The CPU feature flags of /proc/cpuinfo.
    private static func cpuFlags() -> Set<String>? {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return nil }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }
}
