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
    public private(set) var recovered: [String] = []
    /// The staging folder of this process, once made.
    public private(set) var staging: String?

    private let access: Access
    private var lockDescriptor: Int32 = -1
    private var createdRoot = false
    private var createdControl = false
    private let publishing = NSLock()
    private var published = false

    private var control: String { layout.controlFolder }
    private var ownerFile: String { (control as NSString).appendingPathComponent("owner.\(getpid())") }
    private var recordFile: String { (control as NSString).appendingPathComponent("outputs.json") }
    private var journalFile: String { (control as NSString).appendingPathComponent("publishing.json") }

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
                    "cannot create the output folder (\(SystemError.reason(error))); check the 'output' key and the permissions of its parent folder"
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
                        "cannot write in the output folder (\(SystemError.reason(error))); check its permissions or choose another 'output'"
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
                    "the output folder is not writable (\(String(cString: strerror(errno)))); check its permissions or choose another 'output'"
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
                "cannot be created: '\(ancestor)' is not writable (\(String(cString: strerror(errno)))); check the 'output' key or the folder's permissions"
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
                    "cannot open the lock file '\(lockPath)' (\(String(cString: strerror(errno)))); check the folder's permissions"
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
                    "cannot lock the output folder (\(String(cString: strerror(errno)))); is it on a file system without locks?"
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

    // MARK: Recovery

    /// Finishes a publication an interrupted run began, then clears staging folders and owner
    /// records of processes that no longer hold the folder (only called with the exclusive lock).
    private func recover() throws {
        let fm = FileManager.default
        if let data = fm.contents(atPath: journalFile) {
            guard let journal = try? JSONDecoder().decode(Journal.self, from: data) else {
                throw OutputError(
                    journalFile,
                    "is unreadable; it records an interrupted publication of outputs. Move it away and check the outputs by hand"
                )
            }
            try finish(journal)
            recovered.append(
                "finished publishing the outputs of an interrupted run (process \(journal.process)): \(journal.add.joined(separator: ", "))"
            )
        }
        for name in ((try? fm.contentsOfDirectory(atPath: control)) ?? []).sorted() {
            let path = (control as NSString).appendingPathComponent(name)
            if name.hasPrefix("staging.") || name.hasPrefix("trash.") {
                let files = Self.fileCount(path)
                try? fm.removeItem(atPath: path)
                let pid = name.split(separator: ".").last.map(String.init) ?? "?"
                recovered.append(
                    "removed the unfinished outputs of an interrupted run (process \(pid), \(files) \(files == 1 ? "file" : "files")); the earlier outputs were not touched"
                )
            } else if name.hasPrefix("owner."), path != ownerFile {
                try? fm.removeItem(atPath: path)
            }
        }
        let tiles = layout.tilesFolder
        let partial = ((try? fm.contentsOfDirectory(atPath: tiles)) ?? []).filter { $0.contains(".partial-") }
        for name in partial { try? fm.removeItem(atPath: (tiles as NSString).appendingPathComponent(name)) }
        if !partial.isEmpty {
            recovered.append(
                "removed \(partial.count) unfinished map \(partial.count == 1 ? "tile" : "tiles") of an interrupted prediction"
            )
        }
        let units = layout.unitsFolder
        let partialUnits = ((try? fm.contentsOfDirectory(atPath: units)) ?? []).filter { $0.contains(".partial-") }
        for name in partialUnits { try? fm.removeItem(atPath: (units as NSString).appendingPathComponent(name)) }
        if !partialUnits.isEmpty {
            recovered.append(
                "removed \(partialUnits.count) unfinished training \(partialUnits.count == 1 ? "unit" : "units") of an interrupted run"
            )
        }
    }

    static func fileCount(_ path: String) -> Int {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { return 0 }
        guard isFolder.boolValue else { return 1 }
        let e = FileManager.default.enumerator(atPath: path)
        var n = 0
        while let item = e?.nextObject() as? String {
            var sub: ObjCBool = false
            if FileManager.default.fileExists(
                atPath: (path as NSString).appendingPathComponent(item), isDirectory: &sub), !sub.boolValue
            {
                n += 1
            }
        }
        return n
    }

    // MARK: What the folder holds

    /// The outputs the last published run wrote (top-level names), from the folder's record.
    public func recordedOutputs() -> [String] {
        guard let data = FileManager.default.contents(atPath: recordFile),
            let record = try? JSONDecoder().decode(Record.self, from: data)
        else { return [] }
        return record.outputs
    }

    /// Checks that publishing `entries` will replace only outputs SOCMap wrote: an entry that
    /// exists needs `overwrite` when an earlier run wrote it, and is refused when it did not.
    public func checkReplaceable(_ entries: [String], overwrite: Bool) throws {
        let fm = FileManager.default
        let recorded = Set(recordedOutputs())
        let existing = entries.filter { fm.fileExists(atPath: layout.path($0)) || isSymbolicLink(layout.path($0)) }
        let foreign = existing.filter { !recorded.contains($0) }
        if !foreign.isEmpty {
            throw OutputError(
                layout.root,
                "holds \(foreign.map { "'\($0)'" }.joined(separator: ", ")), which this run would write but SOCMap did not write; move \(foreign.count == 1 ? "it" : "them") away or choose another 'output' (or another 'patches.file')"
            )
        }
        let earlier = (recorded.filter { fm.fileExists(atPath: layout.path($0)) }).sorted()
        if !overwrite && !earlier.isEmpty {
            throw OutputError(
                layout.root,
                "holds outputs of an earlier run (\(earlier.joined(separator: ", "))); pass --overwrite to replace them all or change 'output'"
            )
        }
    }

    private func isSymbolicLink(_ path: String) -> Bool {
        (try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType) == .typeSymbolicLink
    }

    // MARK: Staging and publication

    /// Makes (once) and returns this process's staging folder; outputs are written there.
    public func makeStaging() throws -> OutputLayout {
        if let staging { return layout.moved(to: staging) }
        let path = (control as NSString).appendingPathComponent("staging.\(getpid())")
        do {
            try? FileManager.default.removeItem(atPath: path)
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        } catch {
            throw OutputError(
                layout.root,
                "cannot write in the output folder (\(SystemError.reason(error))); check its permissions or free space")
        }
        staging = path
        return layout.moved(to: path)
    }

    /// Moves the finished `entries` from staging into the output folder. `replacing` are the
    /// outputs that go away first (when they exist): with `replacingAll`, every output the
    /// folder's record names, so nothing of an earlier run survives beside the new set.
    public func publish(_ entries: [String], replacingAll: Bool) throws {
        guard let staging else { throw OutputError(layout.root, "nothing was staged to publish") }
        publishing.lock()
        defer { publishing.unlock() }
        let recorded = recordedOutputs()
        let remove = replacingAll ? Array(Set(recorded).union(entries)).sorted() : entries
        let kept = replacingAll ? [] : recorded.filter { !entries.contains($0) }
        let journal = Journal(
            process: Int(getpid()), staging: (staging as NSString).lastPathComponent, remove: remove,
            add: entries, record: kept + entries)
        do {
            try write(JSONEncoder().encode(journal), to: journalFile)
            try finish(journal)
        } catch let e as OutputError { throw e } catch {
            throw OutputError(
                layout.root,
                "cannot publish the outputs (\(SystemError.reason(error))); the next run finishes or clears what was left"
            )
        }
        published = true
    }

    /// Carries out a publication: old entries to the trash, new ones into place, the record
    /// rewritten, then trash and staging removed. Each step can be repeated after a kill.
    private func finish(_ journal: Journal) throws {
        let fm = FileManager.default
        let stagingPath = (control as NSString).appendingPathComponent(journal.staging)
        let trash = (control as NSString).appendingPathComponent("trash.\(journal.process)")
        try? fm.createDirectory(atPath: trash, withIntermediateDirectories: true)
        for name in journal.remove {
            let target = layout.path(name)
            let replacementWaits = fm.fileExists(atPath: (stagingPath as NSString).appendingPathComponent(name))
            let isNew = journal.add.contains(name)
            // An added entry already moved into place is new: leave it.
            if isNew && !replacementWaits { continue }
            if fm.fileExists(atPath: target) || isSymbolicLink(target) {
                let away = (trash as NSString).appendingPathComponent(name)
                try? fm.removeItem(atPath: away)
                try move(target, to: away)
            }
        }
        for name in journal.add {
            let source = (stagingPath as NSString).appendingPathComponent(name)
            if fm.fileExists(atPath: source) { try move(source, to: layout.path(name)) }
        }
        try write(JSONEncoder().encode(Record(outputs: journal.record)), to: recordFile)
        try? fm.removeItem(atPath: trash)
        try? fm.removeItem(atPath: stagingPath)
        try? fm.removeItem(atPath: journalFile)
    }

    private func move(_ source: String, to target: String) throws {
        do {
            try AtomicFile.moveIntoPlace(source, at: target, flush: false)
        } catch let e as FileWriteError {
            throw OutputError(target, "cannot move into place (\(e.reason)); check the output folder's permissions")
        }
    }

    private func write(_ data: Data, to path: String) throws {
        do {
            try AtomicFile.write(data, to: path)
        } catch let e as FileWriteError {
            throw OutputError(path, "\(e.message); check the output folder's permissions or free space")
        }
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

    private struct Record: Codable { var outputs: [String] }

    private struct Journal: Codable {
        var process: Int
        var staging: String
        var remove: [String]
        var add: [String]
        var record: [String]
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
