import XCTest

@testable import Compute

/// `BLAS.sgemm` against a plain triple loop: every transpose, padded strides, alpha and beta, empty sizes.
final class BLASTests: XCTestCase {
    /// Seeded values in [-1, 1) (a linear congruential generator: the test needs no other module).
    private static func values(_ count: Int, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(state >> 40) / Float(1 << 23) - 1
        }
    }

    /// The naive reference: C = alpha · op(A) · op(B) + beta · C, sums in Double, row-major with strides.
    private static func reference(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: [Float], lda: Int, b: [Float], ldb: Int, beta: Float, c: [Float], ldc: Int
    ) -> [Float] {
        var out = c
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for l in 0..<k {
                    let x = transA ? a[l * lda + i] : a[i * lda + l]
                    let y = transB ? b[j * ldb + l] : b[l * ldb + j]
                    sum += Double(x) * Double(y)
                }
                out[i * ldc + j] = Float(Double(alpha) * sum + (beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j])))
            }
        }
        return out
    }

    func testSgemm_matchesTheTripleLoopForEveryTransposeAndStride() {
        let (m, n, k) = (7, 5, 9)
        for transA in [false, true] {
            for transB in [false, true] {
                for (alpha, beta) in [(Float(1), Float(0)), (-2, 1), (0.5, -0.25)] {
                    let lda = (transA ? m : k) + 3
                    let ldb = (transB ? k : n) + 2
                    let ldc = n + 1
                    let a = Self.values((transA ? k : m) * lda, seed: 1)
                    let b = Self.values((transB ? n : k) * ldb, seed: 2)
                    let c0 = Self.values(m * ldc, seed: 3)
                    var c = c0
                    a.withUnsafeBufferPointer { ap in
                        b.withUnsafeBufferPointer { bp in
                            c.withUnsafeMutableBufferPointer { cp in
                                BLAS.sgemm(
                                    transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                                    a: ap.baseAddress!, lda: lda, b: bp.baseAddress!, ldb: ldb,
                                    beta: beta, c: cp.baseAddress!, ldc: ldc)
                            }
                        }
                    }
                    let expected = Self.reference(
                        transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                        a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c0, ldc: ldc)
                    for i in 0..<m {
                        for j in 0..<ldc {
                            let (got, want) = (c[i * ldc + j], expected[i * ldc + j])
                            if j >= n {
                                XCTAssertEqual(got, c0[i * ldc + j], "padding of row \(i) changed")
                            } else {
                                XCTAssertEqual(
                                    got, want, accuracy: 1e-5 * max(1, abs(want)),
                                    "transA \(transA) transB \(transB) alpha \(alpha) beta \(beta) "
                                        + "[\(i), \(j)]")
                            }
                        }
                    }
                }
            }
        }
    }

    func testSgemm_withNoInnerDimension_scalesC_andBetaZeroClearsIt() {
        let a: [Float] = [1]
        let b: [Float] = [1]
        var c: [Float] = [.nan, 2, 3, 4]
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    BLAS.sgemm(
                        m: 2, n: 2, k: 0, a: ap.baseAddress!, lda: 1, b: bp.baseAddress!, ldb: 2,
                        beta: 0, c: cp.baseAddress!, ldc: 2)
                }
            }
        }
        XCTAssertEqual(c, [0, 0, 0, 0])
        c = [1, 2, 3, 4]
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    BLAS.sgemm(
                        m: 2, n: 2, k: 0, a: ap.baseAddress!, lda: 1, b: bp.baseAddress!, ldb: 2,
                        beta: 2, c: cp.baseAddress!, ldc: 2)
                }
            }
        }
        XCTAssertEqual(c, [2, 4, 6, 8])
    }
}
