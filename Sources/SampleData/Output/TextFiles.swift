import FileIO
import Foundation
import TextFormat

/// Writes text as UTF-8 to `path` atomically (`FileIO.AtomicFile`), naming the file on failure.
func writeTextFile(_ text: String, to path: String) throws {
    do {
        try AtomicFile.write(text, to: path)
    } catch let e as FileWriteError {
        throw SampleDataError("cannot write '\(path)': \(e.message)",
                              hint: "Check that the folder is writable and the disk is not full")
    }
}

/// sites.csv: site_id, lon, lat (WGS84 degrees, 6 decimals).
func sitesCSV(ids: [String], coordinates: [(lon: Double, lat: Double)]) -> String {
    var text = "site_id,lon,lat\n"
    for (id, c) in zip(ids, coordinates) {
        text += "\(id),\(NumberText.fixed(c.lon, 6)),\(NumberText.fixed(c.lat, 6))\n"
    }
    return text
}

/// horizons.csv: site_id, top_cm, bottom_cm, soc_gkg (NA when not measured).
func horizonsCSV(_ rows: [GeneratedHorizon]) -> String {
    var text = "site_id,top_cm,bottom_cm,soc_gkg\n"
    for r in rows {
        text += "\(r.siteID),\(r.top),\(r.bottom),\(r.soc.map { NumberText.fixed($0, 2) } ?? "NA")\n"
    }
    return text
}
