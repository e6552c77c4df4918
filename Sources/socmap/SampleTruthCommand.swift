import ArgumentParser
import FileIO
import Foundation
import Mapping
import SampleData

/// `socmap sample-truth`: scores maps of the sample data against its known truth.
struct SampleTruthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample-truth",
        abstract: """
            Score maps of the sample data against its known truth: error of each depth map and the share of cells \
            whose true value lies in the prediction interval.
            """,
        discussion: """
            Reads <name>_<depth>.tif and its interval bounds (_q05/_q95 for --interval 0.9) from the maps \
            folder of a run on sample-data/ (pipelines/sample.yaml with predict.uncertainty: true) and \
            compares them, cell by cell, with the truth function of sample-data/README.md, recomputed from \
            the seed and resolution the sample was made with. "truth in band" counts the noise-free truth; \
            "new obs. in band" counts one simulated observation per cell (the truth times the README's \
            lognormal noise), which a calibrated interval should hold at about its nominal level, on the \
            whole and within each fifth of the true value (second table).
            """)

    @Argument(help: "The run's maps folder, e.g. out/sample/maps.", completion: .directory)
    var maps: String

    @Option(help: "Base name of the maps (predict.name).")
    var name: String = "soc"

    @Option(help: "Nominal level of the interval (predict.interval): names the bound files.")
    var interval: Double = 0.9

    @Option(help: "Depth intervals in cm, comma-separated.")
    var depths: String = "0-5,5-15,15-30,30-60,60-100,100-200"

    @Option(help: "Seed the sample was made with (also seeds the simulated observations).")
    var seed: UInt64 = 2025

    @Option(help: "Cell size in metres the sample was made with.")
    var resolution: Double = 10_000

    @Option(help: "Also write the scores as JSON to this file.", completion: .file())
    var json: String?

    func validate() throws {
        guard interval > 0, interval < 1 else {
            throw ValidationError("--interval \(interval) must lie strictly between 0 and 1, e.g. 0.9")
        }
        _ = try parsedDepths()
    }

    func parsedDepths() throws -> [(top: Double, bottom: Double)] {
        try depths.split(separator: ",").map { item in
            let parts = item.split(separator: "-").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 2, let top = parts[0], let bottom = parts[1], top >= 0, bottom > top else {
                throw ValidationError("--depths item '\(item)' is not a depth interval 'top-bottom' in cm, e.g. 0-5")
            }
            return (top, bottom)
        }
    }

    func run() throws {
        try reportingErrors {
            let files = try parsedDepths().map { d -> TruthComparisonFiles in
                let base = MapNames.base(property: name, top: d.top, bottom: d.bottom)
                let path = { (stem: String) in (maps as NSString).appendingPathComponent(stem + ".tif") }
                return TruthComparisonFiles(
                    depth: String(base.dropFirst(name.count + 1)), top: d.top, bottom: d.bottom, map: path(base),
                    lower: path(MapNames.quantile(base, (1 - interval) / 2)),
                    upper: path(MapNames.quantile(base, (1 + interval) / 2)))
            }
            let truth = try SampleTruth(options: SampleDataOptions(seed: seed, resolution: resolution))
            let scores = try truth.compare(files, seed: seed)
            print(table(scores))
            if let json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                let report = Report(
                    maps: maps, name: name, interval: interval, seed: seed, resolution: resolution, depths: scores)
                try AtomicFile.write(try encoder.encode(report), to: json)
            }
        }
    }

    /// The scores as a Markdown table.
    func table(_ scores: [TruthScore]) -> String {
        let level = String(format: "%g", interval * 100)
        var lines = [
            """
            Maps in \(maps) against the sample's truth (seed \(seed), \
            \(String(format: "%g", resolution / 1000)) km), \(level) % interval:
            """,
            "",
            "| depth | cells | RMSE vs truth | ME vs truth | mean width | truth in band | new obs. in band |",
            "|---|---|---|---|---|---|---|"
        ]
        for s in scores {
            lines.append(
                """
                | \(s.depth) | \(s.cells) | \(String(format: "%.2f", s.rmse)) | \
                \(String(format: "%+.2f", s.meanError)) | \(String(format: "%.2f", s.meanWidth)) | \
                \(String(format: "%.3f", s.truthInBand)) | \(String(format: "%.3f", s.observationInBand)) |
                """)
        }
        lines += [
            "", "New observations in band by fifth of the true value (1: the lowest fifth of the land's cells):", "",
            "| depth | 1 | 2 | 3 | 4 | 5 |", "|---|---|---|---|---|---|"
        ]
        for s in scores {
            lines.append(
                "| \(s.depth) | "
                    + s.observationInBandByFifth.map { $0.isFinite ? String(format: "%.3f", $0) : "-" }.joined(
                        separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }

    /// What --json writes.
    struct Report: Codable {
        var maps: String
        var name: String
        var interval: Double
        var seed: UInt64
        var resolution: Double
        var depths: [TruthScore]
    }
}
