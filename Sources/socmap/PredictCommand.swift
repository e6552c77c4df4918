import ArgumentParser
import Foundation
import Mapping
import Pipeline
import Runtime
import Workspace

/// `socmap predict`: maps every depth with the models a run saved, without retraining.
struct Predict: ParsableCommand, RuntimeConfigurable {
    static let configuration = CommandConfiguration(
        abstract: "Map every depth over the whole grid with the saved models (no retraining).",
        discussion: """
            Needs the pipeline's 'predict' section and the models of an earlier `socmap run`.
            An interrupted run continues where it stopped. With --shard i/n a process predicts
            every n-th tile only (run n of them, e.g. as a Slurm job array), then `--merge`
            assembles the maps once every shard is done; the files are identical to a single run.
            """)

    @OptionGroup var options: PipelineOptions

    @Option(
        help: ArgumentHelp(
            "Predict only shard i of n (1-based), e.g. --shard 2/3; assemble later with --merge.", valueName: "i/n"),
        transform: { try Share(parsing: $0) })
    var shard: Share?

    @Flag(help: "Assemble the maps from the tiles of every shard.")
    var merge = false

    @Flag(help: "Start afresh: predict every tile again (the earlier maps stay until the new ones are complete).")
    var overwrite = false

    @OptionGroup(title: "Runtime") var runtime: RuntimeOptions

    func validate() throws {
        if shard != nil && merge {
            throw ValidationError("--shard and --merge exclude each other: run the shards, then --merge")
        }
        if shard != nil && overwrite {
            throw ValidationError(
                """
                --overwrite with --shard would delete the tiles the other shards are writing; \
                to start the shards afresh, remove the tile folder <output>/.socmap/tiles once before the job array
                """
            )
        }
    }

    func run() throws {
        try reportingErrors {
            let config = try loadPipeline(options.pipeline)
            let parsedShard = shard ?? .whole
            let maps = OutputLayout(config).mapsFolder
            let observer = TerminalObserver(quiet: options.quiet)
            let result = try PipelineRunner(config: config, observer: observer)
                .predict(
                    shard: parsedShard, merge: merge, overwrite: overwrite, tilesOnly: shard != nil,
                    command: commandLine())
            observer.stageStarted("done")
            if result.assembled {
                print("Wrote \(result.files.count) files to \(maps):")
                for f in result.files { print("  \(f)") }
            } else {
                print(
                    """
                    Shard \(parsedShard): \(result.tilesPredicted) tiles predicted; run `socmap predict \
                    \(options.pipeline) --merge` when every shard is done.
                    """
                )
            }
            if result.seconds > 0 && result.cells > 0 {
                print(
                    String(
                        format: "%.0f cells/s, peak memory %.0f MB", Double(result.cells) / result.seconds,
                        Double(result.peakMemory) / 1e6))
            }
        }
    }
}
