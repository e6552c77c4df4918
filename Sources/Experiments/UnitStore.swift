import FileIO
import Foundation
import Runtime

#if canImport(Glibc)
    import Glibc
#endif

/// What a finished unit saved: its predictions, what else its variant keeps, and what made it.
public struct UnitRecord: Codable, Sendable {
    /// The data, folds, variant and unit the record was made from (`Experiment.fingerprint`).
    public var fingerprint: String
    /// The owner's tag (a run's pipeline file hash): parts of one run must share it.
    public var tag: String
    /// The seed the unit was fitted with.
    public var seed: UInt64
    /// Wall time of its training in seconds (reported only, never in the outputs).
    public var seconds: Double
    /// Predictions of the fold's held-out samples, in sample order (fold units).
    public var heldOut: [Float]?
    /// Predictions of the fold's training samples, in sample order (fold units, when asked for).
    public var trained: [Float]?
    /// Predictions of the held-out samples by each transfer model of the freeze sweep, keyed "F=f".
    public var sweep: [String: [Float]]?
    /// Files of the saved model, relative to the unit's `model` folder (nil: no model saved).
    public var modelFiles: [String]?
    /// The forest's impurity importance per channel read (final units that record it).
    public var importance: [Double]?
}

/// The record each part of a shared experiment writes when it starts: which file it ran.
public struct PartRecord: Codable, Sendable {
    /// The 1-based part and the number of parts.
    public var part: Int, of: Int
    /// The owner's tag (the pipeline file's hash).
    public var pipeline: String
    /// The file the part ran.
    public var file: String
}

/// Saved units in one folder: each unit in a folder of its own (its record `unit.json`, when kept its
/// model, and their checksums `SHA256SUMS`), written into a hidden folder first and renamed into place
/// when complete, so a kill leaves a unit either whole or absent. A unit is read only after its
/// checksums verify: a damaged or edited unit is never used (`damage` says why) and is fitted again.
/// Units are claimed with a lock while one process fits them, so processes sharing the folder (parts
/// of a job array) fit each unit once.
public final class UnitStore: @unchecked Sendable {
    /// The folder.
    public let folder: String
    /// The owner's tag, written into every record (a run's pipeline file hash).
    public let tag: String
    /// Records whose checksums verified in this process, by unit name (a saved unit is never changed
    /// in place, only replaced by `save`).
    private var verified: [String: UnitRecord] = [:]
    private let lock = NSLock()

    /// A store in `folder` (created when the first unit is saved).
    public init(folder: String, tag: String) {
        self.folder = folder
        self.tag = tag
    }

    /// The folder of the unit named `name`.
    public func unitFolder(_ name: String) -> String { (folder as NSString).appendingPathComponent(name) }
    /// The saved model folder of the unit named `name`.
    public func modelFolder(_ name: String) -> String { (unitFolder(name) as NSString).appendingPathComponent("model") }
    private func recordPath(_ name: String) -> String {
        (unitFolder(name) as NSString).appendingPathComponent("unit.json")
    }

    /// The saved record of `name` when its fingerprint is `fingerprint`; nil otherwise (missing,
    /// unreadable, or made from other inputs).
    public func saved(_ name: String, fingerprint: String) -> UnitRecord? {
        guard let record = read(name), record.fingerprint == fingerprint else { return nil }
        return record
    }

    /// The tag of a saved unit made by another owner (another pipeline file), or nil.
    public func otherTag(_ name: String) -> String? {
        guard let record = read(name), record.tag != tag else { return nil }
        return record.tag
    }

    /// Whether anything is saved under `name`, matching or not.
    public func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: unitFolder(name)) }

    /// Why the unit saved under `name` cannot be used (its checksums do not verify, or its record
    /// does not decode), or nil when it is intact or absent.
    public func damage(_ name: String) -> String? {
        guard exists(name), read(name) == nil else { return nil }
        if case .damaged(let reason) = Checksums.verify(in: unitFolder(name), required: ["unit.json"]) {
            return reason
        }
        return "unit.json does not decode"
    }

    /// The record of `name` once its checksums verify; nil when absent, damaged or undecodable.
    private func read(_ name: String) -> UnitRecord? {
        if let record = lock.withLock({ verified[name] }) { return record }
        guard Checksums.verify(in: unitFolder(name), required: ["unit.json"]) == .intact,
            let bytes = FileManager.default.contents(atPath: recordPath(name)),
            let record = try? JSONDecoder().decode(UnitRecord.self, from: bytes)
        else { return nil }
        lock.withLock { verified[name] = record }
        return record
    }

    /// Saves `record` as unit `name`: `writeModel` writes the model into the folder it is given
    /// (returning its files, or nil for none); the unit appears only when complete. A unit of the
    /// same name made from other inputs is replaced.
    public func save(
        _ record: UnitRecord, as name: String, writeModel: (String) throws -> [String]? = { _ in nil }
    ) throws {
        let fm = FileManager.default
        let target = unitFolder(name)
        let partial = (folder as NSString).appendingPathComponent(".\(name).partial-\(getpid())")
        do {
            try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try? fm.removeItem(atPath: partial)
            try fm.createDirectory(atPath: partial, withIntermediateDirectories: false)
        } catch {
            throw ExperimentError(
                .store, path: folder,
                message: """
                    cannot save training units (\(SystemError.reason(error))); \
                    check the output folder's permissions and free space
                    """
            )
        }
        var record = record
        record.modelFiles = try writeModel((partial as NSString).appendingPathComponent("model"))
        do {
            try AtomicFile.write(try Self.encode(record), to: (partial as NSString).appendingPathComponent("unit.json"))
            try Checksums.write(in: partial, files: Self.files(in: partial))
            lock.withLock { verified[name] = nil }
            // A unit of other inputs in the way goes first; a kill between the two steps leaves the
            // unit missing, and it is fitted again.
            if fm.fileExists(atPath: target) { try fm.removeItem(atPath: target) }
            try fm.moveItem(atPath: partial, toPath: target)
        } catch let e as FileWriteError {
            throw ExperimentError(.store, path: e.path, message: "cannot save the training unit: \(e.message)")
        } catch {
            throw ExperimentError(
                .store, path: target, message: "cannot save the training unit: \(SystemError.reason(error))")
        }
    }

    /// Copies unit `name`'s saved model into `destination` (which must not exist) and checks the copy
    /// against the model's checksum list (`SHA256SUMS`); a model saved before models carried one gets
    /// one from the copy (the unit's own checksums verified its files).
    public func copyModel(_ name: String, to destination: String) throws {
        do {
            try FileManager.default.createDirectory(
                atPath: (destination as NSString).deletingLastPathComponent,
                withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: modelFolder(name), toPath: destination)
            let list = (destination as NSString).appendingPathComponent(Checksums.fileName)
            if !FileManager.default.fileExists(atPath: list) {
                try Checksums.write(in: destination, files: Self.files(in: destination))
            }
        } catch let e as FileWriteError {
            throw ExperimentError(
                .store, path: e.path,
                message: "cannot copy the model of \(name): \(e.message); check the output folder's free space")
        } catch {
            throw ExperimentError(
                .store, path: destination,
                message: """
                    cannot copy the model of \(name): \(SystemError.reason(error)); check that the output folder \
                    is writable and the disk has room
                    """
            )
        }
        if case .damaged(let reason) = Checksums.verify(in: destination, required: ["model.json"]) {
            throw ExperimentError(
                .store, path: destination,
                message: """
                    the copy of the model of \(name) differs from the saved one (\(reason)); check the disk \
                    and run the command again
                    """
            )
        }
    }

    /// Every regular file below `folder`, relative to it, sorted.
    static func files(in folder: String) -> [String] {
        let fm = FileManager.default
        let all = (fm.enumerator(atPath: folder)?.allObjects as? [String]) ?? []
        return all.filter { file in
            var isFolder: ObjCBool = false
            return fm.fileExists(atPath: (folder as NSString).appendingPathComponent(file), isDirectory: &isFolder)
                && !isFolder.boolValue && file != Checksums.fileName
        }.sorted()
    }

    static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(value)
    }

    // MARK: Claims

    /// A unit held by this process while it fits it; released by `release()` or when the process ends.
    public final class Claim {
        private var descriptor: Int32
        init(_ descriptor: Int32) { self.descriptor = descriptor }
        /// Lets other processes take the unit.
        public func release() {
            if descriptor >= 0 {
                flock(descriptor, LOCK_UN)
                close(descriptor)
                descriptor = -1
            }
        }
        deinit { release() }
    }

    /// Claims unit `name`: nil when another process holds it and `wait` is false; with `wait`,
    /// blocks until that process is done with it (it saved the unit, or it ended).
    public func claim(_ name: String, wait: Bool) throws -> Claim? {
        let claims = (folder as NSString).appendingPathComponent(".claims")
        do { try FileManager.default.createDirectory(atPath: claims, withIntermediateDirectories: true) } catch {
            throw ExperimentError(
                .store, path: claims,
                message: """
                    cannot create the claims folder (\(SystemError.reason(error))); \
                    check the output folder's permissions
                    """
            )
        }
        let path = (claims as NSString).appendingPathComponent(name)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw ExperimentError(
                .store, path: path,
                message: """
                    cannot open the unit's claim (\(String(cString: strerror(errno)))); \
                    check the output folder's permissions
                    """
            )
        }
        while flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0 {
            if errno == EINTR { continue }
            let busy = errno == EWOULDBLOCK
            close(fd)
            if busy { return nil }
            throw ExperimentError(
                .store, path: path,
                message: """
                    cannot lock the unit's claim (\(String(cString: strerror(errno)))); \
                    is the output folder on a file system without locks?
                    """
            )
        }
        return Claim(fd)
    }

    // MARK: Parts

    /// The records of the parts that have started, in file-name order.
    public func partRecords() -> [PartRecord] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasPrefix("part-") && $0.hasSuffix(".json") }.sorted()
        return names.compactMap { name in
            FileManager.default.contents(atPath: (folder as NSString).appendingPathComponent(name))
                .flatMap { try? JSONDecoder().decode(PartRecord.self, from: $0) }
        }
    }

    /// Records that part `share` of `file` has started.
    public func recordPart(_ share: Share, file: String) throws {
        let record = PartRecord(part: share.index + 1, of: share.count, pipeline: tag, file: file)
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try AtomicFile.write(
                try Self.encode(record),
                to: (folder as NSString).appendingPathComponent("part-\(share.index + 1)-of-\(share.count).json"))
        } catch let e as FileWriteError {
            throw ExperimentError(.store, path: e.path, message: "cannot record the part: \(e.message)")
        } catch {
            throw ExperimentError(.store, path: folder, message: "cannot record the part: \(SystemError.reason(error))")
        }
    }

    /// Removes the whole store when any unit or part in it was saved by another owner (a new run
    /// of another pipeline file starts over); returns how many units that was, or nil when nothing went.
    public func discardOtherOwners() -> Int? {
        let fm = FileManager.default
        let names = (try? fm.contentsOfDirectory(atPath: folder)) ?? []
        guard !names.isEmpty else { return nil }
        let stale = names.filter { !$0.hasPrefix(".") && !$0.hasPrefix("part-") && otherTag($0) != nil }.count
        let otherParts = partRecords().filter { $0.pipeline != tag }.count
        guard stale > 0 || otherParts > 0 else { return nil }
        try? fm.removeItem(atPath: folder)
        return stale
    }

    /// Removes every saved unit (once the outputs they made are published).
    public func removeAll() {
        lock.withLock { verified.removeAll() }
        try? FileManager.default.removeItem(atPath: folder)
    }
}
