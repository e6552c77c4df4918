import ArgumentParser
import FileIO
import Foundation
import Pipeline

/// The `socmap` command: soil property maps at standard depths with a depth-transfer CNN.
@main
struct SOCMap: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "socmap",
        abstract: "Map soil organic carbon (or any soil property) at standard depths with a depth-transfer CNN.",
        discussion: """
            A pipeline YAML file names the covariate rasters, the survey sites and their soil values.
            Start with `socmap validate pipelines/sample.yaml`, then `socmap run pipelines/sample.yaml`.
            """,
        version: version,
        subcommands: [Run.self, Validate.self, Inspect.self, Predict.self, SampleDataCommand.self, Bench.self])

    /// Installs the SIGINT/SIGTERM handlers, then parses and runs the command.
    static func main() {
        Interruption.install()
        main(nil)
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
