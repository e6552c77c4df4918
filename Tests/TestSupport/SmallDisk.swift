import Foundation
import XCTest

/// A file system of a few KiB (a tmpfs mounted on a fresh temporary folder), for the tests of a full
/// disk; `unmount()` (or deinit) takes it down. Mounting needs root: elsewhere `init` throws
/// `missingClient`'s skip, which is a failure under `make test` and in CI.
public final class SmallDisk {
    /// The folder the tmpfs is mounted on.
    public let folder: TemporaryDirectory
    private var mounted = false

    /// Mounts a tmpfs of `kibibytes` KiB on a new temporary folder.
    public init(kibibytes: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        folder = try TemporaryDirectory(prefix: "socmap-small-disk")
        let status = Self.run("mount", ["-t", "tmpfs", "-o", "size=\(kibibytes)k", "tmpfs", folder.path])
        guard status == 0 else {
            throw missingClient(
                "cannot mount a \(kibibytes) KiB tmpfs on '\(folder.path)' (mount exited \(status); it needs root)",
                file: file, line: line)
        }
        mounted = true
    }

    deinit { unmount() }

    /// The path of `name` on the small disk.
    public func file(_ name: String) -> String { folder.file(name) }

    /// Unmounts the tmpfs (its files go with it); idempotent.
    public func unmount() {
        guard mounted else { return }
        mounted = Self.run("umount", [folder.path]) != 0
    }

    /// Runs /usr/bin/`tool` or /bin/`tool` with `arguments`; its exit status, or -1 when it cannot start.
    private static func run(_ tool: String, _ arguments: [String]) -> Int32 {
        guard let path = ["/usr/bin/\(tool)", "/bin/\(tool)"].first(where: FileManager.default.isExecutableFile)
        else { return -1 }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }
}
