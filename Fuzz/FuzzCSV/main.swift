// libFuzzer target: arbitrary bytes as a CSV file, read by `CSVTable(path:)` exactly as the
// tool reads a sites, horizons or intervals table. Thrown errors are fine; traps, crashes,
// hangs and leaks are findings. See Fuzz/README.md.
import Foundation
import FuzzSupport
import SoilData

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let path = FuzzInputFile.write(data, size, name: "input.csv")
    do {
        let table = try CSVTable(path: path)
        // Look every header name up again: exact, then case- and space-insensitive matching.
        for name in table.header.prefix(8) {
            _ = try? table.column(name, role: "fuzz")
            _ = try? table.column(name.uppercased() + " ", role: "fuzz")
        }
        precondition(table.rows.count == table.lines.count, "one line number per row")
        for row in table.rows { precondition(row.count == table.header.count, "rows are as wide as the header") }
    } catch {
        _ = "\(error)"  // the message a user would see must render too
    }
    return 0
}

runLibFuzzer(fuzz)
