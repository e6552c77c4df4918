import Foundation

/// Durations for people: a clock face such as "4:05" or "1:02:09".
public enum DurationText {
    /// "m:ss" below an hour, "h:mm:ss" above; "--:--" when unknown or negative.
    public static func clock(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "--:--" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
