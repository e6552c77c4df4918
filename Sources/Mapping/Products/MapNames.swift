import TextFormat

/// File base names of the map products, e.g. "soc_0-5cm", "soc_0-5cm_cv_sd", "soc_0-5cm_q05".
public enum MapNames {
    /// The map of a depth interval: "<name>_<label>", e.g. depthMap(name: "soc", depthLabel: "0-5cm") = "soc_0-5cm".
    public static func depthMap(name: String, depthLabel: String) -> String { "\(name)_\(depthLabel)" }

    /// The heading of a depth label, e.g. "0-5 cm" for "0-5cm".
    public static func depthTitle(label: String) -> String { label.replacingOccurrences(of: "cm", with: " cm") }

    /// A set's contact sheet: "<prefix>_contact_sheet.png", e.g. "soc_contact_sheet.png", "soc_sd_contact_sheet.png".
    public static func contactSheet(_ prefix: String) -> String { prefix + "_contact_sheet.png" }

    /// The QGIS project's base name: "<name>_maps" (the file is "<name>_maps.qgs").
    public static func project(_ name: String) -> String { name + "_maps" }

    /// "<property>_<top>-<bottom>cm", e.g. base(property: "soc", top: 0, bottom: 5) = "soc_0-5cm".
    public static func base(property: String, top: Double, bottom: Double) -> String {
        precondition(bottom > top, "MapNames.base: depth \(top)-\(bottom) cm must increase")
        return "\(property)_\(NumberText.significant(top, 6))-\(NumberText.significant(bottom, 6))cm"
    }

    /// The heading of a depth, e.g. "0-5 cm".
    public static func depthTitle(top: Double, bottom: Double) -> String {
        "\(NumberText.significant(top, 6))-\(NumberText.significant(bottom, 6)) cm"
    }

    /// The map of the CV models' spread (SD) of a depth map: "<base>_cv_sd".
    public static func spread(_ base: String) -> String { base + "_cv_sd" }

    /// A quantile map of a depth map: "<base>_q05" for 0.05, "<base>_q02p5" for 0.025
    /// (`TextFormat.QuantileText`).
    public static func quantile(_ base: String, _ p: Double) -> String { base + "_" + QuantileText.name(p) }

    /// The uncertainty map of a depth map, (upper − lower) / median of its interval: "<base>_uncertainty".
    public static func uncertainty(_ base: String) -> String { base + "_uncertainty" }

    /// The expected RMSE map of a depth map, from the DI's error profile: "<base>_expected_rmse".
    public static func expectedError(_ base: String) -> String { base + "_expected_rmse" }

    /// The dissimilarity index map of a prediction: "<name>_di" (one for all depths).
    public static func dissimilarity(_ name: String) -> String { name + "_di" }

    /// The area-of-applicability mask of a prediction: "<name>_aoa" (one for all depths).
    public static func applicability(_ name: String) -> String { name + "_aoa" }

    /// The map of the adjacent depth pairs that rise with depth: "<name>_depth_inversions" (one for all depths).
    public static func depthInversions(_ name: String) -> String { name + "_depth_inversions" }

    /// The SOC stock map of a depth label: "<name>_stock_<label>", e.g. "soc_stock_0-30cm"; "<name>_stock"
    /// without a label (the prefix of the stock maps' contact sheets).
    public static func stock(_ name: String, depthLabel: String?) -> String {
        depthLabel.map { "\(name)_stock_\($0)" } ?? name + "_stock"
    }
}
