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
    static func toChannelLast(
        _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>,
        samples: Int, channels: Int, positions: Int
    ) {
        for s in 0..<samples {
            transpose(
                src + s * channels * positions, rows: channels, columns: positions, sourceStride: positions,
                dst + s * channels * positions, destinationStride: channels, adding: nil)
        }
    }

    /// dst[s, c, p] = src[s, p, c] (NHWC → NCHW), the inverse of `toChannelLast`.
    static func toChannelFirst(
        _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>,
        samples: Int, channels: Int, positions: Int
    ) {
        for s in 0..<samples {
            transpose(
                src + s * channels * positions, rows: positions, columns: channels, sourceStride: channels,
                dst + s * channels * positions, destinationStride: positions, adding: nil)
        }
    }

    /// dst[j·destinationStride + i] = src[i·sourceStride + j] (+ adding[j]) for a rows × columns
    /// source, in 4 × 4 tiles of vector shuffles.
    static func transpose(
        _ src: UnsafePointer<Float>, rows: Int, columns: Int, sourceStride: Int,
        _ dst: UnsafeMutablePointer<Float>, destinationStride: Int, adding: UnsafePointer<Float>?
    ) {
        typealias V = SIMD4<Float>
        let rows4 = rows & ~3
        let columns4 = columns & ~3
        var i = 0
        while i < rows4 {
            var j = 0
            while j < columns4 {
                let a = UnsafeRawPointer(src + i * sourceStride + j).loadUnaligned(as: V.self)
                let b = UnsafeRawPointer(src + (i + 1) * sourceStride + j).loadUnaligned(as: V.self)
                let c = UnsafeRawPointer(src + (i + 2) * sourceStride + j).loadUnaligned(as: V.self)
                let d = UnsafeRawPointer(src + (i + 3) * sourceStride + j).loadUnaligned(as: V.self)
                var t0 = V(a[0], b[0], c[0], d[0])
                var t1 = V(a[1], b[1], c[1], d[1])
                var t2 = V(a[2], b[2], c[2], d[2])
                var t3 = V(a[3], b[3], c[3], d[3])
                if let adding {
                    t0 += adding[j]
                    t1 += adding[j + 1]
                    t2 += adding[j + 2]
                    t3 += adding[j + 3]
                }
                UnsafeMutableRawPointer(dst + j * destinationStride + i).storeBytes(of: t0, as: V.self)
                UnsafeMutableRawPointer(dst + (j + 1) * destinationStride + i).storeBytes(of: t1, as: V.self)
                UnsafeMutableRawPointer(dst + (j + 2) * destinationStride + i).storeBytes(of: t2, as: V.self)
                UnsafeMutableRawPointer(dst + (j + 3) * destinationStride + i).storeBytes(of: t3, as: V.self)
                j += 4
            }
            i += 4
        }
        // Edges: the last rows % 4 rows, and the last columns % 4 columns of the tiled rows.
        for i in 0..<rows {
            let start = i < rows4 ? columns4 : 0
            for j in start..<columns {
                dst[j * destinationStride + i] = src[i * sourceStride + j] + (adding?[j] ?? 0)
            }
        }
    }

    /// rows[(s·Ho + oy)·Wo + ox, (i·k + j)·Cin + c] = x[s, oy + i·d, ox + j·d, c] for the B samples
    /// of the channel-last block `x` [B, H, W, Cin] (only output rows `outputRows` of each sample,
    /// numbered from 0, when given).
    static func im2row(
        _ x: UnsafePointer<Float>, _ rows: UnsafeMutablePointer<Float>, samples: Int, g: Geometry,
        outputRows: Range<Int>? = nil
    ) {
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
            UnsafeMutableRawPointer(dst + i).storeBytes(
                of: UnsafeRawPointer(src + i).loadUnaligned(as: V.self), as: V.self)
            i += 8
        }
        if i < count {
            let t = count - 8
            UnsafeMutableRawPointer(dst + t).storeBytes(
                of: UnsafeRawPointer(src + t).loadUnaligned(as: V.self), as: V.self)
        }
    }

    /// dst[0..<count] += src[0..<count].
    @inline(__always)
    static func add(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { dst[i] += src[i] }
    }

    /// The weight [Cout, Cin, k, k] reordered to rows of patch order [Cout, (i·k + j)·Cin + c].
    static func patchOrder(
        _ weight: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, cout: Int, cin: Int, k: Int
    ) {
        for o in 0..<cout {
            for c in 0..<cin {
                for t in 0..<(k * k) { out[(o * k * k + t) * cin + c] = weight[(o * cin + c) * k * k + t] }
            }
        }
    }

    /// The inverse of `patchOrder`, added into `weight`.
    static func addFromPatchOrder(
        _ patchOrdered: UnsafePointer<Float>, _ weight: UnsafeMutablePointer<Float>,
        cout: Int, cin: Int, k: Int
    ) {
        for o in 0..<cout {
            for c in 0..<cin {
                for t in 0..<(k * k) { weight[(o * cin + c) * k * k + t] += patchOrdered[(o * k * k + t) * cin + c] }
            }
        }
    }
}
