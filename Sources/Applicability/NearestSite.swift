import Foundation
import NeuralNet

/// Nearest-site search as a matrix product: for query points Q (m × k) and sites R (n × k), both
/// row-major Float32, ‖q − r‖² = ‖q‖² + ‖r‖² − 2 q·r, the products from sgemm over blocks of
/// `blockRows` query points × all n sites, then a min per row of ‖r‖² − 2 q·r. The winning site's
/// distance is recomputed exactly from the coordinates (Double sums), so only the choice among
/// near-ties carries sgemm's round-off, and a point on a site has distance exactly 0. Where squared
/// distances from the product are used themselves (d̄), round-off below 0 is clamped at 0. The
/// coordinates are the DI's standardised ones, centred on the training sites' mean, which keeps the
/// norms, and so the cancellation in the product, small.
/// Work is spread over NeuralNet's workers; memory is one `blockRows × n` block per worker.
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

    /// The search over `count` sites of `dimensions` coordinates each (`sites` row-major).
    public init(sites: [Float], count: Int, dimensions: Int) {
        precondition(count >= 1 && dimensions >= 1, "NearestSite: needs at least one site and one dimension")
        precondition(sites.count == count * dimensions, "NearestSite: \(sites.count) values for \(count) x \(dimensions)")
        self.sites = sites; self.count = count; self.dimensions = dimensions
        norms = (0..<count).map { i in
            var s: Float = 0
            for j in 0..<dimensions { let v = sites[i * dimensions + j]; s += v * v }
            return s
        }
    }

    /// Visits every query point's products with all sites: `row(i, p, qn)` gets p[j] = −2 q·r_j for
    /// the n sites and qn = ‖q‖², so the squared distance to site j is max(0, p[j] + qn + ‖r_j‖²)
    /// (`norms`; the buffer is reused). Points are processed in blocks on the workers; `row` must
    /// only write state of point i.
    func scan(_ points: UnsafeBufferPointer<Float>, count m: Int,
              _ row: (Int, UnsafeBufferPointer<Float>, Float, UnsafeBufferPointer<Float>) -> Void) {
        precondition(points.count >= m * dimensions, "NearestSite.scan: \(points.count) values for \(m) points")
        guard m > 0 else { return }
        let k = dimensions, n = count, block = Self.blockRows
        let blocks = (m + block - 1) / block
        let workers = max(1, min(Parallel.workers, blocks))
        sites.withUnsafeBufferPointer { r in
            norms.withUnsafeBufferPointer { rn in
                Parallel.forEach(workers) { w in
                    let scratch = UnsafeMutablePointer<Float>.allocate(capacity: block * n)
                    defer { scratch.deallocate() }
                    var b = w
                    while b < blocks {
                        let start = b * block, rows = min(block, m - start)
                        let q = points.baseAddress! + start * k
                        BLAS.sgemm(transB: true, m: rows, n: n, k: k, alpha: -2, a: q, lda: k, b: r.baseAddress!, ldb: k,
                                   beta: 0, c: scratch, ldc: n)
                        for i in 0..<rows {
                            var qn: Float = 0
                            for j in 0..<k { qn += q[i * k + j] * q[i * k + j] }
                            row(start + i, UnsafeBufferPointer(start: scratch + i * n, count: n), qn, rn)
                        }
                        b += workers
                    }
                }
            }
        }
    }

    /// Exact distance from a point to site j (Double sums).
    func exactDistance(_ p: UnsafePointer<Float>, site j: Int) -> Double {
        var s = 0.0
        sites.withUnsafeBufferPointer { r in
            for d in 0..<dimensions { let e = Double(p[d]) - Double(r[j * dimensions + d]); s += e * e }
        }
        return s.squareRoot()
    }

    /// The distance from each of `m` points (m × k row-major) to its nearest site; with `excluding`,
    /// site j is not a candidate for point i when `excluding(i, j)` (every point must keep one).
    public func distances(_ points: [Float], count m: Int, excluding: ((Int, Int) -> Bool)? = nil) -> [Double] {
        var out = [Double](repeating: .nan, count: m)
        points.withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer { o in
                let result = o.baseAddress!
                scan(p, count: m) { i, products, _, rn in
                    // The nearest site minimises −2 q·r + ‖r‖² (‖q‖² is the same for every site).
                    var best = -1
                    var bestValue = Float.infinity
                    for j in 0..<products.count {
                        let v = products[j] + rn[j]
                        guard v < bestValue else { continue }
                        if let excluding, excluding(i, j) { continue }
                        best = j; bestValue = v
                    }
                    precondition(best >= 0, "NearestSite: point \(i) has no candidate site")
                    result[i] = exactDistance(p.baseAddress! + i * dimensions, site: best)
                }
            }
        }
        return out
    }

    /// The mean distance between two different sites, over all pairs i < j (CAST's d̄).
    public func meanPairwiseDistance() -> Double {
        precondition(count >= 2, "NearestSite.meanPairwiseDistance needs two sites")
        var rowSums = [Double](repeating: 0, count: count)
        sites.withUnsafeBufferPointer { p in
            rowSums.withUnsafeMutableBufferPointer { o in
                let sums = o.baseAddress!
                scan(p, count: count) { i, products, qn, rn in
                    var s = 0.0
                    for j in (i + 1)..<max(i + 1, products.count) { s += Double(max(0, products[j] + qn + rn[j])).squareRoot() }
                    sums[i] = s
                }
            }
        }
        let pairs = Double(count) * Double(count - 1) / 2
        return rowSums.reduce(0, +) / pairs
    }

    /// The reference kernel: nearest-site distances by a loop over all pairs (Double sums).
    public static func bruteForce(_ points: [Float], count m: Int, sites: [Float], siteCount n: Int, dimensions k: Int,
                                  excluding: ((Int, Int) -> Bool)? = nil) -> [Double] {
        (0..<m).map { i in
            var best = Double.infinity
            for j in 0..<n {
                if let excluding, excluding(i, j) { continue }
                var s = 0.0
                for d in 0..<k { let e = Double(points[i * k + d]) - Double(sites[j * k + d]); s += e * e }
                best = min(best, s)
            }
            return best.squareRoot()
        }
    }
}
