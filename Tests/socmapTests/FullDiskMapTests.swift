import Foundation
import TestSupport
import XCTest

/// `socmap predict --merge` assembling the maps onto a full disk: a non-zero exit, a message with the
/// system's reason ("No space left on device") and the file being written, and no map, partial GeoTIFF or
/// staging folder left in the output folder.
final class FullDiskMapTests: XCTestCase {
    /// Every file under `folder` (relative paths), sizes rounded up to 4 KiB pages, as tmpfs counts them.
    func files(_ folder: String) -> (paths: [String], bytes: Int) {
        var paths: [String] = []
        var bytes = 0
        let enumerator = FileManager.default.enumerator(atPath: folder)
        while let name = enumerator?.nextObject() as? String {
            let attributes = try? FileManager.default.attributesOfItem(atPath: folder + "/" + name)
            guard attributes?[.type] as? FileAttributeType == .typeRegular else { continue }
            paths.append(name)
            bytes += ((attributes?[.size] as? Int ?? 0) + 4095) / 4096 * 4096
        }
        return (paths.sorted(), bytes)
    }

    func testMergeOntoAFullDisk_saysNoSpaceNamesTheFile_andLeavesNoPartialMap() throws {
        let p = try PredictCommandTests.mapProject()
        XCTAssertEqual(try CLI.run(["run", p.pipeline, "-q"]).status, 0)
        let maps = files(p.folder.file("out/maps")).bytes
        try FileManager.default.removeItem(atPath: p.folder.file("out/maps"))
        XCTAssertEqual(try CLI.run(["predict", p.pipeline, "-q", "--shard", "1/1"]).status, 0)
        // The output folder on a disk with room for what it holds and a quarter of the maps.
        let before = files(p.output)
        let disk = try SmallDisk(kibibytes: (before.bytes + maps / 4) / 1024 + 64)
        defer { disk.unmount() }
        for name in try FileManager.default.contentsOfDirectory(atPath: p.output) {
            try FileManager.default.copyItem(atPath: p.folder.file("out/\(name)"), toPath: disk.file(name))
        }
        try p.editPipeline("output: out\n", "output: \(disk.folder.path)\n")

        let r = try CLI.run(["predict", p.pipeline, "-q", "--merge"])
        XCTAssertNotEqual(r.status, 0, r.stdout)
        // The file being written, relative to the staging folder, and the output folder, which stays.
        let pattern = #"write: '([^']+)': No space left on device while writing maps/[^ ]+\.tif \(in the staging"#
        let match = try XCTUnwrap(
            r.stderr.firstMatch(of: try Regex(pattern)), "the reason and the file being written: \(r.stderr)")
        XCTAssertEqual(match.output[1].substring.map(String.init), disk.folder.path)
        XCTAssertTrue(
            r.stderr.contains("no output was published. Free space on the disk that holds the output folder"), r.stderr)
        let after = files(disk.folder.path)
        XCTAssertEqual(after.paths, before.paths, "no map, partial GeoTIFF or staging file left: \(r.stderr)")
    }
}
