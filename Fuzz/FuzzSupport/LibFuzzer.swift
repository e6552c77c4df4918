import CLibFuzzer
import Foundation

/// The signature of `LLVMFuzzerTestOneInput`: one input, 0 when done (non-zero is reserved by libFuzzer).
public typealias FuzzTestOneInput = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

/// Runs libFuzzer with the command-line arguments and exits with its status.
///
/// SwiftPM links every executable target with `main` aliased to the target's own entry point,
/// so libFuzzer's `main` is never used: each fuzz target's main.swift calls this instead.
public func runLibFuzzer(_ testOneInput: FuzzTestOneInput) -> Never {
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
}
