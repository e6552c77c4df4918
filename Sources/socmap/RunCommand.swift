import ArgumentParser
import Foundation
import Inputs
import Pipeline
import Runtime

/// `socmap run`: runs every stage of a pipeline and writes the outputs and a report.
struct Run: ParsableCommand, RuntimeConfigurable {
    static let configuration = CommandConfiguration(
        abstract: """
            Run a pipeline: covariate stack, soil profiles at the depth intervals, patches, \
            cross-validation, final models, maps, report.
            """,
        discussion: """
            Runs the stages the pipeline names (evaluate, train and predict are optional sections) and \
            writes into the pipeline's output folder only when every stage has succeeded: a failed or \
            interrupted run (Ctrl-C exits 130, SIGTERM 143) leaves the earlier outputs as they were. \
            A second run on the same output folder fails at once. Files in the folder that SOCMap did \
            not write are never touched.

            Training goes in units (each cross-validation fold of each model, and each final model), \
            each saved in the output folder when done: a run that was killed continues with the units \
            not yet saved when the same command runs again, and gives the same files as an \
            uninterrupted run. On a cluster, --part i/n trains a share of the units (run n of them, \
            e.g. as a Slurm job array; see slurm/README.md), then --merge assembles the evaluation \
            and continues; the outputs are identical to a single process's.
            """)

    @OptionGroup var options: PipelineOptions

    @Flag(help: "Replace the whole set of outputs an earlier run wrote in the output folder.")
    var overwrite = false

    @Option(
        help: ArgumentHelp(
            """
            Train only part i of n of the training units (1-based), e.g. --part 2/3; several parts may run at once. \
            Continue with --merge when every part is done.
            """,
            valueName: "i/n"),
        transform: { try Share(parsing: $0) })
    var part: Share?

    @Flag(
        help: """
            Continue a run whose training units the parts (--part) saved: assemble the evaluation, the final models, \
            the maps and the report. Trains nothing; names the missing units.
            """
    )
    var merge = false

    @Flag(
        name: .customLong("no-maps"),
        help: "Stop before the map stage (make the maps later with `socmap predict`, e.g. as shards).")
    var noMaps = false

    @OptionGroup(title: "Runtime") var runtime: RuntimeOptions

    func validate() throws {
        if part != nil && merge {
            throw ValidationError("--part and --merge exclude each other: run the parts, then --merge")
        }
    }

    func run() throws {
        try reportingErrors {
            let config = try loadPipeline(options.pipeline)
            let observer = TerminalObserver(quiet: options.quiet)
            let start = Date()
            let runner = PipelineRunner(config: config, observer: observer)
            if let parsedPart = part {
                let p = try runner.runPart(parsedPart, overwrite: overwrite, maps: !noMaps, command: commandLine())
                observer.stageStarted("done")
                print(
                    """
                    Part \(p.part): \(p.units.count) of \(p.total) training units (\(p.trained) trained, \(p.reused) \
                    already saved) in \(String(format: "%.1f", p.seconds)) s: \(p.units.joined(separator: ", "))
                    """
                )
                print(
                    "When every part is done: socmap run \(options.pipeline) --merge" + (noMaps ? " --no-maps" : "")
                        + (overwrite ? " --overwrite" : ""))
                return
            }
            let summary = try runner.run(overwrite: overwrite, command: commandLine(), merge: merge, maps: !noMaps)
            observer.stageStarted("done")
            for line in summary.scores { print(line) }
            for line in summary.analyses { print(line) }
            print(
                """
                Wrote \(summary.files.count) files to \(summary.outputFolder) in \
                \(String(format: "%.1f", Date().timeIntervalSince(start))) s:
                """
            )
            for f in summary.files { print("  \(f)") }
            print(
                """
                Report: \((summary.outputFolder as NSString).appendingPathComponent("report.html")) (open it in a \
                browser; report.md and report.json hold the same text)
                """
            )
            if noMaps && config.predict != nil {
                print(
                    """
                    Maps not made (--no-maps): socmap predict \(options.pipeline), or --shard \
                    i/n in n processes and then --merge
                    """
                )
            }
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
        abstract: """
            Show the reference grid, each covariate (source CRS, resolution, nodata, range, classes) and how many \
            sites fall inside, on nodata and outside.
            """
    )

    @OptionGroup var options: PipelineOptions

    func run() throws {
        try reportingErrors {
            let config = try loadPipeline(options.pipeline)
            let inspection = try Inspection.run(InputSettings(config), observer: TerminalObserver(quiet: options.quiet))
            print(inspection.text(), terminator: "")
        }
    }
}
