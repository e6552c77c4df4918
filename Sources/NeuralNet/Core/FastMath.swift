/// Elementwise kernels for the activations, written as plain loops over pointers that
/// LLVM vectorises (selects instead of branches, integer bit tricks instead of conversions).
enum FastMath {
    /// e^x, Cephes' single-precision polynomial (about 1 ulp) on x clamped to [-87, 88].
    @inline(__always)
    static func exp(_ x: Float) -> Float {
        var x = x < -87 ? -87 : x
        x = x > 88 ? 88 : x
        // Round x·log2(e) to an integer with the 1.5·2²³ trick: the integer lands in the low
        // mantissa bits of t, which then give 2ⁿ without a float-to-int conversion.
        let magic: Float = 12_582_912
        let t = x * 1.442_695_04 + magic
        let n = t - magic
        var r = x - n * 0.693_359_375
        r = r + n * 2.121_944_4e-4
        var p: Float = 1.987_569_15e-4
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_9e-3
        p = p * r + 4.166_579_59e-2
        p = p * r + 1.666_666_55e-1
        p = p * r + 5.000_000_12e-1
        let y = p * r * r + r + 1
        let scale = Float(bitPattern: (t.bitPattern &- 0x4B40_0000 &+ 127) &<< 23)
        return y * scale
    }

    /// The logistic function 1 / (1 + e^-x).
    @inline(__always)
    static func sigmoid(_ x: Float) -> Float { 1 / (1 + exp(-x)) }

    /// sigmoid[i] = σ(x[i]) and y[i] = x[i] · σ(x[i]) for i in 0..<count (Swish, keeping σ for backward).
    static func swish(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
        sigmoid: UnsafeMutablePointer<Float>?, count: Int
    ) {
        if let sigmoid {
            for i in 0..<count {
                let s = FastMath.sigmoid(x[i])
                sigmoid[i] = s
                y[i] = x[i] * s
            }
        } else {
            for i in 0..<count { y[i] = x[i] * FastMath.sigmoid(x[i]) }
        }
    }
}
