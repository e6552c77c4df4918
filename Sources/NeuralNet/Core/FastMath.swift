/// Vectorised elementwise kernels (16 lanes) for the activations.
enum FastMath {
    typealias V = SIMD16<Float>

    /// e^x, Cephes' single-precision polynomial (about 1 ulp) on x clamped to [-87, 88].
    @inline(__always)
    static func exp(_ x: V) -> V {
        let x = x.clamped(lowerBound: V(repeating: -87), upperBound: V(repeating: 88))
        let n = (x * 1.442_695_04).rounded(.toNearestOrEven)
        var r = x - n * 0.693_359_375
        r = r + n * 2.121_944_4e-4
        var p = V(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_9e-3
        p = p * r + 4.166_579_59e-2
        p = p * r + 1.666_666_55e-1
        p = p * r + 5.000_000_12e-1
        let y = p * r * r + r + 1
        let bits = (SIMD16<Int32>(n, rounding: .towardZero) &+ 127) &<< 23
        return y * unsafeBitCast(bits, to: V.self)
    }

    /// The logistic function 1 / (1 + e^-x).
    @inline(__always)
    static func sigmoid(_ x: V) -> V { 1 / (1 + exp(-x)) }

    /// Applies `body` to `count` values from `input` in blocks of 16, writing to `output`
    /// (the tail is padded with zeros and only its valid lanes are stored).
    @inline(__always)
    static func map(
        _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int, _ body: (V) -> V
    ) {
        var i = 0
        while i + 16 <= count {
            let v = UnsafeRawPointer(input + i).loadUnaligned(as: V.self)
            UnsafeMutableRawPointer(output + i).storeBytes(of: body(v), as: V.self)
            i += 16
        }
        if i < count {
            var v = V(repeating: 0)
            for j in 0..<(count - i) { v[j] = input[i + j] }
            let r = body(v)
            for j in 0..<(count - i) { output[i + j] = r[j] }
        }
    }
}
