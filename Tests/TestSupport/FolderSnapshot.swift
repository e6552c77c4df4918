import Foundation

/// Every file under a folder with its bytes, to check that a run touched nothing it does not own.
public struct FolderSnapshot: Equatable, CustomStringConvertible {
    /// File contents by path relative to the folder (folders end in "/", symbolic links in "@").
    public let entries: [String: Data]

    /// Reads every file under `path`, hidden ones included, leaving out the relative paths in `excluding`
    /// (a folder's name leaves out everything below it).
    public init(_ path: String, excluding: Set<String> = []) {
        var entries: [String: Data] = [:]
        let fm = FileManager.default
        func walk(_ relative: String) {
            let full = relative.isEmpty ? path : (path as NSString).appendingPathComponent(relative)
            for name in ((try? fm.contentsOfDirectory(atPath: full)) ?? []) {
                let rel = relative.isEmpty ? name : "\(relative)/\(name)"
                if excluding.contains(rel) { continue }
                let child = (path as NSString).appendingPathComponent(rel)
                let attributes = try? fm.attributesOfItem(atPath: child)
                let type = attributes?[.type] as? FileAttributeType
                if type == .typeSymbolicLink {
                    entries[rel + "@"] = Data(((try? fm.destinationOfSymbolicLink(atPath: child)) ?? "").utf8)
                } else if type == .typeDirectory {
                    entries[rel + "/"] = Data()
                    walk(rel)
                } else {
                    entries[rel] = fm.contents(atPath: child) ?? Data("<unreadable>".utf8)
                }
            }
        }
        walk("")
        self.entries = entries
    }

    /// What differs from another snapshot: added, removed and changed paths, sorted.
    public func changes(since before: FolderSnapshot) -> [String] {
        let keys = Set(entries.keys).union(before.entries.keys).sorted()
        return keys.compactMap { key in
            switch (before.entries[key], entries[key]) {
            case (nil, _?): return "added \(key)"
            case (_?, nil): return "removed \(key)"
            case (let a?, let b?) where a != b: return "changed \(key)"
            default: return nil
            }
        }
    }

    public var description: String { entries.keys.sorted().joined(separator: "\n") }
}
