import FileIO
import Foundation
import TextFormat

/// A sample-data number: `NumberText.fixed` with halves rounded away from zero, as the committed
/// files were written (the data is always finite).
func fixed(_ x: Double, _ decimals: Int) -> String { NumberText.fixed(x, decimals, rounding: .halfAwayFromZero) }

/// Writes text as UTF-8 to `path` atomically (`FileIO.AtomicFile`), naming the file on failure.
func writeTextFile(_ text: String, to path: String) throws {
    do {
        try AtomicFile.write(text, to: path)
    } catch let e as FileWriteError {
        throw SampleDataError(
            "cannot write '\(path)': \(e.message)",
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
