import ArgumentParser
import Foundation
import Runtime

/// `--threads` and `--blas-kernel`, shared by the commands that train or predict (run, predict, bench).
struct RuntimeOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Worker threads for the network and the forest (1 to \(RuntimeConfiguration.maximumThreads)).",
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
        if let threads, !(1...RuntimeConfiguration.maximumThreads).contains(threads) {
            let processors = ProcessInfo.processInfo.activeProcessorCount
            throw ValidationError(
                """
                --threads must be between 1 and \(RuntimeConfiguration.maximumThreads), got \(threads) (this machine \
                has \(processors) processors; more threads than processors only adds waiting)
                """)
        }
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
