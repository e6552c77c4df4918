import FileIO
import Foundation
import Mapping
import RasterIO
import TestSupport
import XCTest

@testable import SampleData

/// The sample-data generator works a strip of rows at a time: the strip height never changes the
/// files, the files are those the whole-grid generator wrote, and progress runs once to completion.
final class SampleDataStripTests: XCTestCase {
    static let small = SampleDataOptions(seed: 2025, resolution: 100_000, siteCount: 200)

    /// SHA-256 of every file written by the whole-grid generator before it worked in strips (commit
    /// 2173140, "socmap sample-data DIR --seed 2025 --resolution 100000 --sites 200", hashed with
    /// sha256sum): 51 x 44 cells, one row of tiles.
    static let golden100km: [String: String] = [
        "README.md": "e46917f8587a2d54c10091650f95d64a1a3395d6a1ead97d98a7d9e1d29f661f",
        "covariates/aridity.tif": "4d726acd2d33ff3318fec4eb87e2ea146ec462d375435b7a2363fa35b630d588",
        "covariates/bulk_density.tif": "f225b120db10d6160fe653afd200ba80a3b645debb0023330c6b3a3a12dc00ce",
        "covariates/clay.tif": "b5837bd05d8748868fe38560a1f610cd9553dacf4e0e587f0986c79c3b8f758f",
        "covariates/climate_zone.tif": "43254ad85fbed6b08d1b90c2dc881916d06afb6dcb1b80e8d97bb74f1845ac28",
        "covariates/climate_zone.tif.aux.xml": "a0ec2f37ea09079697c4be8d4429014c5c2e2109d4a21b48e3e07eb5a88de426",
        "covariates/cropland.tif": "4fdceeb968fdf9aa8456224762de1b24a1f77ea3c7161c453127f7d2efded342",
        "covariates/dist_coast.tif": "6899f23a46344ddb315564662381b6a24e6702f6f7721580a7dd256f87d8827c",
        "covariates/dist_river.tif": "45718b789e1572a3c4b9e35919222ede6e864e853e8ba79eef3035771cf91443",
        "covariates/eastness.tif": "222b7f769251993b3b683d50b61e0152955767b866e7941dea3a7e34575fc94b",
        "covariates/elevation.tif": "ff2ad66b2760c91b1f6238184d2450201710ef0254356a1dbe372d21ee1ff93d",
        "covariates/evi.tif": "1160d4b4e6e837e6d8e663ecab82b921afa532b2dfd67a4a24111996bc43155b",
        "covariates/lst_day.tif": "15e46a83505e6fab816e042e42f2ce7789f91821c8ad7fa23d7aa9410639aaef",
        "covariates/ndvi.tif": "1dac6a63fb206de21d590288183ff79f795cc882fd95aff39e588f4b2764b77c",
        "covariates/night_lights.tif": "ad6d559b39be83e7060a78b4ca8a3666bbee5863c34fdb50c6a543f189f33ead",
        "covariates/northness.tif": "f9210690c50f2a14d32059e609dee0e646656c3fc07bd189c0ce70d048070b76",
        "covariates/npp.tif": "7fdcd8d6f2a0d1c535f389d12a6988da5d5fc906f2c4e2e8a8d6ca4b0501afe1",
        "covariates/pet.tif": "87b34ffa317c0419e55fad1efe432b3c40dd4395b1b9ece3dabe2347289a265f",
        "covariates/ph.tif": "a8e0b7b3cb6f6d4c38d5d135396dc2a3745e839ce2c35add6355eb8a4d62b83a",
        "covariates/precipitation.tif": "06955264d5229b2be124f65d1fcbb97b659b6cdaab120e1c6d45b5f56e0dde57",
        "covariates/roughness.tif": "466c356a2cb3fb900a0f0fe75308041a98784250b91aa002d116e2210b9e36f8",
        "covariates/sand.tif": "a372a38e7641c1cecdf3e1c2857eae254ce765963e0a20d28edf6bbdff6555fe",
        "covariates/silt.tif": "2f172ff9f3c1293954ab901fb5dad11b116b2779f85cbd052e5fcbb0d4d7e1c2",
        "covariates/slope.tif": "a02941e8b81077203c1ae5882c0b5a1bc17e2e9035322ca6adf27468dac3a081",
        "covariates/soil_moisture.tif": "e181cf4af13d3739f06c10e46f794c03e9733dac8e8adc5c3e74d6fa9e47df78",
        "covariates/soil_type.tif": "dddb24621b1ee5af4dfc672c7d367d387dd03a491af5d30f20311fe4145827e0",
        "covariates/soil_type.tif.aux.xml": "44810815333b906c6d0fc66db12d3c3ef681f38a3374c276b71d9f3d5ad2cae6",
        "covariates/solar_radiation.tif": "c63758fc4aff849df7343f69975fafb854f6d93cfbfba36d766c18e616eae70c",
        "covariates/temperature.tif": "8da3d9e3761398a8460a0c9fa0679be8479f1e2a544382cf45e33b6f19ffb8ae",
        "covariates/temperature_range.tif": "5fd74ceb13ec309414c913dbf0972f962932e2c6c41a869609453ce7a7ef647f",
        "covariates/twi.tif": "7e57816948163f7f8c71706b6a360d99a5ed689997cecee725d73d965d4dd133",
        "horizons.csv": "574fa075f856eed1cdc81ac7f0b6e0f416fbad126b126debbc99e133b250d85c",
        "sites.csv": "d5f6b5a9d0ebecb365dad9ee85d9c585a58be337a09860a42e490a0bb4f30979"
    ]

    /// The same for "--resolution 40000 --sites 500" (123 x 103 cells), also from commit 2173140.
    static let golden40km: [String: String] = [
        "README.md": "f255408edcbc7057d2905987edd1b88eab4f04b04e331d990ddc1373d6b3f19f",
        "covariates/aridity.tif": "d4e29411a7c1cac7c38b33d061203b002adb1a54a6f5927ce6d89660c66b95ce",
        "covariates/bulk_density.tif": "9b9422829e35ef08da68167bbfdf40817638ae42a097c858633a621da62a64fe",
        "covariates/clay.tif": "c0188374d04c65fdcbf0e8648c5904ac2cf324afb919dab1ed4da1fe32efd10b",
        "covariates/climate_zone.tif": "8996818a3c884adb10e09204227634cd899a243c86b6796002e48bf23ca6441f",
        "covariates/climate_zone.tif.aux.xml": "a0ec2f37ea09079697c4be8d4429014c5c2e2109d4a21b48e3e07eb5a88de426",
        "covariates/cropland.tif": "311605b469a14b995580131951d32c1acbb2137623065878cc682cb48c9f4b98",
        "covariates/dist_coast.tif": "d7cdbc834a956448ba9960803f696588b0af7e153630b8b2e135e9727b35672d",
        "covariates/dist_river.tif": "42f0769f39238b6a106add9d7486623ba05b7547702714c62dc0df0fcab429f4",
        "covariates/eastness.tif": "c3399d34b653d083e6615faac38203a49d7cbab8ed212e9a22b765888edb6f02",
        "covariates/elevation.tif": "9c7442a240dfc8cdaac48d90001218bf665020c0a072f3b77c4ab183fcf43a13",
        "covariates/evi.tif": "dfb8d42333c72a4cf90dcff5e2b0ac502ff5a1333e4d80ca54d71518d82c0fd4",
        "covariates/lst_day.tif": "fdc05ebf84f416f3a4fef3eecd1cc6212dfb3367307af896c77d9c85d195268c",
        "covariates/ndvi.tif": "a162f419318082aef8d59c0eba3f8d3e475782d92d04ef95a51d6e40a1d58609",
        "covariates/night_lights.tif": "bf5b9a8855701ecfbb21d1d52e085ef17c1cd56849a9d46ffc7524bed6f2108d",
        "covariates/northness.tif": "e9120169b3032b14432973ddf1c7865b739b943e88267b7533cfc03a497dd98f",
        "covariates/npp.tif": "52c7daacccfea9eded78e5ef4df80f0e1cef5bccb9143d410ed7d32133eb651a",
        "covariates/pet.tif": "7902684f43206199bc1230b58b33ae272760aeebbe528ab1ecef442c7b35ef0d",
        "covariates/ph.tif": "0f709edfa8a1f3c92ea8c430c79ae5f8fa9dc0e45178fff2b5f69a2c59373121",
        "covariates/precipitation.tif": "27e130dc65fde9c2a9ffd99d11477346ce9d388b0f834087ea08a03aa31ee41c",
        "covariates/roughness.tif": "7da76fb63b8164408ef8553015ebafd5faae5f2e8bc8d10a64ca75c101da84e4",
        "covariates/sand.tif": "d2adf196f665550ceadd63b05ecff93e3551c3bc3ebfd93c0a429e16d65d22f3",
        "covariates/silt.tif": "b8e6380994665f1f79ee3cd8fc57fe5d69b6aa52a598860593dd1fec7799f49b",
        "covariates/slope.tif": "557db4c01fb4e1bf504a89892155a50f363d2b63e9417fadf8bdf677316e93d3",
        "covariates/soil_moisture.tif": "f4d31b79839e7309620f6d519394b31c8b29db4bd661eb3b9c1746b78b130bce",
        "covariates/soil_type.tif": "622cb449d2e7b59273819839b2b1d13dd977d9451db8cb258faf7de876ff3730",
        "covariates/soil_type.tif.aux.xml": "44810815333b906c6d0fc66db12d3c3ef681f38a3374c276b71d9f3d5ad2cae6",
        "covariates/solar_radiation.tif": "a99c8ccdeb8d954e3e306f2d6214441db3ed5ced3bedaa095aa2f4893a596a0e",
        "covariates/temperature.tif": "e5baa832d24676eaa55a6086f227bff9494506711a5b92757ceca14957025c09",
        "covariates/temperature_range.tif": "9f3c0a1e539b963ed72b63e8480c8d87745914d48d449dd44ee06f0aacc150dc",
        "covariates/twi.tif": "8da4e5eb4acf2791f114e14c27b3fc6a680d7b4f152f3139a54fe952e4cac9eb",
        "horizons.csv": "71806cd0fbe9a38f5db9ada53038083ca612c6b21a2571ef6dd033e5d0e6c7fc",
        "sites.csv": "caf6ba017d4ab70cf94e9e1ff09ffb2d41e78235a9c37256c7a26ff4e34e7158"
    ]

    /// Generates into a fresh folder with the given strip size and GeoTIFF profile.
    private func generate(
        _ options: SampleDataOptions = small, stripCells: Int, profile: GeoTIFFProfile = .default,
        progress: ((SampleDataProgress) -> Void)? = nil
    ) throws -> (dir: TemporaryDirectory, summary: SampleDataSummary) {
        let dir = try TemporaryDirectory(prefix: "socmap-SampleDataStripTests")
        let summary = try generateSampleData(
            into: dir.path, options: options, stripCells: stripCells,
            profile: profile, progress: progress)
        return (dir, summary)
    }

    /// SHA-256 of every file under a folder, by relative path.
    private func hashes(_ dir: TemporaryDirectory) throws -> [String: String] {
        var result: [String: String] = [:]
        for (path, data) in FolderSnapshot(dir.path).entries where !path.hasSuffix("/") {
            result[path] = SHA256Hasher.hex(data)
        }
        return result
    }

    func testGenerate_stripHeightNeverChangesTheFiles() throws {
        // Tiles of 16 cells, so each raster has several rows of tiles (the main grid 51 x 44 has three)
        // and strips of 1 or 5 rows end inside them.
        var profile = GeoTIFFProfile()
        profile.tileSize = 16
        let oneRow = try generate(stripCells: 1, profile: profile)
        let fiveRows = try generate(stripCells: 5 * 51, profile: profile)
        let whole = try generate(stripCells: 1_000_000, profile: profile)
        let reference = FolderSnapshot(whole.dir.path)
        XCTAssertGreaterThanOrEqual(reference.entries.count, 33)
        XCTAssertEqual(FolderSnapshot(oneRow.dir.path).changes(since: reference), [], "strips of one row")
        XCTAssertEqual(FolderSnapshot(fiveRows.dir.path).changes(since: reference), [], "strips of five rows")
        XCTAssertEqual(oneRow.summary, whole.summary)
        // The small tiles did make rasters of several rows of tiles, read back whole.
        let elevation = try RasterDataset(path: whole.dir.file("covariates/elevation.tif"))
        XCTAssertEqual(try elevation.grid().height, 44)
        let block = try elevation.read(band: 1, window: try elevation.grid().fullWindow)
        XCTAssertEqual(block.validCount, whole.summary.landCellCount)
    }

    func testGenerate_matchesTheWholeGridGeneratorsFiles() throws {
        for stripCells in [1, 7 * 51, SampleDataGenerator.defaultStripCells] {
            let (dir, _) = try generate(stripCells: stripCells)
            XCTAssertEqual(try hashes(dir), Self.golden100km, "100 km, strips of \(stripCells) cells")
        }
        let options = SampleDataOptions(seed: 2025, resolution: 40_000, siteCount: 500)
        for stripCells in [3 * 123, SampleDataGenerator.defaultStripCells] {
            let (dir, _) = try generate(options, stripCells: stripCells)
            XCTAssertEqual(try hashes(dir), Self.golden40km, "40 km, strips of \(stripCells) cells")
        }
    }

    func testGenerate_reportsProgressOnceThroughToTheEnd() throws {
        var events: [SampleDataProgress] = []
        let (_, summary) = try generate(stripCells: 4 * 51) { events.append($0) }
        var work: [(done: Int, total: Int)] = []
        var notes: [String] = []
        for event in events {
            switch event {
            case .note(let text): notes.append(text)
            case .work(let done, let total, _): work.append((done, total))
            }
        }
        XCTAssertEqual(work.first?.done, 0, "the bar starts at 0")
        let total = try XCTUnwrap(work.first?.total)
        XCTAssertTrue(work.allSatisfy { $0.total == total }, "one total for the whole generation")
        for (a, b) in zip(work, work.dropFirst()) {
            XCTAssertLessThanOrEqual(a.done, b.done, "progress never goes back")
        }
        XCTAssertEqual(work.last?.done, total, "the last report is the end")
        XCTAssertEqual(work.filter { $0.done == total }.count, 1, "the end is reported once")
        // Every strip of every grid and every raster's finish report: more than one report per raster.
        XCTAssertGreaterThan(work.count, summary.files.filter { $0.hasSuffix(".tif") }.count + 11)
        XCTAssertTrue(notes.contains { $0.hasPrefix("main grid: 51 x 44") }, "\(notes)")
    }

    func testLandWeights_drawTheSameCellsAsARunningTotalOfEveryCell() {
        // Land cells with weights (some below the 1e-9 floor), spread over a 1000-cell grid with gaps.
        var rng = SeededGenerator(seed: 11, stream: "test")
        var land: [(cell: Int, weight: Double)] = []
        var cell = 0
        while land.count < 700 {
            cell += 1 + (rng.chance(0.2) ? rng.integer(in: 1...40) : 0)
            land.append((cell, rng.chance(0.05) ? 0 : rng.uniform(0, 3)))
        }
        var cumulative: [Double] = []
        var total = 0.0
        for (_, w) in land {
            total += max(w, 1e-9)
            cumulative.append(total)
        }
        let byCell = Dictionary(uniqueKeysWithValues: land.map { ($0.cell, $0.weight) })
        let lookup: (Range<Int>) -> [(cell: Int, weight: Double)] = { range in
            range.compactMap { c in byCell[c].map { (c, $0) } }
        }
        // The reference: the first running total above the target, else the last land cell.
        func reference(_ target: Double) -> Int {
            land[cumulative.firstIndex { $0 > target } ?? land.count - 1].cell
        }
        var targets = (0..<2000).map { _ in rng.uniform() * total }
        targets += cumulative.prefix(200) + [0, total, total * 2]  // exactly on running totals, and past the end
        for chunkSize in [1, 7, 64, 700, 1000] {
            var weights = LandWeights(chunkSize: chunkSize)
            for (c, w) in land { weights.append(cell: c, weight: w) }
            XCTAssertEqual(weights.total, total)
            XCTAssertEqual(weights.landCount, land.count)
            for target in targets {
                XCTAssertEqual(
                    weights.cell(at: target, landWeights: lookup), reference(target),
                    "chunks of \(chunkSize), target \(target)")
            }
        }
        XCTAssertEqual(LandWeights.chunkSize(forGridOf: 483 * 405), 1, "10 km")
        XCTAssertEqual(LandWeights.chunkSize(forGridOf: 4797 * 4023), 64, "1 km")
    }
}
