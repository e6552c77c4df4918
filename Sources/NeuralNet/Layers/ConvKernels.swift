/// The memory kernels of `Conv2D`: layout changes and patch gathering around one sgemm.
///
/// Within a block of B samples the input is first made channel-last ([B, H, W, Cin]); the
/// patch matrix ("im2row") then has one row per output cell, [B·Ho·Wo, k·k·Cin], with the
/// columns ordered (kernel row i, kernel column j, input channel): for dilation 1 the k·Cin
/// values of one kernel row are contiguous in the channel-last input, so a row is k copies.
enum ConvKernels {
    /// Problem geometry: input [N, Cin, H, W], kernel k with dilation d, output [N, Cout, Ho, Wo].
    struct Geometry {
        let cin: Int, h: Int, w: Int, ho: Int, wo: Int, k: Int, d: Int, cout: Int
        /// Output cells per sample (L).
        var cells: Int { ho * wo }
        /// Patch length (K = k·k·Cin).
        var patch: Int { k * k * cin }
        /// Floats of patch matrix per block: about 1 MB, so that it stays in L2 with the sgemm.
        static let budget = 1 << 18
        /// Samples per block.
        var block: Int { max(1, Self.budget / max(1, patch * cells)) }
    }

    /// dst[s, p, c] = src[s, c, p] for `samples` samples of `channels` × `positions` (NCHW → NHWC).
    static func toChannelLast(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>,
                              samples: Int, channels: Int, positions: Int) {
        for s in 0..<samples {
            let from = src + s * channels * positions, to = dst + s * channels * positions
            var p0 = 0
            while p0 < positions {  // tiles of 64 positions keep the source lines in L1
                let p1 = min(positions, p0 + 64)
                for c in 0..<channels {
                    let row = from + c * positions
                    for p in p0..<p1 { to[p * channels + c] = row[p] }
                }
                p0 = p1
            }
        }
    }

    /// dst[s, c, p] = src[s, p, c] (NHWC → NCHW), the inverse of `toChannelLast`.
    static func toChannelFirst(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>,
                               samples: Int, channels: Int, positions: Int) {
        for s in 0..<samples {
            let from = src + s * channels * positions, to = dst + s * channels * positions
            for c in 0..<channels {
                let row = to + c * positions
                for p in 0..<positions { row[p] = from[p * channels + c] }
            }
        }
    }

    /// rows[(s·Ho + oy)·Wo + ox, (i·k + j)·Cin + c] = x[s, oy + i·d, ox + j·d, c] for the B samples
    /// of the channel-last block `x` [B, H, W, Cin] (only output rows `outputRows` of each sample,
    /// numbered from 0, when given).
    static func im2row(_ x: UnsafePointer<Float>, _ rows: UnsafeMutablePointer<Float>, samples: Int, g: Geometry,
                       outputRows: Range<Int>? = nil) {
        let (cin, h, w, k, d) = (g.cin, g.h, g.w, g.k, g.d)
        let patch = g.patch
        var out = rows
        for s in 0..<samples {
            let sample = x + s * h * w * cin
            for oy in outputRows ?? 0..<g.ho {
                for ox in 0..<g.wo {
                    for i in 0..<k {
                        let src = sample + ((oy + i * d) * w + ox) * cin
                        if d == 1 {
                            copy(src, out + i * k * cin, count: k * cin)
                        } else {
                            for j in 0..<k { copy(src + j * d * cin, out + (i * k + j) * cin, count: cin) }
                        }
                    }
                    out += patch
                }
            }
        }
    }

    /// The adjoint of `im2row`: dx[s, oy + i·d, ox + j·d, c] += rows[cell, (i·k + j)·Cin + c]
    /// into the channel-last block `dx` [B, H, W, Cin].
    static func row2im(_ rows: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, samples: Int, g: Geometry) {
        let (cin, h, w, k, d) = (g.cin, g.h, g.w, g.k, g.d)
        let patch = g.patch
        var from = rows
        for s in 0..<samples {
            let sample = dx + s * h * w * cin
            for oy in 0..<g.ho {
                for ox in 0..<g.wo {
                    for i in 0..<k {
                        let dst = sample + ((oy + i * d) * w + ox) * cin
                        if d == 1 {
                            add(from + i * k * cin, dst, count: k * cin)
                        } else {
                            for j in 0..<k { add(from + (i * k + j) * cin, dst + j * d * cin, count: cin) }
                        }
                    }
                    from += patch
                }
            }
        }
    }

    /// dst[0..<count] = src[0..<count] in 8-lane moves (an overlapping move for the tail).
    @inline(__always)
    static func copy(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        typealias V = SIMD8<Float>
        guard count >= 8 else {
            for i in 0..<count { dst[i] = src[i] }
            return
        }
        var i = 0
        while i + 8 <= count {
            UnsafeMutableRawPointer(dst + i).storeBytes(of: UnsafeRawPointer(src + i).loadUnaligned(as: V.self), as: V.self)
            i += 8
        }
        if i < count {
            let t = count - 8
            UnsafeMutableRawPointer(dst + t).storeBytes(of: UnsafeRawPointer(src + t).loadUnaligned(as: V.self), as: V.self)
        }
    }

    /// dst[0..<count] += src[0..<count].
    @inline(__always)
    static func add(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { dst[i] += src[i] }
    }

    /// The weight [Cout, Cin, k, k] reordered to rows of patch order [Cout, (i·k + j)·Cin + c].
    static func patchOrder(_ weight: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, cout: Int, cin: Int, k: Int) {
        for o in 0..<cout {
            for c in 0..<cin {
                for t in 0..<(k * k) { out[(o * k * k + t) * cin + c] = weight[(o * cin + c) * k * k + t] }
            }
        }
    }

    /// The inverse of `patchOrder`, added into `weight`.
    static func addFromPatchOrder(_ patchOrdered: UnsafePointer<Float>, _ weight: UnsafeMutablePointer<Float>,
                                  cout: Int, cin: Int, k: Int) {
        for o in 0..<cout {
            for c in 0..<cin {
                for t in 0..<(k * k) { weight[(o * cin + c) * k * k + t] += patchOrdered[(o * k * k + t) * cin + c] }
            }
        }
    }
}
