import Foundation
import NeuralNet
import RasterIO
import XCTest

@testable import Mapping

/// The networks of a tile run over the smallest window holding its mapped cells: the box, the
/// cut-out input (every patch of the box whole) and the maps placed back.
final class TileCropTests: XCTestCase {
    func testBoundingBox_holdsEveryMappedCell() {
        var mapped = [Bool](repeating: false, count: 6 * 5)
        mapped[1 * 6 + 2] = true
        mapped[3 * 6 + 4] = true
        let box = TilePredictor.boundingBox(mapped, width: 6, height: 5)
        XCTAssertEqual(box.rows, 1..<4)
        XCTAssertEqual(box.cols, 2..<5)
    }

    func testCrop_keepsEachBoxCellsPatch_andPlacePutsMapsBack() {
        // 2 channels of a 5 x 6 input block (a 3 x 4 tile with P = 3): value = 100 ch + 10 r + c.
        let (channels, h, w, p) = (2, 5, 6, 3)
        var values = [Float](repeating: 0, count: channels * h * w)
        for ch in 0..<channels {
            for r in 0..<h { for c in 0..<w { values[(ch * h + r) * w + c] = Float(100 * ch + 10 * r + c) } }
        }
        let tensor = TilePredictor.crop(values, channels: channels, width: w, rows: 1..<3, cols: 2..<3, patch: p)
        XCTAssertEqual(tensor.shape, [2, 4, 3])
        // The output cell (1, 2) reads input rows 1...3 and columns 2...4.
        XCTAssertEqual(Array(tensor.data[0..<3]), [12, 13, 14])
        XCTAssertEqual(Array(tensor.data[(4 * 3)..<(4 * 3 + 3)]), [112, 113, 114])
        let whole = TilePredictor.crop(values, channels: channels, width: w, rows: 0..<3, cols: 0..<4, patch: p)
        XCTAssertEqual(whole.data, values, "the whole tile is not copied")

        let out = PixelWindow(col: 0, row: 0, width: 4, height: 3)
        let placed = TilePredictor.place([7, 8], rows: 1..<3, cols: 2..<3, into: out)
        XCTAssertEqual(placed.count, 12)
        XCTAssertEqual(placed[1 * 4 + 2], 7)
        XCTAssertEqual(placed[2 * 4 + 2], 8)
        XCTAssertEqual(placed.filter { !$0.isNaN }.count, 2)
    }
}
