import ArgumentParser
import Configuration
import FileIO
import Foundation
import Pipeline
import Runtime

/// The `socmap` command: soil property maps at standard depths with a depth-transfer CNN.
@main
struct SOCMap: ParsableCommand {
    static let version = "0.2.0"

    static let configuration = CommandConfiguration(
        commandName: "socmap",
        abstract: "Map soil organic carbon (or any soil property) at standard depths with a depth-transfer CNN.",
        discussion: """
            A pipeline YAML file names the covariate rasters, the survey sites and their soil values.
            Start with `socmap validate pipelines/sample.yaml`, then `socmap run pipelines/sample.yaml`.
            """,
        version: version,
        subcommands: [
            Run.self, Validate.self, Inspect.self, Predict.self, Study.self, SampleDataCommand.self,
            SampleTruthCommand.self, Bench.self
        ])

    /// Installs the SIGINT/SIGTERM handlers, parses the command line, applies the runtime
    /// configuration (threads, BLAS kernels: the command's `--threads` and `--blas-kernel`, or the
    /// default) once for the whole process, then runs the command.
    static func main() {
        Interruption.install()
        do {
            var command = try parseAsRoot()
            let runtime = (command as? RuntimeConfigurable)?.runtime.configuration ?? .default
            try runtime.apply()
            try command.run()
        } catch {
            exit(withError: error)
        }
    }
}

/// Options shared by commands that read a pipeline.
struct PipelineOptions: ParsableArguments {
    @Argument(help: "Pipeline YAML file.", completion: .file(extensions: ["yaml", "yml"]))
    var pipeline: String

    @Flag(name: .shortAndLong, help: "Print only errors and the final summary.")
    var quiet = false
}

/// Reads a pipeline file and prints its notes (deprecated keys, with line and column) on stderr.
func loadPipeline(_ path: String) throws -> PipelineConfig {
    let config = try PipelineConfig.load(path: path)
    for warning in config.warnings { eprint("note: \(warning)") }
    return config
}

/// Runs `body`, turning any error into one readable line on stderr and exit code 1.
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let e as ExitCode {
        throw e
    } catch let e as CleanExit {
        throw e
    } catch {
        eprint("error: \(describe(error))")
        throw ExitCode.failure
    }
}

/// An error as the user reads it: Foundation's file errors become the path and the system's reason.
func describe(_ error: Error) -> String {
    guard SystemError.isFoundationError(error) else { return "\(error)" }
    let place = SystemError.path(error).map { "'\($0)': " } ?? ""
    return place + SystemError.reason(error) + "; check the path, its permissions and the free space, then run again"
}
