import TextFormat

/// File base names of the map products, e.g. "soc_0-5cm", "soc_0-5cm_sd", "soc_0-5cm_q05".
public enum MapNames {
    /// "<property>_<top>-<bottom>cm", e.g. base(property: "soc", top: 0, bottom: 5) = "soc_0-5cm".
    public static func base(property: String, top: Double, bottom: Double) -> String {
        precondition(bottom > top, "MapNames.base: depth \(top)-\(bottom) cm must increase")
        return "\(property)_\(NumberText.significant(top, 6))-\(NumberText.significant(bottom, 6))cm"
    }

    /// The heading of a depth, e.g. "0-5 cm".
    public static func depthTitle(top: Double, bottom: Double) -> String {
        "\(NumberText.significant(top, 6))-\(NumberText.significant(bottom, 6)) cm"
    }

    /// The CV-spread map of a depth map: "<base>_sd".
    public static func spread(_ base: String) -> String { base + "_sd" }

    /// A quantile map of a depth map: "<base>_q05" for 0.05.
    public static func quantile(_ base: String, _ p: Double) -> String {
        precondition(p > 0 && p < 1, "MapNames.quantile: \(p) must lie in (0, 1)")
        let percent = Int((p * 100).rounded())
        return base + "_q" + (percent < 10 ? "0" : "") + String(percent)
    }
}
