import Configuration
import Foundation
import RasterIO

/// Warnings about covariates that a run goes on with, each naming the file, the value and the fix.
public enum CovariateChecks {
    /// One line per covariate that has no nodata value while its range ends on a usual nodata sentinel.
    public static func warnings(_ covariates: [Covariate], settings: InputSettings) -> [String] {
        covariates.compactMap { c in
            guard let value = c.suspectNodata else { return nil }
            let end = value == c.min ? "minimum" : "maximum"
            let file = displayPath(c.sourcePath, base: settings.baseDirectory)
            let band = c.band > 1 ? " band \(c.band)" : ""
            let text = number(value)
            var fix = "list the file in covariates.files as {path: \(file), nodata: \(text)}"
            // A file named by a folder or glob entry: that entry's nodata would apply to all its files.
            if let entry = entry(naming: c.sourcePath, settings: settings), entry.path != c.sourcePath {
                let line = entry.line.map { " (line \($0))" } ?? ""
                var isFolder: ObjCBool = false
                let folderMark =
                    FileManager.default.fileExists(atPath: entry.path, isDirectory: &isFolder) && isFolder.boolValue
                    ? "/" : ""
                let path = displayPath(entry.path, base: settings.baseDirectory)
                fix =
                    "set it on the covariates.files entry\(line) that names it: {path: \(path)\(folderMark), "
                    + "nodata: \(text)}, which applies to every file of that entry, or list the file on its own as "
                    + "{path: \(file), nodata: \(text)} and leave it out of that entry"
            }
            return "covariate '\(c.name)' (\(file)\(band)) has no nodata value and its \(end) on the grid is \(text), "
                + "a usual nodata marker: those cells are taken as data. If they are missing data, " + fix
        }
    }

    /// The first covariates.files entry whose files include `path`.
    static func entry(naming path: String, settings: InputSettings) -> CovariateSourceConfig? {
        settings.covariates.sources.first { source in
            (try? CovariateSources.expand(source, pipeline: settings.file))?.contains(path) ?? false
        }
    }

    /// The path relative to the pipeline's folder when it lies inside it.
    static func displayPath(_ path: String, base: String) -> String {
        let prefix = base.hasSuffix("/") ? base : base + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }

    /// Whole numbers plain, others in the shortest form that reads back as the same Float32.
    static func number(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e12 { return String(Int(v)) }
        return "\(Float(v))"
    }
}
