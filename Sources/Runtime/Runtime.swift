import Foundation

extension RuntimeConfiguration {
    /// Performs the process-wide set-up for this configuration, once per process: OpenBLAS on
    /// one thread, its kernels (`blasKernel`), glibc's heap (`tunesAllocator`); the worker pool's
    /// (module Compute) and the forest's thread counts are read from `current` afterwards.
    ///
    /// Idempotent: applying the configuration already in force does nothing and returns its
    /// status. Applying a different one afterwards throws `RuntimeError.alreadyApplied`, since
    /// the BLAS kernels and the worker pool cannot change once work has started;
    /// apply it before the first network or forest runs (the `socmap` command does so before
    /// any subcommand runs). Safe to call from any thread.
    @discardableResult
    public func apply() throws -> RuntimeStatus {
        try RuntimeState.shared.apply(self)
    }

    /// The configuration in force. When none was applied yet, applies `default` first (the
    /// same `apply()`), so library code used directly (tests, other tools) gets today's behaviour.
    public static var current: RuntimeConfiguration { status.configuration }

    /// The configuration in force and what the set-up found and did (applying `default` first
    /// when none was applied yet).
    public static var status: RuntimeStatus { RuntimeState.shared.status() }
}

/// What `RuntimeConfiguration.apply()` found and did.
public struct RuntimeStatus: Sendable, Equatable {
    /// The configuration in force.
    public let configuration: RuntimeConfiguration
    /// The OpenBLAS core chosen by OpenBLAS itself at load (its CPU detection or `OPENBLAS_CORETYPE`).
    public let detectedCore: String
    /// The OpenBLAS core in use after the set-up (e.g. "SkylakeX").
    public let core: String
    /// Whether glibc's heap thresholds were set (Linux, `tunesAllocator`).
    public let allocatorTuned: Bool
}

/// A runtime configuration that cannot be applied.
public enum RuntimeError: Error, Equatable, CustomStringConvertible {
    /// Another configuration is already in force (applied explicitly, or `default` at the first use).
    case alreadyApplied(RuntimeConfiguration, requested: RuntimeConfiguration)

    public var description: String {
        switch self {
        case .alreadyApplied(let current, let requested):
            return "the runtime configuration (\(current)) is already in force, so \(requested) cannot be applied; "
                + "apply it once, before the first network or forest runs"
        }
    }
}

/// The process's one applied configuration, under a lock.
final class RuntimeState: @unchecked Sendable {
    static let shared = RuntimeState()

    private let lock = NSLock()
    private var applied: RuntimeStatus?

    func apply(_ configuration: RuntimeConfiguration) throws -> RuntimeStatus {
        lock.lock()
        defer { lock.unlock() }
        if let applied {
            guard applied.configuration == configuration else {
                throw RuntimeError.alreadyApplied(applied.configuration, requested: configuration)
            }
            return applied
        }
        let status = ProcessSetup.perform(configuration)
        applied = status
        return status
    }

    func status() -> RuntimeStatus {
        lock.lock()
        defer { lock.unlock() }
        if let applied { return applied }
        let status = ProcessSetup.perform(.default)
        applied = status
        return status
    }
}
