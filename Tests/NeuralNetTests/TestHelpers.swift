import Foundation
import XCTest

@testable import NeuralNet

/// A tensor of uniform values in [low, high) from a seeded generator.
func randomTensor(_ shape: [Int], seed: UInt64, low: Float = -1, high: Float = 1) -> Tensor {
    var g = SeededGenerator(seed: seed)
    return Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in g.nextFloat(in: low, high) })
}

/// A one-hot matrix [indices.count, width].
func oneHot(_ indices: [Int], width: Int) -> Tensor {
    var t = Tensor(shape: [indices.count, width])
    for (i, k) in indices.enumerated() { t.data[i * width + k] = 1 }
    return t
}

/// Fails unless every pair of values agrees to `relative` of the larger magnitude (or `absolute`).
func assertClose(
    _ actual: [Float], _ expected: [Float], relative: Float = 1e-4, absolute: Float = 1e-6,
    _ message: String = "", file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertEqual(actual.count, expected.count, "\(message): counts differ", file: file, line: line)
    var worst: (Int, Float, Float)?
    var worstExcess: Float = 0
    for (i, (a, e)) in zip(actual, expected).enumerated() {
        let allowed = max(absolute, relative * max(abs(a), abs(e)))
        let excess = abs(a - e) / allowed
        if excess > 1, excess > worstExcess {
            worstExcess = excess
            worst = (i, a, e)
        }
    }
    if let (i, a, e) = worst {
        XCTFail("\(message): index \(i): \(a) vs expected \(e) (\(worstExcess)x the tolerance)", file: file, line: line)
    }
}

/// Σ output · weights in Double (the scalar whose gradient the checks compare).
func dot(_ a: Tensor, _ b: Tensor) -> Double {
    precondition(a.count == b.count)
    var s: Double = 0
    for i in 0..<a.count { s += Double(a.data[i]) * Double(b.data[i]) }
    return s
}

/// Central-difference check of d f / d value[i] against `analytic[i]` at sampled indices
/// (half drawn at random, half among the largest analytic entries, where float noise matters least).
///
/// `f` evaluates the scalar with the value replaced. The left and right differences with step h
/// must agree for the point to count as smooth; near a kink (ReLU at 0, a max-pool switch) they do
/// not, and the step is halved (down to h/8) until they do. Indices where they never agree sit on
/// a kink and are skipped; at most a quarter (or one) may be.
func checkGradient(
    value: Tensor, analytic: Tensor, samples: Int = 24, seed: UInt64 = 99, step: Float = 1e-2,
    tolerance: Double = 2e-2, floor: Double = 2e-3, _ name: String,
    file: StaticString = #filePath, line: UInt = #line, f: (Tensor) -> Double
) {
    XCTAssertEqual(value.shape, analytic.shape, "\(name): gradient shape", file: file, line: line)
    var g = SeededGenerator(seed: seed)
    var indices: [Int]
    if value.count <= samples {
        indices = Array(0..<value.count)
    } else {
        let largest = analytic.data.indices.sorted { abs(analytic.data[$0]) > abs(analytic.data[$1]) }
        indices = Array(largest.prefix(samples / 2))
        indices += (0..<(samples - samples / 2)).map { _ in Int(g.next() % UInt64(value.count)) }
    }
    let centre = f(value)
    var skipped = 0
    for i in indices {
        func shifted(_ h: Float) -> (value: Double, step: Double) {
            var v = value
            v.data[i] += h
            return (f(v), Double(v.data[i] - value.data[i]))
        }
        var h = step
        var smooth: (derivative: Double, step: Float)?
        for _ in 0..<4 {
            let plus = shifted(h)
            let minus = shifted(-h)
            let right = (plus.value - centre) / plus.step
            let left = (centre - minus.value) / -minus.step
            if abs(right - left) <= max(floor, tolerance * max(abs(right), abs(left))) {
                smooth = ((plus.value - minus.value) / (plus.step - minus.step), h)
                break
            }
            h /= 2
        }
        guard let (n, used) = smooth else {
            skipped += 1
            continue
        }
        let a = Double(analytic.data[i])
        XCTAssertLessThanOrEqual(
            abs(n - a), max(floor, tolerance * max(abs(n), abs(a))),
            "\(name)[\(i)]: analytic \(a), numeric \(n) (step \(used))", file: file, line: line)
    }
    XCTAssertLessThanOrEqual(
        skipped, max(1, indices.count / 4), "\(name): too many indices at kinks (\(skipped))",
        file: file, line: line)
}

/// A fresh temporary directory, removed by the test's teardown block.
func temporaryDirectory(_ test: XCTestCase) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("nn-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}
