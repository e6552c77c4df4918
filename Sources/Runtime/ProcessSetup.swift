import COpenBLAS
import Foundation

/// The process-wide set-up behind `RuntimeConfiguration.apply()`; runs once per process.
enum ProcessSetup {
    static func perform(_ configuration: RuntimeConfiguration) -> RuntimeStatus {
        precondition(
            configuration.threads >= 1, "RuntimeConfiguration: threads must be at least 1, got \(configuration.threads)"
        )
        // The engine parallelises over batch shards itself, so BLAS runs on one thread.
        openblas_set_num_threads(1)
        let tuned = configuration.tunesAllocator && tuneAllocator()
        let detected = coreName()
        if configuration.blasKernel == .automatic, let flags = cpuFlags(),
            let core = BLASKernel.automaticCore(libraryCore: detected, cpuFlags: flags)
        {
            reinitialise(core: core)
        }
        return RuntimeStatus(
            configuration: configuration, detectedCore: detected, core: coreName(), allocatorTuned: tuned)
    }

    /// The OpenBLAS core in use (e.g. "Prescott", "SkylakeX").
    static func coreName() -> String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// Keeps buffers below 32 MB in glibc's heap and up to 128 MB of free heap; false where
    /// that is not possible (not Linux, or no mallopt).
    private static func tuneAllocator() -> Bool {
        #if os(Linux)
            guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "mallopt") else { return false }
            // mallopt(3) from <malloc.h>, which Swift's Glibc module does not export.
            typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
            let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
            let trimThreshold: Int32 = -1
            let mmapThreshold: Int32 = -3  // M_TRIM_THRESHOLD, M_MMAP_THRESHOLD
            _ = mallopt(mmapThreshold, 32 << 20)
            _ = mallopt(trimThreshold, 128 << 20)
            return true
        #else
            return false
        #endif
    }

    /// Re-initialises OpenBLAS with the kernels of `core`, through its dynamic-architecture
    /// entry points and OPENBLAS_CORETYPE (restored afterwards); nothing if they are missing.
    private static func reinitialise(core: String) {
        #if os(Linux)
            guard let handle = dlopen(nil, RTLD_NOW),
                let quit = dlsym(handle, "gotoblas_dynamic_quit"),
                let initialize = dlsym(handle, "gotoblas_dynamic_init")
            else { return }
            typealias Entry = @convention(c) () -> Void
            let previous = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"]
            setenv("OPENBLAS_CORETYPE", core, 1)
            unsafeBitCast(quit, to: Entry.self)()
            unsafeBitCast(initialize, to: Entry.self)()
            if let previous { setenv("OPENBLAS_CORETYPE", previous, 1) } else { unsetenv("OPENBLAS_CORETYPE") }
            openblas_set_num_threads(1)
        #endif
    }

    /// The CPU feature flags of /proc/cpuinfo; nil where there is none.
    static func cpuFlags() -> Set<String>? {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
            let colon = line.firstIndex(of: ":")
        else { return nil }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }
}
