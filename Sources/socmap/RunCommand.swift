import ArgumentParser
import Foundation
import Pipeline

/// `socmap run`: runs every stage of a pipeline and writes the outputs and a report.
struct Run: ParsableCommand, RuntimeConfigurable {
    static let configuration = CommandConfiguration(
        abstract: "Run a pipeline: covariate stack, soil profiles at the depth intervals, patches, cross-validation, final models, maps, report.",
        discussion: """
            Runs the stages the pipeline names (evaluate, train and predict are optional sections) and \
            writes into the pipeline's output folder only when every stage has succeeded: a failed or \
            interrupted run (Ctrl-C exits 130, SIGTERM 143) leaves the earlier outputs as they were. \
            A second run on the same output folder fails at once. Files in the folder that SOCMap did \
            not write are never touched.
            """)

    @OptionGroup var options: PipelineOptions

    @Flag(help: "Replace the whole set of outputs an earlier run wrote in the output folder.")
    var overwrite = false

    @OptionGroup(title: "Runtime") var runtime: RuntimeOptions

    func run() throws {
        try reportingErrors {
            let config = try loadPipeline(options.pipeline)
            let observer = TerminalObserver(quiet: options.quiet)
            let start = Date()
            let summary = try PipelineRunner(config: config, observer: observer).run(overwrite: overwrite, command: commandLine())
            observer.stageStarted("done")
            for line in summary.scores { print(line) }
            for line in summary.analyses { print(line) }
            print("Wrote \(summary.files.count) files to \(summary.outputFolder) in \(String(format: "%.1f", Date().timeIntervalSince(start))) s:")
            for f in summary.files { print("  \(f)") }
            print("Report: \((summary.outputFolder as NSString).appendingPathComponent("report.html")) (open it in a browser; report.md and report.json hold the same text)")
            if !summary.warnings.isEmpty {
                let n = summary.warnings.count
                print("\(n) covariate \(n == 1 ? "warning" : "warnings"): see \"Covariate checks\" in the report")
            }
        }
    }
}

/// `socmap validate`: checks a pipeline file without running it.
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a pipeline file: keys, types, files, CRSs and CSV columns, without running it.")

    @Argument(help: "Pipeline YAML file.", completion: .file(extensions: ["yaml", "yml"]))
    var pipeline: String

    func run() throws {
        try reportingErrors {
            let config = try loadPipeline(pipeline)
            for line in try PipelineValidator.validate(config) { print("ok  \(line)") }
            print("\(pipeline) is valid.")
        }
    }
}

/// `socmap inspect`: shows the grid, the covariates and where the sites fall.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the reference grid, each covariate (source CRS, resolution, nodata, range, classes) and how many sites fall inside, on nodata and outside.")

    @OptionGroup var options: PipelineOptions

    func run() throws {
        try reportingErrors {
            let config = try loadPipeline(options.pipeline)
            let inspection = try Inspection.run(config, observer: TerminalObserver(quiet: options.quiet))
            print(inspection.text(), terminator: "")
        }
    }
}
