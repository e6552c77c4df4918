import Foundation
import XCTest

@testable import RasterIO

/// GDAL's block cache is bounded (its own default, 5 % of the machine's memory, grew with a country's
/// grid), unless the user sets GDAL_CACHEMAX.
final class GDALRuntimeTests: XCTestCase {
    func testBlockCache_isBoundedUnlessGDALCACHEMAXIsSet() throws {
        if ProcessInfo.processInfo.environment["GDAL_CACHEMAX"] != nil {
            throw XCTSkip("GDAL_CACHEMAX is set in this environment: GDAL's cache is the user's")
        }
        XCTAssertEqual(GDALRuntime.cacheBytes, 256 << 20)
    }
}
