import Foundation

/// The checksum list of a folder of saved state (`SHA256SUMS`, in `sha256sum`'s text format, so
/// `sha256sum -c SHA256SUMS` checks it by hand): written beside the files when they are complete, and
/// verified before any of them is read back, so a damaged or edited file is never used.
public enum Checksums {
    /// The list's file name.
    public static let fileName = "SHA256SUMS"

    /// What a verification found.
    public enum Verification: Equatable, Sendable {
        /// Every listed file has its checksum.
        case intact
        /// Something differs: the reason names the first file concerned (relative to the folder).
        case damaged(String)
    }

    /// Hashes `files` (paths relative to `folder`) and writes the list into `folder` atomically.
    public static func write(in folder: String, files: [String]) throws {
        var text = ""
        for file in files {
            let path = (folder as NSString).appendingPathComponent(file)
            let hash: String
            do { hash = try SHA256Hasher.hex(fileAt: path) } catch let e as FileReadError {
                throw FileWriteError(path: e.path, step: .write, reason: e.reason)
            }
            text += "\(hash)  \(file)\n"
        }
        try AtomicFile.write(text, to: (folder as NSString).appendingPathComponent(fileName))
    }

    /// Verifies the list of `folder`: every entry a plain relative path inside it, every file present
    /// with its checksum, and `required` (relative paths) among the entries.
    public static func verify(in folder: String, required: [String] = []) -> Verification {
        check(folder, required: required).verification
    }

    /// The files the list of `folder` names, in its order, when every one verifies (`verify` says why not).
    public static func verifiedFiles(in folder: String) -> [String]? {
        let (verification, files) = check(folder, required: [])
        return verification == .intact ? files : nil
    }

    private static func check(_ folder: String, required: [String]) -> (verification: Verification, files: [String]) {
        let listPath = (folder as NSString).appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: listPath), let text = String(data: data, encoding: .utf8)
        else { return (.damaged("\(fileName) is missing or unreadable"), []) }
        var listed = Set<String>()
        var files: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) where !line.isEmpty {
            let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, parts[1].isEmpty, parts[0].count == 64, let file = parts.last.map(String.init),
                isPlainRelativePath(file)
            else { return (.damaged("\(fileName) has a malformed line"), []) }
            let path = (folder as NSString).appendingPathComponent(file)
            guard let hash = try? SHA256Hasher.hex(fileAt: path) else { return (.damaged("\(file) is missing"), []) }
            guard hash == parts[0] else { return (.damaged("\(file) does not match its checksum"), []) }
            listed.insert(file)
            files.append(file)
        }
        if let absent = required.first(where: { !listed.contains($0) }) {
            return (.damaged("\(fileName) does not list \(absent)"), [])
        }
        return (.intact, files)
    }

    /// Whether `path` is relative, without empty, "." or ".." components.
    static func isPlainRelativePath(_ path: String) -> Bool {
        !path.hasPrefix("/")
            && path.split(separator: "/", omittingEmptySubsequences: false).allSatisfy {
                !$0.isEmpty && $0 != "." && $0 != ".."
            }
    }
}
