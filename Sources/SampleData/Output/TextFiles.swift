import Foundation

/// `x` in fixed-point notation with `decimals` places, independent of locale ("-0" never appears).
func fixed(_ x: Double, _ decimals: Int) -> String {
    precondition(x.isFinite, "fixed: cannot format \(x)")
    precondition((0...9).contains(decimals), "fixed: decimals \(decimals) outside 0...9")
    var scale: Int64 = 1
    for _ in 0..<decimals { scale *= 10 }
    let scaled = Int64((x * Double(scale)).rounded())
    if scaled == 0 { return decimals == 0 ? "0" : "0." + String(repeating: "0", count: decimals) }
    let magnitude = scaled.magnitude
    let whole = magnitude / UInt64(scale), fraction = magnitude % UInt64(scale)
    var text = (scaled < 0 ? "-" : "") + String(whole)
    if decimals > 0 {
        let digits = String(fraction)
        text += "." + String(repeating: "0", count: decimals - digits.count) + digits
    }
    return text
}

/// Writes text as UTF-8 to `path` through a temporary file in the same folder and a rename.
func writeTextFile(_ text: String, to path: String) throws {
    do {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
        throw SampleDataError("cannot write '\(path)': \(error.localizedDescription)",
                              hint: "Check that the folder is writable and the disk is not full")
    }
}

/// sites.csv: site_id, lon, lat (WGS84 degrees, 6 decimals).
func sitesCSV(ids: [String], coordinates: [(lon: Double, lat: Double)]) -> String {
    var text = "site_id,lon,lat\n"
    for (id, c) in zip(ids, coordinates) {
        text += "\(id),\(fixed(c.lon, 6)),\(fixed(c.lat, 6))\n"
    }
    return text
}

/// horizons.csv: site_id, top_cm, bottom_cm, soc_gkg (NA when not measured).
func horizonsCSV(_ rows: [GeneratedHorizon]) -> String {
    var text = "site_id,top_cm,bottom_cm,soc_gkg\n"
    for r in rows {
        text += "\(r.siteID),\(r.top),\(r.bottom),\(r.soc.map { fixed($0, 2) } ?? "NA")\n"
    }
    return text
}
