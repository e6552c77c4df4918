import Foundation
import Randomness
import XCTest

@testable import Evaluation

/// A temporary folder removed when the value is released.
final class TempFolder {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "/evaluation-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// The path of `name` inside the folder.
    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }
}

/// Deterministic synthetic cross-validation output: `sites` sites with up to `depths` samples
/// each (a few missing), observed values falling with depth, and models of graded skill
/// (model i has noise 0.2 + 0.1 i); "rf" misses every tenth prediction when present.
func syntheticPredictions(
    sites: Int = 60, depths: Int = 3, folds: Int = 5,
    models: [String] = ["transfer", "cnn", "rf"], seed: UInt64 = 11
) throws -> [HeldOutPrediction] {
    var random = SplitMix64(seed: seed)
    func uniform() -> Double { Double(random.next() >> 11) * 0x1.0p-53 }
    func normal() -> Double { (-2 * log(max(uniform(), 1e-12))).squareRoot() * cos(2 * .pi * uniform()) }
    let ids = (0..<sites).map { String(format: "site%03d", $0) }
    let fold = try Folds.grouped(siteIDs: ids, k: folds, seed: seed)
    var out: [HeldOutPrediction] = []
    var counter = 0
    for (s, id) in ids.enumerated() {
        let level = 10 * exp(0.4 * normal())
        for d in 0..<depths {
            if s % 7 == 3, d == depths - 1 { continue }  // some profiles are shallower
            let observed = level * exp(-0.4 * Double(d)) * exp(0.15 * normal())
            var predicted: [String: Double] = [:]
            for (i, m) in models.enumerated() {
                counter += 1
                if m == "rf", counter % 10 == 0 { continue }
                predicted[m] = observed * exp((0.2 + 0.1 * Double(i)) * normal())
            }
            out.append(HeldOutPrediction(siteID: id, depth: d, fold: fold[s], observed: observed, predicted: predicted))
        }
    }
    return out
}

/// Asserts two doubles are equal within `accuracy`, treating NaN as equal to NaN.
func assertClose(
    _ a: Double, _ b: Double, accuracy: Double = 1e-12, _ message: String = "",
    file: StaticString = #filePath, line: UInt = #line
) {
    if a.isNaN && b.isNaN { return }
    XCTAssertEqual(a, b, accuracy: accuracy, message, file: file, line: line)
}

/// Runs `body` and returns the EvaluationError it throws (failing when it throws none or another error).
func evaluationError(file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) -> EvaluationError?
{
    do {
        try body()
        XCTFail("expected an EvaluationError", file: file, line: line)
    } catch let e as EvaluationError {
        return e
    } catch {
        XCTFail("expected an EvaluationError, got \(error)", file: file, line: line)
    }
    return nil
}
