import Foundation
import XCTest

/// Runs a Python snippet with QGIS's Python bindings (python3-qgis), headless; a missing QGIS is
/// `missingClient` (a skip, but a failure under `make test` and in CI). The snippet's standard
/// output is returned; a non-zero exit fails the test.
public func runWithQGIS(_ body: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
    let python = "/usr/bin/python3"
    guard FileManager.default.isExecutableFile(atPath: python),
        FileManager.default.fileExists(atPath: "/usr/lib/python3/dist-packages/qgis/core/__init__.py")
    else {
        throw missingClient(
            """
            QGIS's Python bindings are not installed (apt-get install python3-qgis, as \
            `make test` does); checked the XML only
            """,
            file: file, line: line)
    }
    let script = """
        import os, sys, tempfile, shutil
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        os.environ["XDG_RUNTIME_DIR"] = tempfile.mkdtemp()
        from qgis.core import *
        app = QgsApplication([], False)
        app.initQgis()
        def check(condition, message):
            if not condition:
                print("FAILED: " + message)
                sys.exit(3)
        \(body)
        # Leave without QGIS's teardown, which can crash while layers are still referenced.
        sys.stdout.flush()
        shutil.rmtree(os.environ["XDG_RUNTIME_DIR"], ignore_errors=True)
        os._exit(0)
        """
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = ["-c", script]
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    XCTAssertEqual(process.terminationStatus, 0, "QGIS check failed:\n\(output)\n\(errors)", file: file, line: line)
    return output
}
