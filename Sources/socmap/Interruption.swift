import Dispatch
import Foundation
import Pipeline
import Workspace

#if canImport(Glibc)
    import Glibc
#endif

/// SIGINT and SIGTERM: the run's unfinished outputs are removed, its lock released, and the
/// process exits with 130 or 143 (128 + the signal), as shells expect.
enum Interruption {
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    /// Installs the handlers once, at start-up.
    static func install() {
        for (signal, name) in [(SIGINT, "interrupted"), (SIGTERM, "terminated")] {
            Glibc.signal(signal, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signal, queue: .global(qos: .userInitiated))
            source.setEventHandler {
                OutputFolder.releaseAll()
                let message = "\n\(name): unfinished outputs removed; the outputs of earlier runs are as they were\n"
                FileHandle.standardError.write(Data(message.utf8))
                _exit(128 + signal)
            }
            source.resume()
            sources.append(source)
        }
    }
}

/// This process's command line, for the message a second run gets while this one holds the output folder.
func commandLine() -> String {
    (["socmap"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
}
