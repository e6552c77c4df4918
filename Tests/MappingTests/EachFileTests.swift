import Foundation
import XCTest

@testable import Mapping

/// `EachFile.run`: every file's work runs even when some fail, the lowest failing file's error is
/// thrown, and `finished` is called once for each success.
final class EachFileTests: XCTestCase {
    private struct Failure: Error, Equatable { let file: Int }

    func testRun_runsEveryFile_throwsTheLowestFailure_reportsEachSuccess() {
        let lock = NSLock()
        var ran: Set<Int> = []
        var finished: [Int] = []
        XCTAssertThrowsError(
            try EachFile.run(
                7,
                { k in
                    lock.lock()
                    ran.insert(k)
                    lock.unlock()
                    if k == 5 || k == 2 { throw Failure(file: k) }
                }, finished: { finished.append($0) })
        ) { error in
            XCTAssertEqual(error as? Failure, Failure(file: 2))
        }
        XCTAssertEqual(ran, Set(0..<7))
        XCTAssertEqual(finished.sorted(), [0, 1, 3, 4, 6])
        var none: [Int] = []
        XCTAssertNoThrow(try EachFile.run(3, { _ in }, finished: { none.append($0) }))
        XCTAssertEqual(none.sorted(), [0, 1, 2])
    }
}
