import Foundation
import XCTest

/// Each module's README says what the module may import; the sources must import exactly that.
final class ModuleReadmeTests: XCTestCase {
    /// The repository's Sources folder, found from this file's path.
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources")

    /// Platform shims every module may use without naming them.
    static let platform: Set<String> = ["Glibc", "Darwin"]

    func testEveryModulesImports_matchItsReadme() throws {
        let fm = FileManager.default
        let modules = try fm.contentsOfDirectory(atPath: Self.sources.path)
            .filter { !$0.hasPrefix(".") && !["CGDAL", "COpenBLAS"].contains($0) }.sorted()
        XCTAssertGreaterThan(modules.count, 10, "found the modules: \(modules)")
        var known = Set(modules + ["CGDAL", "COpenBLAS"])
        known.formUnion(["Foundation", "Dispatch", "Synchronization", "Yams", "ArgumentParser", "Crypto", "XCTest"])
        for module in modules {
            let folder = Self.sources.appendingPathComponent(module)
            let readme = try String(contentsOf: folder.appendingPathComponent("README.md"), encoding: .utf8)
            guard let allowed = Self.mayImport(readme, known: known) else {
                XCTFail("\(module)/README.md has no 'May import:' line")
                continue
            }
            let imports = Self.imports(in: folder).subtracting(Self.platform)
            XCTAssertEqual(
                imports.subtracting(allowed).sorted(), [],
                "\(module) imports modules its README does not allow (README: \(allowed.sorted()))")
            XCTAssertEqual(
                allowed.subtracting(imports).sorted(), [],
                "\(module)/README.md allows modules the sources never import (imports: \(imports.sorted()))")
        }
    }

    /// The modules named in the README's "May import:" sentence (it ends at the first ". ").
    static func mayImport(_ readme: String, known: Set<String>) -> Set<String>? {
        guard let start = readme.range(of: "May import:") else { return nil }
        let paragraph = readme[start.upperBound...].split(separator: "\n", omittingEmptySubsequences: false)
            .prefix { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.joined(separator: " ")
        let sentence = paragraph.components(separatedBy: ". ").first ?? paragraph
        let words = sentence.split { !($0.isLetter || $0.isNumber) }.map(String.init)
        return Set(words.filter { known.contains($0) })
    }

    /// Modules imported by the Swift files under `folder`.
    static func imports(in folder: URL) -> Set<String> {
        var found = Set<String>()
        let files = FileManager.default.enumerator(atPath: folder.path)?.allObjects as? [String] ?? []
        for file in files where file.hasSuffix(".swift") {
            guard let text = try? String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8) else {
                continue
            }
            for line in text.split(separator: "\n") {
                let words = line.trimmingCharacters(in: .whitespaces).split(separator: " ").map(String.init)
                guard let i = words.firstIndex(of: "import"), i + 1 < words.count,
                    words[..<i].allSatisfy({ $0.hasPrefix("@") || ["public", "internal", "private"].contains($0) })
                else { continue }
                found.insert(String(words[i + 1].split(separator: ".").first ?? ""))
            }
        }
        return found
    }
}
