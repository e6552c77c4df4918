import Foundation
import RasterIO
import TestSupport
import XCTest

@testable import Configuration
@testable import Inputs
@testable import Pipeline

/// Covariates read through GDAL's virtual file systems (`/vsizip/`, ...) are passed to GDAL, not refused as
/// missing files: a covariate zipped beside the pipeline gives the same stack as the file itself.
final class VirtualFileTests: XCTestCase {
    func testZippedCovariate_readsAsTheFile_andAMissingOneNamesTheKeyAndLine() throws {
        XCTAssertTrue(VirtualPath.isVirtual("/vsizip//data/c.zip/x.tif"))
        XCTAssertTrue(VirtualPath.isVirtual("/vsicurl/https://example.org/x.tif"))
        XCTAssertFalse(VirtualPath.isVirtual("/vsi/x.tif"))
        XCTAssertFalse(VirtualPath.isVirtual("/data/vsizip/x.tif"))
        let p = try TinyProject()
        let plain = try StackStage.run(
            InputSettings(try PipelineConfig.load(path: p.pipeline)), observer: SilentObserver())
        // wet.tif moves into a zip beside the pipeline; the pipeline names it inside the archive, relative.
        let zipped = try XCTUnwrap(
            runTool(
                "python3",
                [
                    "-c",
                    """
                    import zipfile, os
                    os.chdir('\(p.folder.path)')
                    with zipfile.ZipFile('more.zip', 'w') as z: z.write('covs/wet.tif', 'wet.tif')
                    os.remove('covs/wet.tif')
                    print('ok')
                    """
                ]))
        XCTAssertEqual(zipped.trimmingCharacters(in: .whitespacesAndNewlines), "ok")
        try p.editPipeline("  files: [covs/]\n", "  files: [covs/, /vsizip/more.zip/wet.tif]\n")
        let config = try PipelineConfig.load(path: p.pipeline)
        XCTAssertEqual(
            config.covariates.sources.last?.path, "/vsizip/" + p.folder.file("more.zip") + "/wet.tif",
            "the archive's path is resolved like a file's")
        let stack = try StackStage.run(InputSettings(config), observer: SilentObserver())
        XCTAssertEqual(Set(stack.covariates.map(\.name)), Set(plain.covariates.map(\.name)))
        let window = PixelWindow(col: 0, row: 0, width: stack.grid.width, height: stack.grid.height)
        let a = try plain.readScaled(window: window)
        let b = try stack.selecting(covariates: Set(plain.covariates.map(\.name))).readScaled(window: window)
        XCTAssertEqual(a.values.count, b.values.count)
        // The same cells, up to the order of the channels: compare each covariate's own channels.
        for c in plain.covariates {
            let one = try plain.selecting(covariates: [c.name]).readScaled(window: window).values
            let two = try stack.selecting(covariates: [c.name]).readScaled(window: window).values
            XCTAssertEqual(one.count, two.count, c.name)
            XCTAssertTrue(zip(one, two).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }, c.name)
        }
        try p.editPipeline("/vsizip/more.zip/wet.tif", "/vsizip/more.zip/dry.tif")
        let missing = try PipelineConfig.load(path: p.pipeline)
        XCTAssertThrowsError(try StackStage.run(InputSettings(missing), observer: SilentObserver())) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("covariates.files") && text.contains("dry.tif"), text)
            XCTAssertTrue(text.contains("pipeline.yaml"), text)
        }
    }
}
