import ArgumentParser
import Foundation
import NeuralNet

/// `socmap bench`: speed figures as one JSON object (run it from a release build).
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure speed and print one JSON object; compare with ../shared/anchors/bench.py run just before or after.")

    enum Target: String, ExpressibleByArgument, CaseIterable {
        case nn
    }

    @Argument(help: "What to measure: \(Target.allCases.map(\.rawValue).joined(separator: ", ")).")
    var target: Target = .nn

    @Option(help: "Seconds to spend measuring.")
    var seconds: Double = 10

    func run() throws {
        #if DEBUG
        eprint("warning: this is a debug build; speed figures need `swift build -c release`.")
        #endif
        var figures: [String: Any] = ["target": target.rawValue]
        switch target {
        case .nn:
            for (k, v) in NNBenchmark.run(seconds: seconds) { figures[k] = v }
        }
        let data = try JSONSerialization.data(withJSONObject: figures, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}
