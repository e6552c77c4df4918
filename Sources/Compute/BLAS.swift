import COpenBLAS
import Runtime

/// The process's one sgemm wrapper (row-major, named shapes), for the network engine's layers and
/// the area of applicability's nearest-site search. The process's runtime configuration (OpenBLAS
/// on one thread, its kernels, the heap) is in force before the first call: the one the program
/// applied, or `RuntimeConfiguration.default` applied here.
public enum BLAS {
    /// Applies the default runtime configuration if nobody applied one (once per process).
    private static let runtime: RuntimeConfiguration = RuntimeConfiguration.current

    /// C[m×n] = alpha · op(A) · op(B) + beta · C, all row-major.
    /// op(A) is m×k (A is k×m when `transA`), op(B) is k×n (B is n×k when `transB`);
    /// `lda`, `ldb`, `ldc` are the row strides of A, B and C as stored.
    public static func sgemm(
        transA: Bool = false, transB: Bool = false,
        m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        _ = runtime
        precondition(m >= 0 && n >= 0 && k >= 0, "sgemm: negative size m \(m) n \(n) k \(k)")
        precondition(lda >= max(1, transA ? m : k), "sgemm: lda \(lda) too small for op(A) \(m)x\(k) transA \(transA)")
        precondition(ldb >= max(1, transB ? k : n), "sgemm: ldb \(ldb) too small for op(B) \(k)x\(n) transB \(transB)")
        precondition(ldc >= max(1, n), "sgemm: ldc \(ldc) too small for C \(m)x\(n)")
        if m == 0 || n == 0 { return }
        if k == 0 {
            // BLAS leaves C = beta · C; do it explicitly so that beta = 0 clears garbage.
            for i in 0..<m {
                let row = c + i * ldc
                for j in 0..<n { row[j] = beta == 0 ? 0 : beta * row[j] }
            }
            return
        }
        cblas_sgemm(
            CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}
