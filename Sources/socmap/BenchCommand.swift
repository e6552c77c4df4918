import ArgumentParser
import Benchmarks
import Foundation
import Runtime

/// `socmap bench`: speed figures as one JSON object (run it from a release build).
struct Bench: ParsableCommand, RuntimeConfigurable {
    static let configuration = CommandConfiguration(
        abstract:
            "Measure speed and print one JSON object; compare with ../shared/anchors/bench.py run just before or after."
    )

    enum Target: String, ExpressibleByArgument, CaseIterable {
        /// The reference network: training samples/s and patch-wise inference patches/s.
        case nn
        /// A 500-tree forest on 20,000 x 40 rows: fit and predict seconds.
        case rf
        /// Six depth maps of the reference network over 512-cell tiles of a 40 x 1024 x 1024 stack: cells/s;
        /// and the dissimilarity index of that grid against 8,000 training sites (`aoa_*` figures).
        case predict
        /// The whole pipeline on the synthetic China case at 1 km (generated once into --cache), with
        /// short training and the full map stage: wall time and peak memory per stage, map cells/s.
        case china
        /// Every benchmark but china, one JSON object per target.
        case all
    }

    @Argument(help: "What to measure: \(Target.allCases.map(\.rawValue).joined(separator: ", ")).")
    var target: Target = .nn

    @Option(help: "Seconds to spend measuring.")
    var seconds: Double = 10

    @Option(
        help: "predict: blocks 1...F frozen in the benchmark's transfer model (0-6), hence shared by the six depths.")
    var freeze: Int = 2

    @Flag(
        inversion: .prefixedNo,
        help: "predict: also the area of applicability (DI of a 1024 x 1024 grid, 8,000 sites, 40 covariates).")
    var aoa = true

    @Option(help: "china: folder for the generated case (made once, reused) and the benchmark's run.")
    var cache: String = ".build/bench-china"

    @Option(help: "china: cell size in metres (1000: China at 1 km, 4797 x 4023 cells).")
    var resolution: Double = 1000

    @Option(help: "china: survey sites (the paper's 8,453).")
    var sites: Int = 8453

    @Option(help: "china: pre-training epochs of the short training (fine-tuning gets half).")
    var epochs: Int = 2

    @Option(help: "china: cross-validation folds.")
    var folds: Int = 3

    @Option(help: "china: the model that maps: transfer, rf, or combined (their equal-weight average).")
    var model: String = "transfer"

    @Flag(help: "china: krige the mapped model's held-out residuals into its maps (predict.residual_kriging).")
    var residualKriging = false

    @OptionGroup(title: "Runtime") var runtime: RuntimeOptions

    func validate() throws {
        guard (0...6).contains(freeze) else { throw ValidationError("--freeze must be between 0 and 6, got \(freeze)") }
        guard resolution > 0 else { throw ValidationError("--resolution must be above 0 m, got \(resolution)") }
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
        guard folds >= 2 else { throw ValidationError("--folds must be at least 2, got \(folds)") }
        guard sites >= folds else { throw ValidationError("--sites must be at least --folds (\(folds)), got \(sites)") }
        guard ["transfer", "rf", "combined"].contains(model) else {
            throw ValidationError("--model must be transfer, rf or combined, got '\(model)'")
        }
    }

    func run() throws {
        #if DEBUG
            eprint("warning: this is a debug build; speed figures need `swift build -c release`.")
        #endif
        let targets = target == .all ? Target.allCases.filter { $0 != .all && $0 != .china } : [target]
        for t in targets {
            var figures: [String: Any] = ["target": t.rawValue]
            switch t {
            case .nn:
                for (k, v) in NNBenchmark.run(seconds: seconds) { figures[k] = v }
                figures["blas_core"] = RuntimeConfiguration.status.core
            case .rf:
                for (k, v) in ForestBenchmark.run() { figures[k] = v }
            case .predict:
                for (k, v) in PredictBenchmark.run(seconds: max(seconds, 1), freeze: freeze) { figures[k] = v }
                if aoa { for (k, v) in PredictBenchmark.applicability() { figures[k] = v } }
            case .china:
                try reportingErrors {
                    let bench = ChinaBenchmark(
                        cache: cache, resolution: resolution, sites: sites, epochs: epochs, folds: folds, model: model,
                        residualKriging: residualKriging)
                    for (k, v) in try bench.run(observer: TerminalObserver(quiet: false)) { figures[k] = v }
                }
            case .all:
                break
            }
            let data = try JSONSerialization.data(withJSONObject: figures, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        }
    }
}
