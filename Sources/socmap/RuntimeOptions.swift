import ArgumentParser
import Runtime

/// `--threads` and `--blas-kernel`, shared by the commands that train or predict (run, predict, bench).
struct RuntimeOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Worker threads for the network and the forest (at least 1).",
            discussion: """
                Default: \(RuntimeConfiguration.threadsVariable) when set, else the active processors. \
                Results are the same bytes for any thread count.
                """
        ))
    var threads: Int?

    @Option(
        help: ArgumentHelp(
            "Which OpenBLAS kernels run the matrix products.",
            discussion: """
                auto: OpenBLAS's choice, but SkylakeX or Haswell kernels where OpenBLAS falls back to SSE3 on a \
                newer CPU; openblas: OpenBLAS's choice as it stands. Default: auto, or openblas when \
                OPENBLAS_CORETYPE is set.
                """
        ))
    var blasKernel: BLASKernel?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }

    /// The runtime configuration: the default with these options applied.
    var configuration: RuntimeConfiguration {
        var configuration = RuntimeConfiguration.default
        if let threads { configuration.threads = threads }
        if let blasKernel { configuration.blasKernel = blasKernel }
        return configuration
    }
}

extension BLASKernel: ExpressibleByArgument {}

/// A command whose runtime configuration comes from its `--threads` and `--blas-kernel` options.
protocol RuntimeConfigurable {
    var runtime: RuntimeOptions { get }
}
