import Foundation
import RasterIO
import SoilData
import TestSupport
import XCTest

@testable import SampleData

/// The sample-data generator: determinism, file contents, the truth function and the planted problems.
/// Every end-to-end test uses a small option set (100 km cells, 200 sites) to stay quick.
final class SampleDataTests: XCTestCase {
    static let small = SampleDataOptions(seed: 2025, resolution: 100_000, siteCount: 200)

    /// Generates the small case into a fresh temporary folder.
    private func generateSmall(
        _ options: SampleDataOptions = small
    ) throws -> (dir: TemporaryDirectory, summary: SampleDataSummary) {
        let dir = try TemporaryDirectory(prefix: "socmap-SampleDataTests")
        let summary = try generateSampleData(into: dir.path, options: options)
        return (dir, summary)
    }

    /// Every regular file under `root`, as sorted relative paths.
    private func listFiles(_ root: String) -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: root)
        var files: [String] = []
        while let item = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(
                atPath: (root as NSString).appendingPathComponent(item), isDirectory: &isDirectory),
                !isDirectory.boolValue
            {
                files.append(item)
            }
        }
        return files.sorted()
    }

    /// Rows of a CSV without quoting (what the generator writes), header dropped.
    private func csvRows(_ path: String) throws -> [[String]] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return text.split(separator: "\n").dropFirst().map {
            $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
    }

    // MARK: - Determinism

    func testGenerate_sameSeedGivesByteIdenticalFiles() throws {
        let (a, summaryA) = try generateSmall()
        let (b, summaryB) = try generateSmall()
        let filesA = listFiles(a.path)
        let filesB = listFiles(b.path)
        XCTAssertEqual(filesA, filesB)
        XCTAssertEqual(
            filesA, summaryA.files.sorted(), "the summary lists every file written, and nothing else is left")
        XCTAssertEqual(summaryA, summaryB)
        XCTAssertGreaterThanOrEqual(filesA.filter { $0.hasSuffix(".tif") }.count, 20)
        for file in filesA {
            let dataA = try Data(contentsOf: URL(fileURLWithPath: a.file(file)))
            let dataB = try Data(contentsOf: URL(fileURLWithPath: b.file(file)))
            XCTAssertFalse(dataA.isEmpty, "\(file) is empty")
            XCTAssertEqual(dataA, dataB, "\(file) differs between two runs with the same seed")
        }
    }

    func testGenerate_regeneratingIntoTheSameFolderReplacesFilesIdentically() throws {
        let (dir, _) = try generateSmall()
        let before = try Data(contentsOf: URL(fileURLWithPath: dir.file("covariates/elevation.tif")))
        let csvBefore = try Data(contentsOf: URL(fileURLWithPath: dir.file("horizons.csv")))
        _ = try generateSampleData(into: dir.path, options: Self.small)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir.file("covariates/elevation.tif"))), before)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir.file("horizons.csv"))), csvBefore)
        XCTAssertFalse(
            listFiles(dir.path).contains { $0.contains("partial") || $0.hasPrefix(".") },
            "no temporary file is left behind")
    }

    func testGenerate_differentSeedGivesDifferentSitesAndCovariates() throws {
        let (a, _) = try generateSmall()
        var options = Self.small
        options.seed = 2026
        let (b, _) = try generateSmall(options)
        XCTAssertNotEqual(try csvRows(a.file("sites.csv")), try csvRows(b.file("sites.csv")))
        XCTAssertNotEqual(
            try Data(contentsOf: URL(fileURLWithPath: a.file("covariates/elevation.tif"))),
            try Data(contentsOf: URL(fileURLWithPath: b.file("covariates/elevation.tif"))))
    }

    func testOptions_rejectResolutionAndSiteCountOutOfRange() throws {
        let dir = try TemporaryDirectory(prefix: "socmap-SampleDataTests")
        XCTAssertThrowsError(try generateSampleData(into: dir.path, options: SampleDataOptions(resolution: 10))) {
            error in
            XCTAssertTrue("\(error)".contains("resolution"), "\(error)")
        }
        XCTAssertThrowsError(try generateSampleData(into: dir.path, options: SampleDataOptions(siteCount: 0))) {
            error in
            XCTAssertTrue("\(error)".contains("site count"), "\(error)")
        }
        XCTAssertEqual(listFiles(dir.path), [], "nothing is written for bad options")
    }

    // MARK: - Rasters

    func testRasters_openWithGDALWithCRSNodataAndClasses() throws {
        let (dir, summary) = try generateSmall()
        let albers = try CRS(proj: sampleDataAlbersProj)
        let main = try RasterDataset(path: dir.file("covariates/elevation.tif")).grid()
        XCTAssertEqual(main.crs, albers)
        XCTAssertEqual(main.resolution.x, 100_000)
        XCTAssertEqual(main.width, summary.gridWidth)
        XCTAssertEqual(main.height, summary.gridHeight)

        for spec in CovariateCatalog.continuous {
            let raster = try RasterDataset(path: dir.file("covariates/\(spec.name).tif"))
            let grid = try raster.grid()
            let band = try raster.band(1)
            XCTAssertEqual(band.nodata, -9999, spec.name)
            XCTAssertEqual(band.description, spec.name)
            XCTAssertEqual(band.unit, spec.unit, spec.name)
            XCTAssertEqual(band.dataType, .float32, spec.name)
            XCTAssertFalse(band.isCategorical, spec.name)
            switch spec.placement {
            case .main: XCTAssertTrue(grid.isAligned(with: main), "\(spec.name) is on the main grid")
            case .coarse:
                XCTAssertEqual(grid.crs, albers)
                XCTAssertEqual(grid.resolution.x, 200_000, spec.name)
            case .geographic:
                XCTAssertTrue(grid.crs.isGeographic, spec.name)
                XCTAssertEqual(grid.crs.epsg, 4326, spec.name)
                XCTAssertEqual(grid.resolution.x, 1, accuracy: 1e-9, spec.name)
            }
            let block = try raster.read(band: 1, window: grid.fullWindow)
            XCTAssertGreaterThan(block.validCount, grid.cellCount / 5, "\(spec.name) has land")
            XCTAssertLessThan(block.validCount, grid.cellCount, "\(spec.name) has nodata (sea)")
        }
        for spec in CovariateCatalog.categorical {
            let raster = try RasterDataset(path: dir.file("covariates/\(spec.name).tif"))
            XCTAssertTrue(try raster.grid().isAligned(with: main), spec.name)
            let band = try raster.band(1)
            XCTAssertEqual(band.dataType, .uint8, spec.name)
            XCTAssertEqual(band.nodata, 0, spec.name)
            XCTAssertTrue(band.isCategorical, spec.name)
            XCTAssertEqual(band.attributeTable?[1], spec.categories[1], spec.name)
            XCTAssertEqual(band.attributeTable?.count, spec.categories.count - 1, spec.name)
            let block = try raster.read(band: 1, window: main.fullWindow)
            let codes = Set(zip(block.values, block.valid).filter(\.1).map { Int($0.0) })
            XCTAssertTrue(codes.isSubset(of: Set(1..<spec.categories.count)), "\(spec.name) codes \(codes.sorted())")
            XCTAssertGreaterThanOrEqual(codes.count, 4, "\(spec.name) uses several classes")
        }
    }

    func testRasters_landMaskIsSharedByTheMainGridRasters() throws {
        let (dir, _) = try generateSmall()
        let reference = try RasterDataset(path: dir.file("covariates/elevation.tif"))
        let window = try reference.grid().fullWindow
        let mask = try reference.read(band: 1, window: window).valid
        for name in ["ndvi", "clay", "temperature", "soil_type"] {
            let valid = try RasterDataset(path: dir.file("covariates/\(name).tif")).read(band: 1, window: window).valid
            XCTAssertEqual(valid, mask, "\(name) has the same nodata cells as elevation")
        }
    }

    // MARK: - Sites and horizons

    func testSites_lieInsideLandCellsOfTheMainGrid() throws {
        let (dir, summary) = try generateSmall()
        let sites = try csvRows(dir.file("sites.csv"))
        XCTAssertEqual(sites.count, 200)
        XCTAssertEqual(summary.siteCount, 200)
        XCTAssertEqual(Set(sites.map { $0[0] }).count, 200, "site ids are unique")
        let elevation = try RasterDataset(path: dir.file("covariates/elevation.tif"))
        let grid = try elevation.grid()
        let block = try elevation.read(band: 1, window: grid.fullWindow)
        let toAlbers = try CoordinateTransformer(from: try CRS(epsg: 4326), to: grid.crs)
        for row in sites {
            let lon = try XCTUnwrap(Double(row[1]))
            let lat = try XCTUnwrap(Double(row[2]))
            XCTAssertEqual(row[1].split(separator: ".").last?.count, 6, "6 decimals: \(row)")
            XCTAssertTrue((73...135).contains(lon) && (18...54).contains(lat), "\(row) is in China's box")
            let p = try toAlbers.transform(x: lon, y: lat)
            let cell = try XCTUnwrap(grid.cell(x: p.x, y: p.y), "\(row) is inside the grid")
            XCTAssertNotNil(block.value(col: cell.col, row: cell.row), "\(row) is on a land cell")
        }
    }

    func testHorizons_areWellFormedExceptThePlantedProblems() throws {
        let (dir, summary) = try generateSmall()
        let rows = try csvRows(dir.file("horizons.csv"))
        XCTAssertEqual(rows.count, summary.horizonCount)
        XCTAssertEqual(summary.plantedProblems.count, 2, "\(summary.plantedProblems)")
        var bySite: [String: [(top: Int, bottom: Int)]] = [:]
        var badOrder = 0
        var na = 0
        for r in rows {
            XCTAssertEqual(r.count, 4)
            let top = try XCTUnwrap(Int(r[1]))
            let bottom = try XCTUnwrap(Int(r[2]))
            if top >= bottom { badOrder += 1 }
            if r[3] == "NA" { na += 1 } else { XCTAssertGreaterThan(try XCTUnwrap(Double(r[3])), 0) }
            bySite[r[0], default: []].append((top, bottom))
        }
        XCTAssertEqual(badOrder, 1, "exactly one horizon has top >= bottom")
        XCTAssertEqual(na, summary.missingValueCount)
        var overlaps = 0
        for (_, list) in bySite {
            XCTAssertEqual(list.first?.top, 0, "profiles start at the surface")
            XCTAssertTrue((3...7).contains(list.count), "3-7 horizons, got \(list.count)")
            let deepest = list.map { max($0.top, $0.bottom) }.max()!
            XCTAssertTrue((35...200).contains(deepest), "profile depth \(deepest)")
            for (a, b) in zip(list, list.dropFirst()) where a.top < a.bottom && b.top < b.bottom && b.top < a.bottom {
                overlaps += 1
            }
        }
        XCTAssertEqual(overlaps, 1, "exactly one overlapping pair")
    }

    func testHorizons_socDecreasesWithDepthOnAverage() throws {
        let (dir, _) = try generateSmall()
        var sums = [Double](repeating: 0, count: 4)
        var counts = [Int](repeating: 0, count: 4)
        for r in try csvRows(dir.file("horizons.csv")) {
            guard let top = Double(r[1]), let bottom = Double(r[2]), let soc = Double(r[3]), top < bottom else {
                continue
            }
            let mid = (top + bottom) / 2
            let bin = mid < 15 ? 0 : mid < 40 ? 1 : mid < 80 ? 2 : 3
            sums[bin] += soc
            counts[bin] += 1
        }
        let means = zip(sums, counts).map { $0 / Double(max($1, 1)) }
        XCTAssertTrue(counts.allSatisfy { $0 > 20 }, "every depth bin has horizons: \(counts)")
        for i in 1..<4 { XCTAssertLessThan(means[i], means[i - 1], "mean SOC by depth \(means)") }
        XCTAssertTrue((8...40).contains(means[0]), "topsoil mean \(means[0]) g/kg is plausible")
    }

    func testHorizons_followTheTruthFunctionOfTheWrittenCovariates() throws {
        let (dir, _) = try generateSmall()
        func raster(_ name: String) throws -> (Grid, RasterBlock) {
            let r = try RasterDataset(path: dir.file("covariates/\(name).tif"))
            let g = try r.grid()
            return (g, try r.read(band: 1, window: g.fullWindow))
        }
        let names = ["ndvi", "temperature", "aridity", "elevation", "clay", "soil_type"]
        var layers: [String: RasterBlock] = [:]
        var grid: Grid?
        for n in names {
            let (g, b) = try raster(n)
            grid = g
            layers[n] = b
        }
        let main = try XCTUnwrap(grid)
        let toAlbers = try CoordinateTransformer(from: try CRS(epsg: 4326), to: main.crs)
        var inputs: [String: SOCTruth.Inputs] = [:]
        for row in try csvRows(dir.file("sites.csv")) {
            let p = try toAlbers.transform(x: Double(row[1])!, y: Double(row[2])!)
            let c = try XCTUnwrap(main.cell(x: p.x, y: p.y))
            func v(_ n: String) throws -> Double { Double(try XCTUnwrap(layers[n]!.value(col: c.col, row: c.row), n)) }
            var sample = SurfaceSample()
            sample.ndvi = try v("ndvi")
            sample.temperature = try v("temperature")
            sample.aridity = try v("aridity")
            sample.elevation = try v("elevation")
            sample.clay = try v("clay")
            sample.soilType = try XCTUnwrap(SoilType(rawValue: UInt8(try v("soil_type"))))
            inputs[row[0]] = SOCTruth.Inputs(sample)
        }
        // log(observed / expected) should be the lognormal noise: mean -sigma^2/2, sd sigma.
        var logRatios: [Double] = []
        for r in try csvRows(dir.file("horizons.csv")) {
            guard let top = Double(r[1]), let bottom = Double(r[2]), let soc = Double(r[3]), top < bottom,
                let x = inputs[r[0]]
            else { continue }
            logRatios.append(log(soc / SOCTruth.mean(x, top: top, bottom: bottom)))
        }
        XCTAssertGreaterThan(logRatios.count, 500)
        let n = Double(logRatios.count)
        let mean = logRatios.reduce(0, +) / n
        let sd = (logRatios.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot()
        let sigma = SOCTruth.noiseSigma
        XCTAssertEqual(mean, -sigma * sigma / 2, accuracy: 0.06, "mean log ratio")
        XCTAssertEqual(sd, sigma, accuracy: 0.05, "sd of log ratio")
    }

    func testSoilDataLoader_countsThePlantedProblems() throws {
        let (dir, summary) = try generateSmall()
        let columns = HorizonColumns(id: "site_id", top: "top_cm", bottom: "bottom_cm", value: "soc_gkg")
        var (horizons, issues) = try loadHorizons(path: dir.file("horizons.csv"), columns: columns)
        XCTAssertEqual(issues.count(of: .missingValue), summary.missingValueCount)
        XCTAssertEqual(issues.count(of: .topNotAboveBottom), 1)
        let depths = [(0.0, 5.0), (5, 15), (15, 30), (30, 60), (60, 100), (100, 200)].map {
            DepthInterval(top: $0.0, bottom: $0.1)
        }
        let profiles = harmonise(horizons, depths: depths, issues: &issues)
        XCTAssertEqual(issues.count(of: .overlappingHorizons), 1)
        XCTAssertGreaterThan(profiles.count, 190)
        horizons.removeAll()
        let (sites, siteIssues) = try loadSites(
            path: dir.file("sites.csv"), columns: SiteColumns(id: "site_id", x: "lon", y: "lat"))
        XCTAssertEqual(sites.count, 200)
        XCTAssertTrue(siteIssues.entries.isEmpty, "\(siteIssues.entries)")
    }

    func testReadme_namesTheSeedTheCRSAndEveryCovariate() throws {
        let (dir, summary) = try generateSmall()
        let text = try String(contentsOfFile: dir.file("README.md"), encoding: .utf8)
        XCTAssertTrue(text.contains("--seed 2025"))
        XCTAssertTrue(text.contains("+proj=aea"))
        for spec in CovariateCatalog.continuous { XCTAssertTrue(text.contains("`\(spec.name).tif`"), spec.name) }
        for p in summary.plantedProblems { XCTAssertTrue(text.contains(p), p) }
    }

    // MARK: - Pieces

    func testSeededGenerator_sameSeedAndStreamRepeatOthersDiffer() {
        var a = SeededGenerator(seed: 7, stream: "sites")
        var b = SeededGenerator(seed: 7, stream: "sites")
        var c = SeededGenerator(seed: 7, stream: "horizons")
        var d = SeededGenerator(seed: 8, stream: "sites")
        let xs = (0..<5).map { _ in a.next() }
        XCTAssertEqual(xs, (0..<5).map { _ in b.next() })
        XCTAssertNotEqual(xs, (0..<5).map { _ in c.next() })
        XCTAssertNotEqual(xs, (0..<5).map { _ in d.next() })
        for _ in 0..<1000 {
            let u = a.uniform()
            XCTAssertTrue(u >= 0 && u < 1)
        }
    }

    func testSmoothNoise_isDeterministicSmoothAndBounded() {
        let n = SmoothNoise(seed: 1, field: "test", frequency: 0.5, octaves: 4)
        let m = SmoothNoise(seed: 1, field: "test", frequency: 0.5, octaves: 4)
        var values: [Double] = []
        for i in 0..<400 {
            let lon = 75 + Double(i % 20) * 3.1
            let lat = 18 + Double(i / 20) * 1.8
            let v = n(lon: lon, lat: lat)
            XCTAssertEqual(v, m(lon: lon, lat: lat))
            XCTAssertTrue(abs(v) <= 1.5, "noise \(v) at \(lon), \(lat)")
            XCTAssertLessThan(abs(n(lon: lon + 0.001, lat: lat) - v), 0.05, "smooth at \(lon), \(lat)")
            values.append(v)
        }
        let spread = values.max()! - values.min()!
        XCTAssertGreaterThan(spread, 0.5, "noise varies")
    }

    func testChinaOutline_landAndSea() {
        XCTAssertTrue(ChinaOutline.isLand(lon: 116.4, lat: 39.9), "Beijing")
        XCTAssertTrue(ChinaOutline.isLand(lon: 91.1, lat: 29.7), "Lhasa")
        XCTAssertTrue(ChinaOutline.isLand(lon: 87.6, lat: 43.8), "Urumqi")
        XCTAssertTrue(ChinaOutline.isLand(lon: 109.8, lat: 19.2), "Hainan")
        XCTAssertFalse(ChinaOutline.isLand(lon: 126.9, lat: 37.5), "Seoul")
        XCTAssertFalse(ChinaOutline.isLand(lon: 124.0, lat: 33.0), "East China Sea")
        XCTAssertFalse(ChinaOutline.isLand(lon: 100.2, lat: 36.9), "Qinghai Lake")
        XCTAssertFalse(ChinaOutline.isLand(lon: 106.9, lat: 47.9), "Ulaanbaatar")
        XCTAssertEqual(ChinaOutline.mainland[ChinaOutline.coastRange.lowerBound].lon, 124.3, "coast starts at the Yalu")
        XCTAssertEqual(ChinaOutline.mainland[ChinaOutline.coastRange.upperBound].lon, 108.0, "coast ends at Vietnam")
        XCTAssertLessThan(ChinaOutline.distanceToCoastKm(lon: 121.5, lat: 31.2), 60, "Shanghai")
        XCTAssertGreaterThan(ChinaOutline.distanceToCoastKm(lon: 87.6, lat: 43.8), 2000, "Urumqi")
    }

    func testBoundaries_startAtZeroIncreaseAndStayWithinProfileDepths() {
        var rng = SeededGenerator(seed: 3, stream: "test")
        var counts = Set<Int>()
        var deepest = Set<Int>()
        for _ in 0..<2000 {
            let b = HorizonGenerator.boundaries(&rng)
            XCTAssertEqual(b.first, 0)
            XCTAssertTrue((35...200).contains(b.last!), "\(b)")
            for (u, v) in zip(b, b.dropFirst()) { XCTAssertGreaterThanOrEqual(v - u, 5, "\(b)") }
            counts.insert(b.count - 1)
            deepest.insert(b.last!)
        }
        XCTAssertTrue(Set(3...7).isSubset(of: counts), "horizon counts \(counts.sorted())")
        XCTAssertTrue(deepest.contains(200) && deepest.contains { $0 < 60 }, "profile depths vary")
    }

    func testTruth_decreasesWithDepthAndMeanMatchesTheIntegral() {
        var s = SurfaceSample()
        s.ndvi = 0.6
        s.temperature = 8
        s.aridity = 0.8
        s.elevation = 500
        s.clay = 25
        s.soilType = .brownForest
        let x = SOCTruth.Inputs(s)
        XCTAssertGreaterThan(SOCTruth.value(x, depth: 0), SOCTruth.value(x, depth: 30))
        XCTAssertGreaterThan(SOCTruth.value(x, depth: 30), SOCTruth.value(x, depth: 150))
        XCTAssertEqual(
            SOCTruth.value(x, depth: 1000) / SOCTruth.value(x, depth: 0), SOCTruth.floorFraction, accuracy: 1e-6)
        // Midpoint rule over 1 mm steps from 12 to 45 cm approximates the closed-form mean.
        let steps = (0..<330).map { SOCTruth.value(x, depth: 12.05 + 0.1 * Double($0)) }
        XCTAssertEqual(SOCTruth.mean(x, top: 12, bottom: 45), steps.reduce(0, +) / 330, accuracy: 1e-3)
        var desert = s
        desert.soilType = .desert
        XCTAssertLessThan(
            SOCTruth.surface(SOCTruth.Inputs(desert)), SOCTruth.surface(x), "desert soils hold less carbon")
    }
}
