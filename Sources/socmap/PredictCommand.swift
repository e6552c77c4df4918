import ArgumentParser
import Foundation
import Mapping
import Pipeline

/// `socmap predict`: maps every depth with the models a run saved, without retraining.
struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Map every depth over the whole grid with the saved models (no retraining).",
        discussion: """
            Needs the pipeline's 'predict' section and the models of an earlier `socmap run`.
            An interrupted run continues where it stopped. With --shard i/n a process predicts
            every n-th tile only (run n of them, e.g. as a Slurm job array), then `--merge`
            assembles the maps once every shard is done; the files are identical to a single run.
            """)

    @OptionGroup var options: PipelineOptions

    @Option(help: "Predict only shard i of n (1-based), e.g. --shard 2/3; assemble later with --merge.")
    var shard: String?

    @Flag(help: "Assemble the maps from the tiles of every shard.")
    var merge = false

    @Flag(help: "Start afresh: delete tiles and maps of an earlier prediction.")
    var overwrite = false

    func validate() throws {
        if shard != nil && merge { throw ValidationError("--shard and --merge exclude each other: run the shards, then --merge") }
    }

    func run() throws {
        try reportingErrors {
            let config = try PipelineConfig.load(path: options.pipeline)
            let parsedShard = try shard.map { try Shard(parsing: $0) } ?? .whole
            let maps = MapStage.folder(config)
            if overwrite { try? FileManager.default.removeItem(atPath: maps) }
            let observer = TerminalObserver(quiet: options.quiet)
            let stack = try PipelineRunner(config: config, observer: observer).buildStack()
            let result = try MapStage.run(config, stack: stack, shard: parsedShard, merge: merge, observer: observer)
            observer.stageStarted("done")
            if result.assembled {
                print("Wrote \(result.files.count) files to \(maps):")
                for f in result.files { print("  \(f)") }
            } else {
                print("Shard \(parsedShard): \(result.tilesPredicted) tiles predicted; run `socmap predict \(options.pipeline) --merge` when every shard is done.")
            }
            if result.seconds > 0 && result.cells > 0 {
                print(String(format: "%.0f cells/s, peak memory %.0f MB", Double(result.cells) / result.seconds, Double(result.peakMemory) / 1e6))
            }
        }
    }
}
