import Foundation

/// A k-d tree over points in the embedded coordinates of `SpatialPoints` (where the Euclidean distance orders
/// pairs as the metric does): the k-th nearest distance to a location and the points within a radius, as local
/// kriging needs them for every block of a map tile. Distances here are embedded ones.
struct PointIndex: Sendable {
    /// Coordinates per point (2 or 3).
    let dimension: Int
    /// Row-major coordinates, `dimension` per point, in the points' order.
    let coordinates: [Double]
    /// The points in tree order: the node of a range [lo, hi) is its middle position.
    private var order: [Int]
    /// The axis each node splits (by its position in `order`).
    private var axis: [Int]

    /// The tree of `points`.
    init(_ points: SpatialPoints) {
        let e = points.embedded
        dimension = e.dimension
        coordinates = e.coordinates
        order = Array(0..<e.count)
        axis = [Int](repeating: 0, count: e.count)
        build(0, e.count)
    }

    /// The number of points.
    var count: Int { order.count }

    private func value(_ point: Int, _ d: Int) -> Double { coordinates[point * dimension + d] }

    private mutating func build(_ lo: Int, _ hi: Int) {
        guard hi - lo > 1 else { return }
        // The axis of largest spread, split at the median.
        var best = (axis: 0, spread: -1.0)
        for d in 0..<dimension {
            var (a, b) = (Double.infinity, -Double.infinity)
            for p in lo..<hi {
                let v = value(order[p], d)
                (a, b) = (min(a, v), max(b, v))
            }
            if b - a > best.spread { best = (d, b - a) }
        }
        let d = best.axis
        let mid = (lo + hi) / 2
        var slice = Array(order[lo..<hi])
        slice.sort { (value($0, d), $0) < (value($1, d), $1) }
        order.replaceSubrange(lo..<hi, with: slice)
        axis[mid] = d
        build(lo, mid)
        build(mid + 1, hi)
    }

    private func squaredDistance(_ point: Int, _ q: [Double]) -> Double {
        var s = 0.0
        for d in 0..<dimension {
            let e = coordinates[point * dimension + d] - q[d]
            s += e * e
        }
        return s
    }

    /// The distance from `q` to its k-th nearest point (k ≥ 1; the farthest point when k exceeds the count).
    func kthDistance(to q: [Double], k: Int) -> Double {
        precondition(k >= 1 && q.count == dimension, "PointIndex: k >= 1 and a location of \(dimension) coordinates")
        var heap: [Double] = []  // max-heap of the k smallest squared distances
        heap.reserveCapacity(k)
        func push(_ v: Double) {
            if heap.count < k {
                heap.append(v)
                var c = heap.count - 1
                while c > 0 {
                    let p = (c - 1) / 2
                    guard heap[p] < heap[c] else { break }
                    heap.swapAt(p, c)
                    c = p
                }
            } else if v < heap[0] {
                heap[0] = v
                var p = 0
                while true {
                    let (l, r) = (2 * p + 1, 2 * p + 2)
                    var m = p
                    if l < k && heap[l] > heap[m] { m = l }
                    if r < k && heap[r] > heap[m] { m = r }
                    guard m != p else { break }
                    heap.swapAt(p, m)
                    p = m
                }
            }
        }
        func search(_ lo: Int, _ hi: Int) {
            guard lo < hi else { return }
            let mid = (lo + hi) / 2
            let point = order[mid]
            push(squaredDistance(point, q))
            guard hi - lo > 1 else { return }
            let delta = q[axis[mid]] - value(point, axis[mid])
            let (near, far) = delta < 0 ? ((lo, mid), (mid + 1, hi)) : ((mid + 1, hi), (lo, mid))
            search(near.0, near.1)
            if heap.count < k || delta * delta <= heap[0] { search(far.0, far.1) }
        }
        search(0, count)
        return heap.isEmpty ? .infinity : heap[0].squareRoot()
    }

    /// The points within `radius` of `q` (inclusive), in point order.
    func within(_ radius: Double, of q: [Double]) -> [Int] {
        let r2 = radius * radius
        var out: [Int] = []
        func search(_ lo: Int, _ hi: Int) {
            guard lo < hi else { return }
            let mid = (lo + hi) / 2
            let point = order[mid]
            if squaredDistance(point, q) <= r2 { out.append(point) }
            guard hi - lo > 1 else { return }
            let delta = q[axis[mid]] - value(point, axis[mid])
            if delta >= -radius { search(mid + 1, hi) }  // the right holds coordinates >= the node's
            if delta <= radius { search(lo, mid) }
        }
        search(0, count)
        return out.sorted()
    }
}
