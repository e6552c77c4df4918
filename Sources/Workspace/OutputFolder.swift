import FileIO
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A run's hold on its output folder: a lock (a second run fails at once, naming the first), a
/// staging folder the run writes into, and the publication of finished outputs with one rename
/// each. Outputs of an earlier run stay intact until a run publishes; what an interrupted run left
/// (staging, an unfinished publication) is cleared or finished by the next run and reported.
/// Files in the folder that SOCMap did not write are never touched.
public final class OutputFolder: @unchecked Sendable {
    /// How the folder is held.
    public enum Access: Sendable {
        /// One process alone: runs, whole predictions, merges.
        case exclusive
        /// Several processes at once that only add map tiles (prediction shards).
        case shared
    }

    /// The output folder's layout (published paths).
    public let layout: OutputLayout
    /// What the acquisition cleared or finished for an earlier, interrupted run (one line each).
    public internal(set) var recovered: [String] = []
    /// The staging folder of this process, once made.
    public internal(set) var staging: String?

    private let access: Access
    private var lockDescriptor: Int32 = -1
    private var createdRoot = false
    private var createdControl = false
    let publishing = NSLock()
    var published = false

    var control: String { layout.controlFolder }
    var ownerFile: String { (control as NSString).appendingPathComponent("owner.\(getpid())") }

    /// Takes the output folder of `layout`, creating it when missing. `command` describes this
    /// process for the message another run gets while this one holds the folder.
    public init(_ layout: OutputLayout, access: Access, command: String) throws {
        self.layout = layout
        self.access = access
        let fm = FileManager.default
        try Self.checkFolder(layout.root, creating: true)
        if !fm.fileExists(atPath: layout.root) {
            do { try fm.createDirectory(atPath: layout.root, withIntermediateDirectories: true) } catch {
                throw OutputError(
                    layout.root,
                    """
                    cannot create the output folder (\(SystemError.reason(error))); check the 'output' key and the \
                    permissions of its parent folder
                    """
                )
            }
            createdRoot = true
        }
        if !fm.fileExists(atPath: control) {
            do {
                try fm.createDirectory(atPath: control, withIntermediateDirectories: false)
                createdControl = true
            } catch {
                // Parts and shards of a job array start at once: another process may have made it just now.
                var isFolder: ObjCBool = false
                guard fm.fileExists(atPath: control, isDirectory: &isFolder), isFolder.boolValue else {
                    throw OutputError(
                        layout.root,
                        """
                        cannot write in the output folder (\(SystemError.reason(error))); \
                        check its permissions or choose another 'output'
                        """
                    )
                }
            }
        }
        try lock(command: command)
        OutputFolder.register(self)
        if access == .exclusive { try recover() }
    }

    deinit { release() }

    /// Checks that `path` can be the output folder: a folder (or creatable) and writable; nothing is written.
    public static func checkFolder(_ path: String, creating: Bool = false) throws {
        let fm = FileManager.default
        var isFolder: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isFolder) {
            guard isFolder.boolValue else {
                throw OutputError(
                    path, "exists and is not a folder; set 'output' to a folder (it is created when missing)")
            }
            guard Glibc.access(path, W_OK | X_OK) == 0 else {
                throw OutputError(
                    path,
                    """
                    the output folder is not writable (\(String(cString: strerror(errno)))); \
                    check its permissions or choose another 'output'
                    """
                )
            }
            return
        }
        // The nearest existing ancestor must be a writable folder.
        var ancestor = (path as NSString).deletingLastPathComponent
        while !ancestor.isEmpty && ancestor != "/" && !fm.fileExists(atPath: ancestor) {
            ancestor = (ancestor as NSString).deletingLastPathComponent
        }
        if ancestor.isEmpty { ancestor = "/" }
        guard fm.fileExists(atPath: ancestor, isDirectory: &isFolder), isFolder.boolValue else {
            throw OutputError(path, "cannot be created: '\(ancestor)' is a file, not a folder; check the 'output' key")
        }
        guard Glibc.access(ancestor, W_OK | X_OK) == 0 else {
            throw OutputError(
                path,
                """
                cannot be created: '\(ancestor)' is not writable (\(String(cString: strerror(errno)))); \
                check the 'output' key or the folder's permissions
                """
            )
        }
    }

    // MARK: Lock

    private func lock(command: String) throws {
        let lockPath = (control as NSString).appendingPathComponent("lock")
        for _ in 0..<20 {
            let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                throw OutputError(
                    layout.root,
                    """
                    cannot open the lock file '\(lockPath)' \
                    (\(String(cString: strerror(errno)))); check the folder's permissions
                    """
                )
            }
            if flock(fd, (access == .exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0 {
                let busy = errno == EWOULDBLOCK
                close(fd)
                if busy {
                    throw OutputError(
                        layout.root,
                        "is in use by \(holders()); wait for it to finish, stop it, or choose another 'output'")
                }
                throw OutputError(
                    layout.root,
                    """
                    cannot lock the output folder (\(String(cString: strerror(errno)))); \
                    is it on a file system without locks?
                    """
                )
            }
            // The lock file may have been replaced while we waited: hold the one at the path.
            var held = stat()
            var current = stat()
            if fstat(fd, &held) == 0, stat(lockPath, &current) == 0, held.st_ino == current.st_ino,
                held.st_dev == current.st_dev
            {
                lockDescriptor = fd
                let started = ISO8601DateFormatter().string(from: Date())
                try? Data("\(getpid())\n\(command)\n\(started)\n".utf8).write(to: URL(fileURLWithPath: ownerFile))
                return
            }
            close(fd)
        }
        throw OutputError(
            layout.root, "cannot lock the output folder: its lock file keeps changing; is another program deleting it?")
    }

    /// "socmap process 123 (socmap run p.yaml, started ...)" for each process holding the folder.
    private func holders() -> String {
        let fm = FileManager.default
        let owners = ((try? fm.contentsOfDirectory(atPath: control)) ?? []).filter { $0.hasPrefix("owner.") }.sorted()
        let described = owners.compactMap { name -> String? in
            guard
                let text = try? String(
                    contentsOfFile: (control as NSString).appendingPathComponent(name), encoding: .utf8)
            else { return nil }
            let lines = text.split(separator: "\n").map(String.init)
            guard lines.count >= 3, let pid = Int32(lines[0]), kill(pid, 0) == 0 || errno == EPERM else { return nil }
            return "socmap process \(pid) (\(lines[1]), started \(lines[2]))"
        }
        return described.isEmpty ? "another socmap process" : described.joined(separator: ", ")
    }

    // MARK: Release

    /// Removes the staging folder (unless published), what this process created in an empty
    /// folder, and the lock. Safe to call more than once.
    public func release() {
        publishing.lock()
        defer { publishing.unlock() }
        guard lockDescriptor >= 0 else { return }
        let fm = FileManager.default
        if let staging { try? fm.removeItem(atPath: staging) }
        try? fm.removeItem(atPath: ownerFile)
        // A folder this process made for a run that published nothing goes away again (with the
        // covariate statistics it may have kept).
        if !published && access == .exclusive && createdControl {
            let left = (try? fm.contentsOfDirectory(atPath: control)) ?? []
            let statistics = (layout.stackStatisticsFile as NSString).lastPathComponent
            if left.allSatisfy({ $0 == "lock" || $0 == statistics }) {
                try? fm.removeItem(atPath: control)
                if createdRoot && ((try? fm.contentsOfDirectory(atPath: layout.root)) ?? ["?"]).isEmpty {
                    try? fm.removeItem(atPath: layout.root)
                }
            }
        }
        close(lockDescriptor)
        lockDescriptor = -1
        OutputFolder.unregister(self)
    }

    // MARK: Interruption

    nonisolated(unsafe) private static var active: [ObjectIdentifier: OutputFolder] = [:]
    private static let activeLock = NSLock()

    private static func register(_ folder: OutputFolder) {
        activeLock.lock()
        active[ObjectIdentifier(folder)] = folder
        activeLock.unlock()
    }

    private static func unregister(_ folder: OutputFolder) {
        activeLock.lock()
        active[ObjectIdentifier(folder)] = nil
        activeLock.unlock()
    }

    /// Releases every folder this process holds (a publication in progress finishes first).
    /// Called on SIGINT or SIGTERM before the process exits.
    public static func releaseAll() {
        activeLock.lock()
        let folders = Array(active.values)
        activeLock.unlock()
        for f in folders { f.release() }
    }
}

/// A problem with the output folder, naming the path and what to do.
public struct OutputError: Error, CustomStringConvertible, Sendable {
    /// The path concerned.
    public let path: String
    /// What is wrong and what to do.
    public let message: String

    init(_ path: String, _ message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "output '\(path)': \(message)" }
}
