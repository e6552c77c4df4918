import FileIO
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Recovery of what an interrupted run left, the checks on what the folder holds, staging, and
/// publication through a journal (the record `outputs.json`, the journal `publishing.json`).
extension OutputFolder {
    private var recordFile: String { (control as NSString).appendingPathComponent("outputs.json") }
    private var journalFile: String { (control as NSString).appendingPathComponent("publishing.json") }

    // MARK: Recovery

    /// Finishes a publication an interrupted run began, then clears staging folders and owner
    /// records of processes that no longer hold the folder (only called with the exclusive lock).
    func recover() throws {
        let fm = FileManager.default
        if let data = fm.contents(atPath: journalFile) {
            guard let journal = try? JSONDecoder().decode(Journal.self, from: data) else {
                throw OutputError(
                    journalFile,
                    """
                    is unreadable; it records an interrupted publication of outputs. \
                    Move it away and check the outputs by hand
                    """
                )
            }
            try check(journal)
            try finish(journal)
            recovered.append(
                """
                finished publishing the outputs of an interrupted run (process \(journal.process)): \
                \(journal.add.joined(separator: ", "))
                """
            )
        }
        for name in ((try? fm.contentsOfDirectory(atPath: control)) ?? []).sorted() {
            let path = (control as NSString).appendingPathComponent(name)
            if name.hasPrefix("staging.") || name.hasPrefix("trash.") {
                let files = Self.fileCount(path)
                try? fm.removeItem(atPath: path)
                let pid = name.split(separator: ".").last.map(String.init) ?? "?"
                recovered.append(
                    """
                    removed the unfinished outputs of an interrupted run (process \(pid), \(files) \
                    \(files == 1 ? "file" : "files")); the earlier outputs were not touched
                    """
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
                """
                removed \(partial.count) unfinished map \
                \(partial.count == 1 ? "tile" : "tiles") of an interrupted prediction
                """
            )
        }
        let units = layout.unitsFolder
        let partialUnits = ((try? fm.contentsOfDirectory(atPath: units)) ?? []).filter { $0.contains(".partial-") }
        for name in partialUnits { try? fm.removeItem(atPath: (units as NSString).appendingPathComponent(name)) }
        if !partialUnits.isEmpty {
            recovered.append(
                """
                removed \(partialUnits.count) unfinished training \
                \(partialUnits.count == 1 ? "unit" : "units") of an interrupted run
                """
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

    /// The outputs the last published run wrote (top-level names), from the folder's record; empty
    /// when there is none. A record that is unreadable, fails its checksum or names anything but a
    /// plain entry of the folder makes the folder foreign: an error, so that nothing is moved or deleted.
    public func recordedOutputs() throws -> [String] {
        guard let data = FileManager.default.contents(atPath: recordFile) else { return [] }
        let record: Record
        do { record = try Record.read(data) } catch let problem as Record.Problem {
            throw OutputError(recordFile, foreign(problem.text))
        }
        if let bad = record.outputs.first(where: { OutputLayout.problem(withPlainName: $0, reservedToo: false) != nil })
        {
            throw OutputError(recordFile, foreign("names '\(bad)', which is not a plain entry of the output folder"))
        }
        return record.outputs
    }

    /// Checks the folder's record of outputs (`recordedOutputs`) before any work.
    public func checkRecord() throws { _ = try recordedOutputs() }

    /// The message for a record SOCMap cannot trust: what is wrong, that nothing was touched, and the way out.
    private func foreign(_ problem: String) -> String {
        """
        \(problem); this list of the outputs SOCMap wrote was edited or damaged, so SOCMap cannot tell \
        which files in '\(layout.root)' are its own, and nothing was moved or deleted. Check the outputs \
        by hand, move away (or delete) the ones this run writes together with '\(recordFile)', then run \
        again; or choose another 'output'
        """
    }

    /// Checks that a journal names only plain entries of the folder and a staging folder in the
    /// control folder, before `finish` moves anything.
    private func check(_ journal: Journal) throws {
        let names = journal.remove + journal.add + journal.record
        let bad =
            names.first { OutputLayout.problem(withPlainName: $0, reservedToo: false) != nil }
            ?? (journal.staging.hasPrefix("staging.")
                && OutputLayout.problem(withPlainName: journal.staging, reservedToo: false) == nil
                ? nil : journal.staging)
        guard let bad else { return }
        throw OutputError(
            journalFile,
            """
            names '\(bad)', which is not a plain entry of the output folder; it records an interrupted \
            publication of outputs and was edited or damaged, so nothing was moved or deleted. Move it away \
            and check the outputs by hand
            """
        )
    }

    /// Checks that publishing `entries` will replace only outputs SOCMap wrote: an entry that
    /// exists needs `overwrite` when an earlier run wrote it, and is refused when it did not.
    public func checkReplaceable(_ entries: [String], overwrite: Bool) throws {
        let fm = FileManager.default
        let recorded = Set(try recordedOutputs())
        let existing = entries.filter { fm.fileExists(atPath: layout.path($0)) || isSymbolicLink(layout.path($0)) }
        let foreign = existing.filter { !recorded.contains($0) }
        if !foreign.isEmpty {
            throw OutputError(
                layout.root,
                """
                holds \(foreign.map { "'\($0)'" }.joined(separator: ", ")), which this run would write but \
                SOCMap did not write; move \(foreign.count == 1 ? "it" : "them") away or choose another \
                'output' (or another 'patches.file')
                """
            )
        }
        let earlier = (recorded.filter { fm.fileExists(atPath: layout.path($0)) }).sorted()
        if !overwrite && !earlier.isEmpty {
            throw OutputError(
                layout.root,
                """
                holds outputs of an earlier run (\(earlier.joined(separator: ", "))); \
                pass --overwrite to replace them all or change 'output'
                """
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
        let recorded = try recordedOutputs()
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
                """
                cannot publish the outputs (\(SystemError.reason(error))); \
                the next run finishes or clears what was left
                """
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
        try write(Record(outputs: journal.record).data(), to: recordFile)
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

    /// The record `outputs.json`: the entries and, embedded, the SHA-256 of the entries each followed
    /// by a newline (`printf '%s\\n' ENTRIES | sha256sum`). Embedded rather than a sidecar file, so that
    /// the list and its checksum are written in one atomic rename and a kill never leaves them apart.
    /// A record of SOCMap 0.1 or 0.2 (the key `outputs` alone) is read as it is and gains its checksum
    /// when the next run publishes.
    struct Record: Codable {
        var outputs: [String]
        var sha256: String?

        init(outputs: [String]) {
            self.outputs = outputs
            sha256 = Self.checksum(outputs)
        }

        static func checksum(_ outputs: [String]) -> String {
            var hasher = SHA256Hasher()
            for name in outputs { hasher.update(name + "\n") }
            return hasher.hexDigest()
        }

        func data() throws -> Data {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return try encoder.encode(self)
        }

        struct Problem: Error { var text: String }

        /// The record in `data`, or a `Problem`: not JSON, keys other than `outputs` and `sha256`, or a
        /// checksum that does not match the entries.
        static func read(_ data: Data) throws -> Record {
            guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                let record = try? JSONDecoder().decode(Record.self, from: data)
            else { throw Problem(text: "is unreadable (not the JSON SOCMap writes)") }
            let unknown = Set(object.keys).subtracting(["outputs", "sha256"])
            if let key = unknown.sorted().first { throw Problem(text: "has a key '\(key)' SOCMap does not write") }
            if let sha256 = record.sha256, sha256 != checksum(record.outputs) {
                throw Problem(text: "does not match its checksum (sha256)")
            }
            return record
        }
    }

    private struct Journal: Codable {
        var process: Int
        var staging: String
        var remove: [String]
        var add: [String]
        var record: [String]
    }
}
