import Compute
import Mapping
import XCTest

final class EnsembleSpreadTests: XCTestCase {
    func testSpread_standardDeviationAndQuantilesPerCell() {
        // Cell 0: models 1...5; cell 1: all equal; cell 2: one model without a value.
        let predictions: [[Float]] = [[1, 7, 3], [2, 7, .nan], [3, 7, 3], [4, 7, 3], [5, 7, 3]]
        let spread = EnsembleSpread(predictions: predictions)
        XCTAssertEqual(spread.standardDeviation[0], Float(2.5.squareRoot()), accuracy: 1e-6)
        XCTAssertEqual(spread.lower[0], 1.2, accuracy: 1e-6, "type 7: 1 + 0.05 * 4")
        XCTAssertEqual(spread.upper[0], 4.8, accuracy: 1e-6)
        XCTAssertEqual(spread.standardDeviation[1], 0)
        XCTAssertEqual(spread.lower[1], 7)
        XCTAssertTrue(spread.standardDeviation[2].isNaN && spread.lower[2].isNaN && spread.upper[2].isNaN)
    }

    func testMapNames_followTheDepthConvention() {
        XCTAssertEqual(MapNames.base(property: "soc", top: 0, bottom: 5), "soc_0-5cm")
        XCTAssertEqual(MapNames.base(property: "soc", top: 100, bottom: 200), "soc_100-200cm")
        XCTAssertEqual(MapNames.depthTitle(top: 5, bottom: 15), "5-15 cm")
        XCTAssertEqual(MapNames.spread("soc_0-5cm"), "soc_0-5cm_cv_sd")
        XCTAssertEqual(MapNames.quantile("soc_0-5cm", 0.05), "soc_0-5cm_q05")
        XCTAssertEqual(MapNames.quantile("soc_0-5cm", 0.95), "soc_0-5cm_q95")
        XCTAssertEqual(MapNames.quantile("soc_0-5cm", 0.025), "soc_0-5cm_q02p5")
    }

    func testStandardDeviationAlone_matchesTheSummary() {
        let predictions: [[Float]] = [[1, 7, 3], [2, 7, .nan], [3, 7, 3], [4, 7, 3], [5, 7, 3]]
        let sd = EnsembleSpread.standardDeviation(predictions: predictions)
        let full = EnsembleSpread(predictions: predictions).standardDeviation
        XCTAssertEqual(sd[0], full[0], accuracy: 1e-6)
        XCTAssertEqual(sd[1], 0)
        XCTAssertTrue(sd[2].isNaN)
    }

    func testPredictionInterval_conformalAddsQAndAdaptiveScalesItBySpreadPlusFloor() {
        let prediction: [Float] = [10, 20, .nan]
        let spread: [Float] = [0, 2, 1]
        let plain = PredictionInterval(level: 0.9, adaptive: false, halfWidths: [1.5], floors: [0], centres: [0.5])
        let p = plain.layers(prediction: prediction, spread: spread, depth: 0)
        XCTAssertEqual(p.lower[0], 8.5)
        XCTAssertEqual(p.upper[0], 11.5)
        XCTAssertEqual(p.lower[1], 18.5)
        XCTAssertEqual(p.upper[1], 21.5)
        XCTAssertTrue(p.lower[2].isNaN && p.upper[2].isNaN)
        let limited = PredictionInterval(
            level: 0.9, adaptive: false, halfWidths: [1.5], floors: [0], centres: [0.5], lowerLimit: 0)
        let l = limited.layers(prediction: [1, -3, 10], spread: nil, depth: 0)
        XCTAssertEqual(l.lower, [0, 0, 8.5], "bounds below the lowest possible value are raised to it")
        XCTAssertEqual(l.upper, [2.5, 0, 11.5])
        XCTAssertTrue(limited.summary.contains("lower limit=0.0"), limited.summary)
        let capped = PredictionInterval(
            level: 0.9, adaptive: false, halfWidths: [1.5], floors: [0], centres: [0.5], lowerLimit: 0, upperLimit: 10)
        let u = capped.layers(prediction: [9, 12, 5], spread: nil, depth: 0)
        XCTAssertEqual(u.lower, [7.5, 10, 3.5], "a prediction above the top: both bounds at the top")
        XCTAssertEqual(u.upper, [10, 10, 6.5], "bounds above the highest possible value are lowered to it")
        XCTAssertTrue(capped.summary.hasSuffix("centre=[0.5] lower limit=0.0 upper limit=10.0"), capped.summary)
        let withoutSpread = plain.layers(prediction: prediction, spread: nil, depth: 0)
        XCTAssertEqual(withoutSpread.lower[0...1], p.lower[0...1], "a plain interval needs no CV spread")
        XCTAssertEqual(withoutSpread.upper[0...1], p.upper[0...1])
        let adaptive = PredictionInterval(level: 0.9, adaptive: true, halfWidths: [2], floors: [0.5], centres: [-0.25])
        let a = adaptive.layers(prediction: prediction, spread: spread, depth: 0)
        XCTAssertEqual(a.lower[0], 9)
        XCTAssertEqual(a.upper[0], 11, "2 · (0 + 0.5)")
        XCTAssertEqual(a.lower[1], 15)
        XCTAssertEqual(a.upper[1], 25, "2 · (2 + 0.5)")
        XCTAssertEqual(p.median[0...1], [10.5, 20.5], "the median: the prediction moved by the centre")
        XCTAssertEqual(p.uncertainty[0], Float(3.0 / 10.5), accuracy: 1e-6, "(upper - lower) / median")
        XCTAssertTrue(p.median[2].isNaN && p.uncertainty[2].isNaN)
        XCTAssertEqual(a.median[1], 20 - 0.25 * 2.5, accuracy: 1e-6, "adaptive: the centre scaled by s + floor")
        XCTAssertEqual(l.median, [1.5, 0, 10.5], "the median kept at the lowest value")
        XCTAssertTrue(l.uncertainty[1].isNaN, "no ratio where the median is 0")
        XCTAssertEqual(u.median, [9.5, 10, 5.5], "the median kept at the highest value")
        let scale = PiecewiseLinear(x: [10, 20], y: [1, 3])
        let scaled = PredictionInterval(
            level: 0.9, adaptive: false, halfWidths: [2], floors: [0], centres: [0.5], scales: [scale])
        let s = scaled.layers(prediction: [10, 15, 30], spread: nil, depth: 0)
        XCTAssertEqual(s.lower, [8, 11, 24], "prediction - q r(prediction), r linear between knots, flat beyond")
        XCTAssertEqual(s.upper, [12, 19, 36])
        XCTAssertEqual(s.median, [10.5, 16, 31.5])
        XCTAssertTrue(scaled.summary.hasPrefix("scaled conformal 0.9"), scaled.summary)
        XCTAssertEqual(plain.lowerQuantile, 0.05, accuracy: 1e-12)
        XCTAssertEqual(plain.upperQuantile, 0.95, accuracy: 1e-12)
    }

    /// With residual kriging, a depth with a kriged band scales by the cell's kriging SD (+ floor); the others
    /// keep the method's band, and without the SD the method's band stands.
    func testKrigedBand_scalesByTheKrigingSDAtItsDepthOnly() {
        var interval = PredictionInterval(
            level: 0.9, adaptive: false, halfWidths: [2, 2], floors: [0, 0], centres: [0, 0], lowerLimit: 0)
        interval.krigedBands = [PredictionInterval.KrigedBand(q: 1.5, floor: 0.5, centre: 0.1), nil]
        let kriged = interval.layers(prediction: [10, 1, .nan], spread: nil, krigingSD: [1, 2, 1], depth: 0)
        XCTAssertEqual(Array(kriged.lower.prefix(2)), [7.75, 0], "10 - 1.5 (1 + 0.5); 1 - 3.75 raised to 0")
        XCTAssertTrue(kriged.lower[2].isNaN)
        XCTAssertEqual(kriged.upper[0], 12.25)
        XCTAssertEqual(kriged.median[0], 10.15)
        XCTAssertTrue(kriged.upper[2].isNaN)
        let plain = interval.layers(prediction: [10], spread: nil, krigingSD: [1], depth: 1)
        XCTAssertEqual(plain.lower, [8])
        XCTAssertEqual(interval.layers(prediction: [10], spread: nil, depth: 0).lower, [8])
        XCTAssertTrue(interval.summary.contains("kriged=[q=1.5 floor=0.5 centre=0.1],-"), interval.summary)
    }
}
