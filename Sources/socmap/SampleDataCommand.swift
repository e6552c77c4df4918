import ArgumentParser
import Foundation
import SampleData

/// `socmap sample-data`: writes the synthetic China-like case (deterministic from a seed).
struct SampleDataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample-data",
        abstract: "Write the synthetic China-like sample case: covariate GeoTIFFs, sites and horizon tables.",
        discussion: """
            The same seed and options give byte-identical files. The repository's \
            sample-data/ was made with the defaults.
            """
    )

    @Argument(help: "Folder to write into.", completion: .directory)
    var folder: String = "sample-data"

    @Option(help: "Seed of every random choice.")
    var seed: UInt64 = 2025

    @Option(help: "Cell size in metres of the Albers grid.")
    var resolution: Double = 10_000

    @Option(help: "Number of survey sites.")
    var sites: Int = 3000

    @Flag(help: "Replace existing files in the folder.")
    var overwrite = false

    func run() throws {
        try reportingErrors {
            let existing = ["sites.csv", "horizons.csv", "covariates"].filter {
                FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent($0))
            }
            if !existing.isEmpty && !overwrite {
                throw ValidationError(
                    """
                    '\(folder)' already holds sample data \
                    (\(existing.joined(separator: ", "))); pass --overwrite to replace it
                    """
                )
            }
            let options = SampleDataOptions(seed: seed, resolution: resolution, siteCount: sites)
            let bar = ProgressBar()
            let summary = try generateSampleData(into: folder, options: options) { event in
                switch event {
                case .note(let text):
                    bar.finishLine()
                    eprint("  \(text)")
                case .work(let done, let total, let detail):
                    bar.update("sample data", done: done, total: total, detail: detail)
                }
            }
            bar.finishLine()
            print(
                """
                Wrote \(summary.files.count) files to \(folder): grid \(summary.gridWidth) x \(summary.gridHeight), \
                \(summary.siteCount) sites, \(summary.horizonCount) horizons.
                """
            )
        }
    }
}
