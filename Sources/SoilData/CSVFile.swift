import Foundation

/// Reading a CSV file's bytes with errors a user can act on, and the check that they are UTF-8 text.
enum CSVFile {
    /// The file's bytes; a missing path, a folder or an unreadable file is an error naming the path.
    static func read(_ path: String) throws -> [UInt8] {
        func fail(_ why: String) -> SoilDataError {
            SoilDataError(.unreadableFile, path: path, message: "cannot read \(path): \(why)")
        }
        let fm = FileManager.default
        var isFolder: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw fail("no such file; check the path (relative paths are relative to the pipeline file)")
        }
        if isFolder.boolValue { throw fail("it is a folder, not a file; give the path of the CSV file inside it") }
        guard fm.isReadableFile(atPath: path) else {
            throw fail("permission denied; make the file readable (e.g. chmod a+r) or copy it somewhere readable")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw fail("the file could not be opened; check that it is a regular file you may read")
        }
        defer { try? handle.close() }
        do {
            return [UInt8](try handle.readToEnd() ?? Data())
        } catch {
            let reason = (error as NSError).userInfo[NSUnderlyingErrorKey].flatMap { $0 as? NSError }
                .flatMap { $0.domain == NSPOSIXErrorDomain ? String(cString: strerror(Int32($0.code))) : nil }
            throw fail("reading failed (\(reason ?? "I/O error")); check that it is a regular file you may read")
        }
    }

    /// Throws unless `bytes` are UTF-8 text (a leading UTF-8 byte-order mark is fine) without NUL bytes.
    static func checkEncoding(_ bytes: [UInt8], path: String) throws {
        let advice =
            "save it as UTF-8 (e.g. in Excel 'CSV UTF-8', in LibreOffice choose the character set "
            + "'Unicode (UTF-8)', or run iconv -f <encoding> -t UTF-8)"
        func fail(_ found: String, line: Int? = nil) -> SoilDataError {
            SoilDataError(
                .badEncoding, path: path, line: line,
                message:
                    "\(path)\(line.map { " line \($0)" } ?? "") is \(found), not UTF-8: \(advice)")
        }
        let b = bytes
        if b.count >= 4, b[0] == 0xFF, b[1] == 0xFE, b[2] == 0, b[3] == 0 {
            throw fail("UTF-32 little-endian text (byte-order mark FF FE 00 00)")
        }
        if b.count >= 4, b[0] == 0, b[1] == 0, b[2] == 0xFE, b[3] == 0xFF {
            throw fail("UTF-32 big-endian text (byte-order mark 00 00 FE FF)")
        }
        if b.count >= 2, b[0] == 0xFF, b[1] == 0xFE { throw fail("UTF-16 little-endian text (byte-order mark FF FE)") }
        if b.count >= 2, b[0] == 0xFE, b[1] == 0xFF { throw fail("UTF-16 big-endian text (byte-order mark FE FF)") }
        func line(at offset: Int) -> Int { b[..<offset].reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) } }
        if let nul = b.firstIndex(of: 0) {
            let order = nul % 2 == 1 ? "little" : "big"
            throw fail(
                "UTF-16 \(order)-endian text without a byte-order mark, or a binary file (it holds NUL bytes)",
                line: line(at: nul))
        }
        var iterator = b.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar): offset += scalar.count
            case .emptyInput: return
            case .error(let length):
                let shown = b[offset..<min(b.count, offset + max(1, length))].map { String(format: "%02X", $0) }.joined(
                    separator: " ")
                throw fail(
                    "in another encoding (byte \(shown) is not UTF-8; perhaps Latin-1 or Windows-1252)",
                    line: line(at: offset))
            }
        }
    }
}
