import Foundation
import Randomness
import TestSupport
import XCTest

@testable import Evaluation

/// Ordinary kriging in a local neighbourhood (`OrdinaryKriging`): its defining properties, and gstat's `krige` on
/// the same points, model and neighbourhood.
final class KrigingTests: XCTestCase {
    /// A smooth field with noise on 200 random points of a 10 km square, and 150 targets.
    func field(seed: UInt64) -> (points: SpatialPoints, values: [Double], targets: SpatialPoints) {
        var rng = SplitMix64(seed: seed)
        func uniform() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
        let x = (0..<200).map { _ in 10_000 * uniform() }
        let y = (0..<200).map { _ in 10_000 * uniform() }
        let values = zip(x, y).map { sin($0 / 1500) + cos($1 / 2000) + 0.3 * (uniform() - 0.5) }
        let tx = (0..<150).map { _ in 10_000 * uniform() }
        let ty = (0..<150).map { _ in 10_000 * uniform() }
        return (
            SpatialPoints(x: x, y: y, metric: .euclidean), values, SpatialPoints(x: tx, y: ty, metric: .euclidean)
        )
    }

    let spherical = VariogramModel(shape: .spherical, nugget: 0.05, partialSill: 0.8, range: 4_000, weightedSSE: 0)

    /// At a data point the estimate is its value with variance 0; weights sum to 1, so a constant field is
    /// reproduced; far from every point the variance approaches the sill plus the mean's uncertainty.
    func testEstimates_honourTheDataAndTheUnbiasednessConstraint() throws {
        let (points, values, _) = field(seed: 5)
        let kriging = OrdinaryKriging(points: points, values: values, model: spherical, neighbours: 16)
        let at = kriging.estimate(at: points.subset([3, 50, 199]))
        for (e, i) in zip(at, [3, 50, 199]) {
            XCTAssertEqual(e.value, values[i], accuracy: 1e-9)
            XCTAssertEqual(e.variance, 0, accuracy: 1e-9)
        }
        let flat = OrdinaryKriging(
            points: points, values: [Double](repeating: 2.5, count: points.count), model: spherical, neighbours: 16)
        for e in flat.estimate(at: field(seed: 6).targets) { XCTAssertEqual(e.value, 2.5, accuracy: 1e-9) }
        let far = kriging.estimate(at: SpatialPoints(x: [60_000], y: [60_000], metric: .euclidean))[0]
        XCTAssertGreaterThan(far.variance, spherical.sill)
        // A pure nugget: every neighbour weighs the same, the estimate is their mean.
        let nugget = VariogramModel(shape: .spherical, nugget: 1, partialSill: 0, range: 1, weightedSSE: 0)
        let mean = OrdinaryKriging(points: points.subset([0, 1, 2]), values: [1, 2, 6], model: nugget, neighbours: 3)
        XCTAssertEqual(
            mean.estimate(at: SpatialPoints(x: [1], y: [1], metric: .euclidean))[0].value, 3, accuracy: 1e-12)
    }

    /// Two residuals at one site location (two profiles, one place) would make every system holding them singular
    /// (gstat stops there); they become one point with their mean, counted, and every target is kriged.
    func testCoincidentPoints_areAveraged_notSingular() {
        let (points, values, targets) = field(seed: 9)
        let x = points.x + [points.x[4], points.x[4]]
        let y = points.y + [points.y[4], points.y[4]]
        let doubled = SpatialPoints(x: x, y: y, metric: .euclidean)
        let kriging = OrdinaryKriging(
            points: doubled, values: values + [values[4] + 1, values[4] + 2], model: spherical, neighbours: 16)
        XCTAssertEqual(kriging.coincident, 2)
        XCTAssertEqual(kriging.points.count, points.count)
        XCTAssertEqual(kriging.values[4], values[4] + 1, accuracy: 1e-12, "the mean of the three")
        XCTAssertTrue(kriging.estimate(at: targets).allSatisfy { $0.value.isFinite && $0.variance.isFinite })
        XCTAssertEqual(kriging.estimate(at: points.subset([4]))[0].value, values[4] + 1, accuracy: 1e-9)
    }

    /// The neighbourhood search by the targets' bounding box gives what searching every point gives.
    func testCandidateSearch_changesNoEstimate() throws {
        let (points, values, targets) = field(seed: 8)
        let kriging = OrdinaryKriging(points: points, values: values, model: spherical, neighbours: 8)
        let together = kriging.estimate(at: targets)
        let oneByOne = (0..<targets.count).flatMap { kriging.estimate(at: targets.subset([$0])) }
        XCTAssertEqual(together, oneByOne)
    }

    /// A dense lattice of targets (a map tile) kriged at once, in the blocks of the k-d tree's search, agrees with
    /// a direct reference: each target's k nearest by sorting every point (ties by point order, which a lattice
    /// of points makes common), and its kriging system solved by Gaussian elimination; also on the sphere, and
    /// without variances the values are the same.
    func testTileOfTargets_matchesTheDirectSolution() throws {
        for metric in [SpatialPoints.Metric.euclidean, .greatCircle] {
            let (points0, values, _) = field(seed: 21)
            // Half the points on a lattice (equal distances), half random; on the sphere in degrees.
            let scale = metric == .euclidean ? 1.0 : 1e-5
            var x = points0.x.map { $0 * scale }
            var y = points0.y.map { $0 * scale }
            for i in 0..<100 { (x[i], y[i]) = (Double(i % 10) * 1_000 * scale, Double(i / 10) * 1_000 * scale) }
            let points = SpatialPoints(x: x, y: y, metric: metric)
            var tx: [Double] = []
            var ty: [Double] = []
            for r in 0..<40 {
                for c in 0..<40 {
                    tx.append((Double(c) * 250 + 125) * scale)
                    ty.append((Double(r) * 250 - 500) * scale)
                }
            }
            let targets = SpatialPoints(x: tx, y: ty, metric: metric)
            let model = VariogramModel(shape: .exponential, nugget: 0.1, partialSill: 0.7, range: 1_200, weightedSSE: 0)
            let kriging = OrdinaryKriging(points: points, values: values, model: model, neighbours: 12)
            let fast = kriging.estimate(at: targets)
            let valuesOnly = kriging.estimate(at: targets, variances: false)
            for t in stride(from: 0, to: targets.count, by: 7) {
                let d = (0..<points.count).map { targets.distance(t, to: $0, of: points) }
                let near = (0..<points.count).sorted { d[$0] < d[$1] || (d[$0] == d[$1] && $0 < $1) }.prefix(12)
                let g = { (h: Double) in h > 0 ? model.gamma(h) : 0 }
                let m = near.count + 1
                var a = [[Double]](repeating: [Double](repeating: 1, count: m + 1), count: m)
                for (i, p) in near.enumerated() {
                    for (j, q) in near.enumerated() { a[i][j] = g(points.distance(p, to: q, of: points)) }
                    a[i][m] = g(d[p])
                }
                a[m - 1][m - 1] = 0
                a[m - 1][m] = 1
                // Gaussian elimination with partial pivoting on [A | b].
                for col in 0..<m {
                    let p = (col..<m).max { abs(a[$0][col]) < abs(a[$1][col]) }!
                    a.swapAt(p, col)
                    for r in 0..<m where r != col {
                        let f = a[r][col] / a[col][col]
                        for c in col...m { a[r][c] -= f * a[col][c] }
                    }
                }
                let w = (0..<m).map { a[$0][m] / a[$0][$0] }
                let value = zip(near, w).reduce(0.0) { $0 + $1.1 * values[$1.0] }
                let variance = zip(near, w).reduce(w[m - 1]) { $0 + $1.1 * g(d[$1.0]) }
                XCTAssertEqual(fast[t].value, value, accuracy: 1e-9, "\(metric) target \(t)")
                XCTAssertEqual(fast[t].variance, variance, accuracy: 1e-9, "\(metric) target \(t)")
                XCTAssertEqual(valuesOnly[t].value, fast[t].value, accuracy: 1e-12)
                XCTAssertTrue(valuesOnly[t].variance.isNaN)
            }
        }
    }

    /// gstat's krige (nmax neighbours) on the same points, targets and model: estimates and variances agree to
    /// 1e-8 (relative to the sill), for both shapes and a local and a global neighbourhood.
    func testKriging_agreesWithGstat() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/Rscript"),
            runTool("Rscript", ["-e", "suppressMessages(library(gstat)); cat('ok')"]) == "ok"
        else { throw missingClient("R with gstat (r-cran-gstat) is not installed") }
        let folder = try TempFolder()
        let (points, values, targets) = field(seed: 11)
        var csv = "x,y,z\n"
        for i in 0..<points.count { csv += "\(points.x[i]),\(points.y[i]),\(values[i])\n" }
        try csv.write(toFile: folder.file("points.csv"), atomically: true, encoding: .utf8)
        var grid = "x,y\n"
        for i in 0..<targets.count { grid += "\(targets.x[i]),\(targets.y[i])\n" }
        try grid.write(toFile: folder.file("targets.csv"), atomically: true, encoding: .utf8)
        let exponential = VariogramModel(
            shape: .exponential, nugget: 0.1, partialSill: 0.6, range: 1_500, weightedSSE: 0)
        for (model, name, nmax) in [(spherical, "Sph", 16), (exponential, "Exp", 200)] {
            let script = """
                suppressMessages({ library(sp); library(gstat) })
                d <- read.csv("\(folder.file("points.csv"))"); coordinates(d) <- ~x + y
                g <- read.csv("\(folder.file("targets.csv"))"); coordinates(g) <- ~x + y
                m <- vgm(psill = \(model.partialSill), model = "\(name)", range = \(model.range), nugget = \(model.nugget))
                k <- krige(z ~ 1, d, g, model = m, nmax = \(nmax), debug.level = 0)
                for (i in seq_len(nrow(k))) cat(sprintf("%.17g", k$var1.pred[i]), sprintf("%.17g", k$var1.var[i]), "\\n")
                """
            let output = try XCTUnwrap(runTool("Rscript", ["-e", script]), "Rscript ran")
            let theirs = output.split(separator: "\n").map { $0.split(separator: " ").compactMap { Double($0) } }
            let ours = OrdinaryKriging(points: points, values: values, model: model, neighbours: nmax).estimate(
                at: targets)
            XCTAssertEqual(theirs.count, ours.count, output)
            for (o, t) in zip(ours, theirs) where t.count == 2 {
                XCTAssertEqual(o.value, t[0], accuracy: 1e-8 * model.sill, "\(name) nmax \(nmax)")
                XCTAssertEqual(o.variance, t[1], accuracy: 1e-8 * model.sill, "\(name) nmax \(nmax)")
            }
        }
    }
}
