import Foundation
import XCTest

/// Runs the built `socmap` executable and captures its exit code and output.
struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

enum CLI {
    /// The `socmap` binary beside the test bundle.
    static var binary: URL {
        // The test runner executable (SOCMapPackageTests.xctest) sits in the products folder.
        let runner = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return runner.deletingLastPathComponent().appendingPathComponent("socmap")
    }

    static func run(
        _ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:],
        executable: URL? = nil
    ) throws -> CLIResult {
        try start(arguments, in: directory, environment: environment, executable: executable).wait()
    }

    /// A running `socmap` process.
    final class Running {
        let process: Process
        let out: Pipe
        let err: Pipe
        init(process: Process, out: Pipe, err: Pipe) {
            self.process = process
            self.out = out
            self.err = err
        }

        /// Waits for the process and collects its output.
        func wait() throws -> CLIResult {
            nonisolated(unsafe) var errData = Data()
            let group = DispatchGroup()
            group.enter()
            let errPipe = err
            DispatchQueue.global().async {
                errData = errPipe.fileHandleForReading.readDataToEndOfFile()
                group.leave()
            }
            let outData = out.fileHandleForReading.readDataToEndOfFile()
            group.wait()
            process.waitUntilExit()
            return CLIResult(
                status: process.terminationStatus,
                stdout: String(decoding: outData, as: UTF8.self),
                stderr: String(decoding: errData, as: UTF8.self))
        }
    }

    /// Starts `socmap` (or `executable`, e.g. a wrapper that runs it as another user) without waiting.
    static func start(
        _ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:],
        executable: URL? = nil
    ) throws -> Running {
        let process = Process()
        process.executableURL = executable ?? binary
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        return Running(process: process, out: out, err: err)
    }
}
