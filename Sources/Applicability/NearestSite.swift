import Compute
import Foundation

/// Nearest-site search as a matrix product: for query points Q (m × k) and sites R (n × k), both
/// row-major Float32, ‖q − r‖² = ‖q‖² + ‖r‖² − 2 q·r, the products from sgemm over blocks of
/// `blockRows` query points × all n sites, then a min per row of ‖r‖² − 2 q·r. The winning site's
/// distance is recomputed exactly from the coordinates (Double sums), so only the choice among
/// near-ties carries sgemm's round-off, and a point on a site has distance exactly 0. Where squared
/// distances from the product are used themselves (d̄), round-off below 0 is clamped at 0. The
/// coordinates are the DI's standardised ones, centred on the training sites' mean, which keeps the
/// norms, and so the cancellation in the product, small.
/// Work is spread over Compute's workers; memory is one `blockRows × n` block per worker.
public struct NearestSite: Sendable {
    /// Sites, n × k row-major.
    public let sites: [Float]
    /// Number of sites n.
    public let count: Int
    /// Coordinates per point k.
    public let dimensions: Int
    /// ‖r‖² of each site.
    let norms: [Float]

    /// Query points per sgemm block.
    public static let blockRows = 128
    /// Sites per sgemm block: 128 × 2048 products (1 MB) stay in a core's L2 cache for the min.
    public static let blockSites = 2048

    /// The search over `count` sites of `dimensions` coordinates each (`sites` row-major).
    public init(sites: [Float], count: Int, dimensions: Int) {
        precondition(count >= 1 && dimensions >= 1, "NearestSite: needs at least one site and one dimension")
        precondition(
            sites.count == count * dimensions, "NearestSite: \(sites.count) values for \(count) x \(dimensions)")
        self.sites = sites
        self.count = count
        self.dimensions = dimensions
        norms = (0..<count).map { i in
            var s: Float = 0
            for j in 0..<dimensions {
                let v = sites[i * dimensions + j]
                s += v * v
            }
            return s
        }
    }

    /// Visits every query point's products with the sites, a block of sites at a time:
    /// `row(i, first, p, qn, rn)` gets p[j] = −2 q·r for sites first + j and their ‖r‖² in rn[j], and
    /// qn = ‖q‖², so the squared distance to site first + j is max(0, p[j] + qn + rn[j]) (the buffer is
    /// reused). A point's blocks come in site order from one worker; `row` must only write state of point i.
    func scan(
        _ points: UnsafeBufferPointer<Float>, count m: Int,
        _ row: (
            _ i: Int, _ first: Int, _ products: UnsafeBufferPointer<Float>, _ qn: Float,
            _ norms: UnsafeBufferPointer<Float>
        ) -> Void
    ) {
        precondition(points.count >= m * dimensions, "NearestSite.scan: \(points.count) values for \(m) points")
        guard m > 0 else { return }
        let k = dimensions
        let n = count
        let block = Self.blockRows
        let width = min(n, Self.blockSites)
        let blocks = (m + block - 1) / block
        let workers = max(1, min(Parallel.workers, blocks))
        sites.withUnsafeBufferPointer { r in
            norms.withUnsafeBufferPointer { rn in
                Parallel.forEach(workers) { w in
                    let scratch = UnsafeMutablePointer<Float>.allocate(capacity: block * width)
                    defer { scratch.deallocate() }
                    var qn = [Float](repeating: 0, count: block)
                    var b = w
                    while b < blocks {
                        let start = b * block
                        let rows = min(block, m - start)
                        let q = points.baseAddress! + start * k
                        for i in 0..<rows {
                            var s: Float = 0
                            for j in 0..<k { s += q[i * k + j] * q[i * k + j] }
                            qn[i] = s
                        }
                        var first = 0
                        while first < n {
                            let cols = min(width, n - first)
                            BLAS.sgemm(
                                transB: true, m: rows, n: cols, k: k, alpha: -2, a: q, lda: k,
                                b: r.baseAddress! + first * k, ldb: k, beta: 0, c: scratch, ldc: cols)
                            let norms = UnsafeBufferPointer(rebasing: rn[first..<(first + cols)])
                            for i in 0..<rows {
                                row(
                                    start + i, first, UnsafeBufferPointer(start: scratch + i * cols, count: cols),
                                    qn[i], norms)
                            }
                            first += cols
                        }
                        b += workers
                    }
                }
            }
        }
    }

    /// The scalar loop `for j { v = products[j] + norms[j]; if v < value { index = first + j; value = v } }`
    /// in 16 lanes: each lane keeps its first strict minimum, then the lowest index among the lanes
    /// holding the smallest value wins, so the site chosen (the first of the smallest) and its value
    /// are the loop's bits. The values are finite (no NaN).
    static func firstMinimum(
        _ products: UnsafeBufferPointer<Float>, _ norms: UnsafeBufferPointer<Float>, first: Int,
        index: inout Int, value: inout Float
    ) {
        typealias Lanes = SIMD16<Float>
        let n = products.count
        let whole = n / Lanes.scalarCount * Lanes.scalarCount
        guard n > 0 else { return }
        var best = Lanes(repeating: .infinity)
        var at = SIMD16<Int32>(repeating: -1)
        var lane = SIMD16<Int32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
        let step = SIMD16<Int32>(repeating: Int32(Lanes.scalarCount))
        let p = UnsafeRawPointer(products.baseAddress!)
        let r = UnsafeRawPointer(norms.baseAddress!)
        var j = 0
        while j < whole {
            let v =
                p.loadUnaligned(fromByteOffset: j * 4, as: Lanes.self)
                + r.loadUnaligned(fromByteOffset: j * 4, as: Lanes.self)
            let smaller = v .< best
            best.replace(with: v, where: smaller)
            at.replace(with: lane, where: smaller)
            lane &+= step
            j += Lanes.scalarCount
        }
        // The lanes in index order of their first minimum, then the tail.
        var blockIndex = -1
        var blockValue = Float.infinity
        for l in 0..<Lanes.scalarCount where at[l] >= 0 {
            if best[l] < blockValue || (best[l] == blockValue && Int(at[l]) < blockIndex) {
                blockIndex = Int(at[l])
                blockValue = best[l]
            }
        }
        for t in whole..<n {
            let v = products[t] + norms[t]
            if v < blockValue {
                blockIndex = t
                blockValue = v
            }
        }
        if blockIndex >= 0 && blockValue < value {
            index = first + blockIndex
            value = blockValue
        }
    }

    /// Exact distance from a point to site j (Double sums).
    func exactDistance(_ p: UnsafePointer<Float>, site j: Int) -> Double {
        var s = 0.0
        sites.withUnsafeBufferPointer { r in
            for d in 0..<dimensions {
                let e = Double(p[d]) - Double(r[j * dimensions + d])
                s += e * e
            }
        }
        return s.squareRoot()
    }

    /// The distance from each of `m` points (m × k row-major) to its nearest site; with `excluding`,
    /// site j is not a candidate for point i when `excluding(i, j)` (every point must keep one).
    public func distances(_ points: [Float], count m: Int, excluding: ((Int, Int) -> Bool)? = nil) -> [Double] {
        var best = [Int](repeating: -1, count: m)
        var bestValue = [Float](repeating: .infinity, count: m)
        points.withUnsafeBufferPointer { p in
            best.withUnsafeMutableBufferPointer { bi in
                bestValue.withUnsafeMutableBufferPointer { bv in
                    scan(p, count: m) { i, first, products, _, rn in
                        // The nearest site minimises ‖r‖² − 2 q·r (‖q‖² is the same for every site).
                        guard let excluding else {
                            Self.firstMinimum(products, rn, first: first, index: &bi[i], value: &bv[i])
                            return
                        }
                        var index = bi[i]
                        var value = bv[i]
                        for j in 0..<products.count {
                            let v = products[j] + rn[j]
                            guard v < value else { continue }
                            if excluding(i, first + j) { continue }
                            index = first + j
                            value = v
                        }
                        bi[i] = index
                        bv[i] = value
                    }
                }
            }
        }
        return points.withUnsafeBufferPointer { p in
            (0..<m).map { i in
                precondition(best[i] >= 0, "NearestSite: point \(i) has no candidate site")
                return exactDistance(p.baseAddress! + i * dimensions, site: best[i])
            }
        }
    }

    /// The mean distance between two different sites, over all pairs i < j (CAST's d̄).
    public func meanPairwiseDistance() -> Double {
        precondition(count >= 2, "NearestSite.meanPairwiseDistance needs two sites")
        var rowSums = [Double](repeating: 0, count: count)
        sites.withUnsafeBufferPointer { p in
            rowSums.withUnsafeMutableBufferPointer { o in
                let sums = o.baseAddress!
                scan(p, count: count) { i, first, products, qn, rn in
                    var s = 0.0
                    for j in max(0, i + 1 - first)..<max(max(0, i + 1 - first), products.count) {
                        s += Double(max(0, products[j] + qn + rn[j])).squareRoot()
                    }
                    sums[i] += s
                }
            }
        }
        let pairs = Double(count) * Double(count - 1) / 2
        return rowSums.reduce(0, +) / pairs
    }

    /// The reference kernel: nearest-site distances by a loop over all pairs (Double sums).
    public static func bruteForce(
        _ points: [Float], count m: Int, sites: [Float], siteCount n: Int, dimensions k: Int,
        excluding: ((Int, Int) -> Bool)? = nil
    ) -> [Double] {
        (0..<m).map { i in
            var best = Double.infinity
            for j in 0..<n {
                if let excluding, excluding(i, j) { continue }
                var s = 0.0
                for d in 0..<k {
                    let e = Double(points[i * k + d]) - Double(sites[j * k + d])
                    s += e * e
                }
                best = min(best, s)
            }
            return best.squareRoot()
        }
    }
}
