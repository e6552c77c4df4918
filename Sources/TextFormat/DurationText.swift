import Foundation

/// Durations for people: a clock face such as "4:05" or "1:02:09".
public enum DurationText {
    /// "m:ss" below an hour, "h:mm:ss" above; "--:--" when unknown or negative.
    public static func clock(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "--:--" }
        let s = Int(seconds.rounded())
        return s >= 3600
            ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }

    /// A duration in words for reports: "0.4 s", "42 s", "4 min 12 s", "2 h 05 min"; "unknown"
    /// when not finite or negative.
    public static func words(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "unknown" }
        if seconds < 9.95 { return String(format: "%.1f s", seconds) }
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s) s" }
        if s < 3600 { return "\(s / 60) min \(s % 60) s" }
        let minutes = Int((seconds / 60).rounded())
        return String(format: "%d h %02d min", minutes / 60, minutes % 60)
    }
}
