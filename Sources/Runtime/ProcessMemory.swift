import Foundation

/// The process's resident memory as Linux reports it in /proc/self/status, and a fresh start of its
/// peak, so that a stage's own peak can be measured (`socmap bench china`).
public enum ProcessMemory {
    /// Peak resident set size in bytes since the process started or the last `resetPeak()` (VmHWM);
    /// 0 where /proc is missing.
    public static func peak() -> Int { statusField("VmHWM") }

    /// Resident set size in bytes now (VmRSS); 0 where /proc is missing.
    public static func current() -> Int { statusField("VmRSS") }

    /// Starts a new peak at the current resident size (writes "5" to /proc/self/clear_refs, Linux 4.0
    /// and later); false where the kernel refuses, and then `peak()` keeps counting from the start.
    @discardableResult
    public static func resetPeak() -> Bool {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        do { try handle.write(contentsOf: Data("5".utf8)) } catch { return false }
        return true
    }

    /// A "Name:   123 kB" line of /proc/self/status in bytes.
    static func statusField(_ name: String) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix(name + ":") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count >= 2, let kB = Int(fields[1]) { return kB * 1024 }
        }
        return 0
    }
}
