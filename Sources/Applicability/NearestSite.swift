import Foundation
import NeuralNet

/// Nearest-site search as a matrix product: for query points Q (m × k) and sites R (n × k), both
/// row-major Float32, ‖q − r‖² = ‖q‖² + ‖r‖² − 2 q·r, the products from sgemm over blocks of
/// `blockRows` query points × all n sites, then a min per row. Round-off can make a squared distance
/// slightly negative: it is clamped at 0; the winning site's distance is then recomputed exactly from
/// the coordinates (Double sums), so only the choice among near-ties carries sgemm's round-off.
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

    /// Visits every query point's squared distances to all sites: `row(i, d2)` gets point i's n
    /// squared distances (clamped at 0; the buffer is reused). Points are processed in blocks on
    /// the workers; `row` must only write state of point i.
    func scan(_ points: UnsafeBufferPointer<Float>, count m: Int, _ row: (Int, UnsafeMutableBufferPointer<Float>) -> Void) {
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
                            let d2 = scratch + i * n
                            for j in 0..<n { d2[j] = max(0, d2[j] + qn + rn[j]) }
                            row(start + i, UnsafeMutableBufferPointer(start: d2, count: n))
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
                scan(p, count: m) { i, d2 in
                    var best = -1
                    var bestValue = Float.infinity
                    for j in 0..<d2.count where d2[j] < bestValue {
                        if let excluding, excluding(i, j) { continue }
                        best = j; bestValue = d2[j]
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
                scan(p, count: count) { i, d2 in
                    var s = 0.0
                    for j in (i + 1)..<max(i + 1, d2.count) { s += Double(d2[j]).squareRoot() }
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
