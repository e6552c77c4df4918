// Saving and loading forests: round trips, deterministic bytes, clear errors for bad files.
import Forest
import Foundation
import XCTest

final class ForestFileTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("ForestFileTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private func forest(bootstrap: Bool = true, maxDepth: Int? = nil) -> (RandomForest, Dataset) {
        let data = Dataset.smooth(n: 300, p: 4, seed: 31)
        let parameters = ForestParameters(
            trees: 7, maxFeatures: 2, minSamplesLeaf: 4, bootstrap: bootstrap, maxDepth: maxDepth, seed: 9)
        return (RandomForest.fit(x: data.x, n: data.n, p: data.p, y: data.y, parameters: parameters), data)
    }

    func testSaveLoad_roundTripsEveryField_andPredictsTheSame() throws {
        for (f, data) in [forest(), forest(bootstrap: false, maxDepth: 4)] {
            let path = folder.appendingPathComponent("rf.bin").path
            try f.save(to: path)
            let loaded = try RandomForest.load(from: path)
            XCTAssertEqual(loaded, f)
            XCTAssertEqual(loaded.parameters, f.parameters)
            XCTAssertEqual(loaded.predict(x: data.x, n: data.n), f.predict(x: data.x, n: data.n))
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), Data(f.serializedBytes()))
        }
    }

    func testSave_isAtomic_leavingNoTemporaryFiles_andOverwrites() throws {
        let (f, _) = forest()
        let path = folder.appendingPathComponent("rf.bin").path
        try Data("old".utf8).write(to: URL(fileURLWithPath: path))
        try f.save(to: path)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["rf.bin"])
        XCTAssertEqual(try RandomForest.load(from: path), f)
    }

    func testJSONCoding_roundTrips() throws {
        let (f, _) = forest()
        let decoded = try JSONDecoder().decode(RandomForest.self, from: JSONEncoder().encode(f))
        XCTAssertEqual(decoded, f)
    }

    func testLoad_rejectsAFileThatIsNotAForest_namingThePath() throws {
        let path = folder.appendingPathComponent("notes.txt").path
        try Data("hello, this is not a forest file at all".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try RandomForest.load(from: path)) { error in
            let e = error as? ForestFileError
            XCTAssertEqual(e?.path, path)
            XCTAssertTrue(String(describing: error).contains("not a SOCMap forest file"), "\(error)")
        }
    }

    func testLoad_rejectsTruncatedAndCorruptedFiles() throws {
        let (f, _) = forest()
        let bytes = f.serializedBytes()
        let path = folder.appendingPathComponent("rf.bin").path
        try Data(bytes.prefix(bytes.count / 2)).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try RandomForest.load(from: path)) { error in
            XCTAssertTrue(String(describing: error).contains(path), "\(error)")
        }
        var flipped = bytes
        flipped[bytes.count / 2] ^= 0x40
        XCTAssertThrowsError(try RandomForest(serializedBytes: flipped, path: "x.bin")) { error in
            XCTAssertTrue(String(describing: error).contains("checksum"), "\(error)")
        }
    }

    func testLoad_missingFile_saysSo() {
        let path = folder.appendingPathComponent("missing.bin").path
        XCTAssertThrowsError(try RandomForest.load(from: path)) { error in
            XCTAssertEqual((error as? ForestFileError)?.path, path)
            XCTAssertTrue(String(describing: error).contains("cannot read"), "\(error)")
        }
    }

    func testSave_intoMissingFolder_throwsWithThePath() {
        let (f, _) = forest()
        let path = folder.appendingPathComponent("no/such/folder/rf.bin").path
        XCTAssertThrowsError(try f.save(to: path)) { error in
            XCTAssertEqual((error as? ForestFileError)?.path, path)
        }
    }
}
