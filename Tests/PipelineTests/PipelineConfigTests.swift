import SoilData
import TestSupport
import XCTest

@testable import Configuration
@testable import Pipeline

final class PipelineConfigTests: XCTestCase {
    let minimal = String(minimalPipeline.dropLast())

    func parse(_ text: String) throws -> PipelineConfig {
        try PipelineConfig.parse(text: text, file: "/data/project/p.yaml")
    }

    func testMinimalFile_fillsDefaultsAndResolvesPaths() throws {
        let c = try parse(minimal)
        XCTAssertEqual(c.name, "t")
        XCTAssertEqual(c.seed, 2025)
        XCTAssertEqual(c.output, "/data/project/out/t")
        XCTAssertEqual(c.covariates.grid, .raster(path: "/data/project/covs/a.tif"))
        XCTAssertEqual(c.covariates.sources.map(\.path), ["/data/project/covs"])
        XCTAssertEqual(c.sites.file, "/data/project/sites.csv")
        XCTAssertEqual(c.sites.crs, "EPSG:4326")
        XCTAssertEqual(c.depths, DepthInterval.standard)
        XCTAssertEqual(c.patches.size, 13)
        guard case .horizons(let file, let columns, let spline) = c.profiles.source else {
            return XCTFail("expected horizons")
        }
        XCTAssertEqual(file, "/data/project/horizons.csv")
        XCTAssertEqual(columns.value, "soc")
        XCTAssertEqual(spline.lambda, 0.1)
    }

    /// `data_folder` moves where relative input paths start; the output stays relative to the file.
    func testDataFolder_resolvesInputsButNotTheOutput() throws {
        let dir = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir.file("survey"), withIntermediateDirectories: true)
        let c = try PipelineConfig.parse(text: "data_folder: survey\n" + minimal, file: dir.file("p.yaml"))
        let survey = URL(fileURLWithPath: dir.file("survey")).standardizedFileURL.path
        XCTAssertEqual(c.sites.file, survey + "/sites.csv")
        XCTAssertEqual(c.covariates.grid, .raster(path: survey + "/covs/a.tif"))
        XCTAssertEqual(c.output, URL(fileURLWithPath: dir.file("out/t")).standardizedFileURL.path)
        XCTAssertThrowsError(
            try PipelineConfig.parse(text: "data_folder: nowhere\n" + minimal, file: dir.file("p.yaml"))
        ) { error in
            let e = error as? ConfigError
            XCTAssertEqual(e?.key, "data_folder")
            XCTAssertEqual(e?.line, 1)
            XCTAssertTrue(e?.message.contains("does not exist") ?? false, "\(error)")
        }
    }

    func testUnknownKey_isAnErrorWithLineColumnAndSuggestion() {
        let text = minimal.replacingOccurrences(of: "  file: sites.csv", with: "  file: sites.csv\n  x_colum: lon")
        XCTAssertThrowsError(try parse(text)) { error in
            let e = error as? ConfigError
            XCTAssertEqual(e?.line, 7)
            XCTAssertEqual(e?.column, 3)
            XCTAssertEqual(e?.key, "sites.x_colum")
            XCTAssertTrue("\(error)".contains("did you mean 'x_column'"), "\(error)")
            XCTAssertTrue("\(error)".contains("/data/project/p.yaml:7:3"), "\(error)")
        }
    }

    func testSplitKNNDM_isAccepted_andWithBlockSizeIsAnErrorAtTheSplitKey() throws {
        let text = minimal + "\ntrain:\n  models: [rf]\nevaluate:\n  folds: 3\n  split: knndm\n"
        XCTAssertEqual(try parse(text).evaluate?.split, .knndm)
        let splitLine = text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex {
            $0.contains("split: knndm")
        }!
        XCTAssertThrowsError(try parse(text + "  block_size: 1000\n")) { error in
            let e = error as? ConfigError
            XCTAssertEqual(e?.key, "evaluate.split")
            XCTAssertEqual(e?.line, splitLine + 1)
            XCTAssertTrue("\(error)".contains("split: knndm") && "\(error)".contains("block_size"), "\(error)")
            XCTAssertTrue("\(error)".contains("remove one of them"), "\(error)")
        }
    }

    func testUnknownTopLevelKey_isAnError() {
        XCTAssertThrowsError(try parse(minimal + "\ncolour: red\n")) { error in
            XCTAssertEqual((error as? ConfigError)?.key, "colour")
        }
    }

    func testWrongType_namesKeyAndLine() {
        let text = minimal + "\npatches:\n  size: thirteen\n"
        XCTAssertThrowsError(try parse(text)) { error in
            let e = error as? ConfigError
            XCTAssertEqual(e?.key, "patches.size")
            XCTAssertEqual(e?.line, 12)
            XCTAssertTrue("\(error)".contains("expected a whole number"), "\(error)")
        }
    }

    func testPatchSizeThatDoesNotFitThePool_isRejected() {
        let train = "\ntrain:\n  models: [rf]\n"
        XCTAssertThrowsError(try parse(minimal + "\npatches:\n  size: 15\n" + train)) { error in
            XCTAssertTrue("\(error)".contains("multiple of poolSize 3"), "\(error)")
            XCTAssertTrue("\(error)".contains("train.network.pool 3"), "\(error)")
            XCTAssertEqual((error as? ConfigError)?.key, "patches.size")
        }
        XCTAssertNoThrow(try parse(minimal + "\npatches:\n  size: 19\n" + train))
        XCTAssertThrowsError(try parse(minimal + "\npatches:\n  size: 14\n" + train))
    }

    func testPoolUnderTrainNetwork_isTheNetworksPool() throws {
        let c = try parse(minimal + "\npatches:\n  size: 7\ntrain:\n  network: {pool: 1}\n")
        XCTAssertEqual(c.train?.settings.poolSize, 1)
        XCTAssertEqual(c.warnings, [])
        XCTAssertEqual(try parse(minimal + "\ntrain:\n  models: [rf]\n").train?.settings.poolSize, 3, "default pool")
        XCTAssertThrowsError(try parse(minimal + "\npatches:\n  size: 7\ntrain:\n  network: {pool: 3}\n")) { error in
            XCTAssertTrue("\(error)".contains("train.network.pool 3"), "\(error)")
        }
    }

    func testDeprecatedPatchesPool_stillLoadsWithANote() throws {
        let c = try parse(minimal + "\npatches:\n  size: 7\n  pool: 1\ntrain:\n  models: [rf]\n")
        XCTAssertEqual(c.train?.settings.poolSize, 1, "patches.pool is the network's pool")
        XCTAssertEqual(c.warnings.count, 1)
        let note = c.warnings.first ?? ""
        XCTAssertTrue(note.hasPrefix("/data/project/p.yaml:13:"), note)
        XCTAssertTrue(note.contains("key 'patches.pool': deprecated"), note)
        XCTAssertTrue(note.contains("'train.network.pool'"), note)
        // Without a train section the old key still loads (nothing uses it) and the note says so.
        let patchesOnly = try parse(minimal + "\npatches:\n  size: 7\n  pool: 1\n")
        XCTAssertTrue(patchesOnly.warnings.first?.contains("not used") ?? false, "\(patchesOnly.warnings)")
    }

    func testPoolGivenTwice_isAnErrorNamingBothKeys() {
        let text = minimal + "\npatches:\n  size: 7\n  pool: 1\ntrain:\n  network:\n    pool: 1\n"
        XCTAssertThrowsError(try parse(text)) { error in
            let e = error as? ConfigError
            XCTAssertEqual(e?.key, "train.network.pool")
            XCTAssertEqual(e?.line, 16)
            XCTAssertTrue("\(error)".contains("'patches.pool' (line 13)"), "\(error)")
            XCTAssertTrue("\(error)".contains("'train.network.pool' (line 16)"), "\(error)")
        }
    }

    func testWithoutTrainSection_thePatchSizeOnlyNeedsToBeOdd() throws {
        XCTAssertEqual(try parse(minimal + "\npatches:\n  size: 7\n").patches.size, 7)
        XCTAssertThrowsError(try parse(minimal + "\npatches:\n  size: 8\n"))
    }

    func testMissingRequiredSection_namesIt() {
        let text = minimal.replacingOccurrences(of: "sites:\n  file: sites.csv\n", with: "")
        XCTAssertThrowsError(try parse(text)) { error in
            XCTAssertEqual((error as? ConfigError)?.key, "sites")
        }
    }

    func testCustomDepthsAndIntervals_parse() throws {
        let text = """
            covariates:
              grid: {crs: "EPSG:28355", resolution: 100, extent: [0, 0, 1000, 1000]}
              files: [a.tif]
            sites: {file: s.csv, crs: "EPSG:4283"}
            depths: ["0-10", "10-30", "30-50", "50-70", "70-90"]
            profiles:
              intervals:
                file: v.csv
                columns: [a, b, c, d, e]
            """
        let c = try parse(text)
        XCTAssertEqual(c.depths.map(\.label), ["0-10cm", "10-30cm", "30-50cm", "50-70cm", "70-90cm"])
        XCTAssertEqual(c.covariates.grid, .explicit(crs: "EPSG:28355", resolution: 100, extent: [0, 0, 1000, 1000]))
        guard case .intervals(_, let columns) = c.profiles.source else { return XCTFail("expected intervals") }
        XCTAssertEqual(columns.columns, ["a", "b", "c", "d", "e"])
    }

    func testIntervalColumnCount_mustMatchDepths() {
        let text = minimal.replacingOccurrences(
            of: "  horizons:\n    file: horizons.csv\n    value_column: soc",
            with: "  intervals:\n    file: v.csv\n    columns: [a, b]")
        XCTAssertThrowsError(try parse(text)) { error in
            XCTAssertTrue("\(error)".contains("6 expected, 2 found"), "\(error)")
        }
    }

    // Found by Fuzz/FuzzPipeline: value_scale 0 reached IntervalColumns' precondition and trapped.
    func testIntervalValueScaleZeroOrNegative_isAnErrorNotACrash() {
        for scale in ["0", "-0.1"] {
            let text = minimal.replacingOccurrences(
                of: "  horizons:\n    file: horizons.csv\n    value_column: soc",
                with: "  intervals:\n    file: v.csv\n    columns: [a, b, c, d, e, f]\n    value_scale: \(scale)")
            XCTAssertThrowsError(try parse(text)) { error in
                XCTAssertEqual((error as? ConfigError)?.key, "profiles.intervals.value_scale")
                XCTAssertTrue("\(error)".contains("value_scale must be a number greater than 0"), "\(error)")
            }
        }
    }

    func testOverlappingDepths_areRejected() {
        XCTAssertThrowsError(try parse(minimal + "\ndepths: [\"0-10\", \"5-15\"]\n"))
    }

    func testPredictInterval_defaultsAndParses() throws {
        let plain = try parse(minimal + "\npredict:\n  model: transfer\n")
        XCTAssertEqual(plain.predict?.interval, 0.9)
        XCTAssertEqual(plain.predict?.intervalMethod, .logConformal)
        let c = try parse(minimal + "\npredict:\n  interval: 0.8\n  interval_method: adaptive\n")
        XCTAssertEqual(c.predict?.interval, 0.8)
        XCTAssertEqual(c.predict?.intervalMethod, .adaptive)
    }

    func testPredictIntervalOutsideZeroOne_isAnErrorNamingTheKeyAndLine() {
        for bad in ["0", "1", "1.5", "-0.1", "90"] {
            XCTAssertThrowsError(try parse(minimal + "\npredict:\n  interval: \(bad)\n"), bad) { error in
                let e = error as? ConfigError
                XCTAssertEqual(e?.key, "predict.interval", "\(error)")
                XCTAssertEqual(e?.line, 12, "\(error)")
                XCTAssertEqual(e?.column, 13, "\(error)")
                XCTAssertTrue("\(error)".contains("strictly between 0 and 1"), "\(error)")
            }
        }
        XCTAssertThrowsError(try parse(minimal + "\npredict:\n  interval_method: bootstrap\n")) { error in
            XCTAssertEqual((error as? ConfigError)?.key, "predict.interval_method")
            XCTAssertTrue("\(error)".contains("conformal, adaptive"), "\(error)")
        }
    }

    func testInvalidYAML_isReported() {
        XCTAssertThrowsError(try parse("covariates: [\n")) { error in
            XCTAssertTrue("\(error)".contains("not valid YAML"), "\(error)")
        }
    }
}
