import Configuration
import FileIO
import Foundation
import RasterIO

/// Expands the pipeline's covariate entries (files, globs, folders) into stack specs.
public enum CovariateSources {
    public static let rasterExtensions: Set<String> = ["tif", "tiff", "vrt", "img", "nc", "asc"]

    /// Every spec in order; errors name the pipeline line of an entry that matches nothing.
    public static func specs(for settings: InputSettings) throws -> [CovariateSpec] {
        var specs: [CovariateSpec] = []
        let categorical = Set(settings.covariates.categorical)
        for source in settings.covariates.sources {
            let files = try expand(source, pipeline: settings.file)
            if source.name != nil && files.count > 1 {
                throw ConfigError(
                    file: settings.file, key: "covariates.files", line: source.line, column: nil,
                    message: "'name' needs a single file, but '\(source.path)' matches \(files.count)")
            }
            for file in files {
                let name = source.name ?? URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
                var kind: CovariateKind? = source.kind.flatMap(CovariateKind.init(rawValue:))
                if categorical.contains(name) { kind = .categorical }
                specs.append(
                    CovariateSpec(name: name, path: file, band: source.band, kind: kind, nodata: source.nodata))
            }
        }
        let names = specs.map(\.name)
        for name in settings.covariates.categorical where !names.contains(name) {
            throw settings.errorAt(
                "covariates.categorical",
                "'\(name)' is not among the covariates (\(names.joined(separator: ", ")))")
        }
        return specs
    }

    /// The raster files one entry stands for, sorted by name. A path that exists is taken literally
    /// (even with `[`, `*` or `?` in its name); otherwise one with glob characters is expanded.
    static func expand(_ source: CovariateSourceConfig, pipeline: String) throws -> [String] {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        let path = source.path
        if VirtualPath.isVirtual(path) {
            // GDAL's virtual file systems: one raster, checked by opening it.
            do { _ = try RasterDataset(path: path) } catch {
                throw ConfigError(
                    file: pipeline, key: "covariates.files", line: source.line, column: nil,
                    message: """
                        GDAL cannot open the virtual file '\(path)' (\(error)); check the archive's path (relative to \
                        data_folder) and the file's path inside it, e.g. /vsizip/covariates.zip/elevation.tif
                        """)
            }
            return [path]
        }
        let exists = fm.fileExists(atPath: path)
        if !exists && (path.contains("*") || path.contains("?") || path.contains("[")) {
            let matches = glob(path).filter { rasterExtensions.contains(($0 as NSString).pathExtension.lowercased()) }
            guard !matches.isEmpty else {
                throw ConfigError(
                    file: pipeline, key: "covariates.files", line: source.line, column: nil,
                    message: "the pattern '\(path)' matches no raster file")
            }
            return matches
        }
        guard fm.fileExists(atPath: path, isDirectory: &isDir) else {
            throw ConfigError(
                file: pipeline, key: "covariates.files", line: source.line, column: nil,
                message: "raster '\(path)' does not exist; check the path (relative to the pipeline file)")
        }
        if isDir.boolValue {
            let entries: [String]
            do { entries = try fm.contentsOfDirectory(atPath: path) } catch {
                throw ConfigError(
                    file: pipeline, key: "covariates.files", line: source.line, column: nil,
                    message: """
                        cannot list the folder '\(path)': \(SystemError.reason(error)); give this user read and \
                        execute permission on it (chmod a+rx), or copy the rasters to a folder you can read
                        """)
            }
            let files = entries.filter {
                rasterExtensions.contains(($0 as NSString).pathExtension.lowercased()) && !$0.hasPrefix(".")
            }
            .sorted().map { (path as NSString).appendingPathComponent($0) }
            guard !files.isEmpty else {
                let known = rasterExtensions.sorted().map { "." + $0 }.joined(separator: ", ")
                throw ConfigError(
                    file: pipeline, key: "covariates.files", line: source.line, column: nil,
                    message: "folder '\(path)' holds no raster (\(known))")
            }
            return files
        }
        return [path]
    }

    static func glob(_ pattern: String) -> [String] {
        var g = glob_t()
        defer { globfree(&g) }
        guard Glibc.glob(pattern, 0, nil, &g) == 0 else { return [] }
        return (0..<Int(g.gl_pathc)).compactMap { g.gl_pathv[$0].map { String(cString: $0) } }.sorted()
    }
}
