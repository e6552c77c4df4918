import Configuration
import FileIO
import Foundation
import RasterIO

/// Builds the covariate stack on the reference grid the pipeline names.
public enum StackStage {
    static func referenceGrid(_ settings: InputSettings) throws -> ReferenceGrid {
        switch settings.covariates.grid {
        case .raster(let path):
            guard VirtualPath.isVirtual(path) || FileManager.default.fileExists(atPath: path) else {
                throw settings.errorAt(
                    "covariates.grid.raster",
                    "raster '\(path)' does not exist; check the path (relative to the pipeline file)")
            }
            return .raster(path: path)
        case .explicit(let crsText, let resolution, let e):
            let crs: CRS
            do { crs = try CRS(crsText) } catch {
                throw settings.errorAt(
                    "covariates.grid.crs",
                    "'\(crsText)' is not a CRS GDAL knows (\(error)); use e.g. EPSG:3577 or a WKT/PROJ string")
            }
            return .explicit(
                crs: crs, resolution: resolution, extent: Extent(minX: e[0], minY: e[1], maxX: e[2], maxY: e[3]))
        }
    }

    /// Checks every covariate before any cell is read: files open, orientation (north- or south-up), bands,
    /// CRSs transformable to the grid's, unique names. Used by `validate` and at the start of every run.
    public static func check(
        _ settings: InputSettings
    ) throws -> (specs: [CovariateSpec], reference: ReferenceGrid, check: CovariateStack.Check) {
        let specs = try CovariateSources.specs(for: settings)
        let reference = try referenceGrid(settings)
        return (specs, reference, try CovariateStack.check(specs: specs, reference: reference))
    }

    /// Builds the stack. With `statisticsFile` (in the output's control folder), statistics saved
    /// there by an earlier process are reused when the covariates are unchanged (said in a note),
    /// and new ones are saved there.
    public static func run(
        _ settings: InputSettings, observer: StageObserver, statisticsFile: String? = nil
    ) throws -> CovariateStack {
        observer.stageStarted("stack")
        let (specs, reference, _) = try check(settings)
        observer.note("covariates: \(specs.count) rasters")
        var saved: StackStatistics?
        if let statisticsFile, let bytes = FileManager.default.contents(atPath: statisticsFile) {
            switch StackStatistics.read(bytes) {
            case .intact(let statistics): saved = statistics
            case .damaged(let reason):
                observer.note(
                    """
                    covariate statistics: '\(statisticsFile)' is not used (\(reason)); computing them again, \
                    and the new statistics replace it
                    """
                )
            }
        }
        let stack: CovariateStack
        do {
            stack = try CovariateStack(
                specs: specs, reference: reference, tileSize: settings.covariates.tileSize, saved: saved
            ) { done, total in
                observer.progress("covariate statistics", done: done, total: total)
            }
        } catch let error as RasterError {
            throw categoricalError(error, settings: settings) ?? error
        }
        if let statisticsFile {
            if stack.reusedStatistics {
                observer.note(
                    "covariate statistics: reused from \(statisticsFile), saved by an earlier run (the "
                        + """
                        \(stack.statistics.inputs.fileCount) files the covariates are read from have the same \
                        sizes and modification times)
                        """
                )
            } else {
                try StageError.writing(into: settings.output.root, stage: .stack) {
                    try AtomicFile.write(try stack.statistics.encoded(), to: statisticsFile)
                }
            }
        }
        observer.note("grid: \(stack.grid.width) x \(stack.grid.height) cells, \(stack.channels.count) channels")
        for warning in CovariateChecks.warnings(stack.covariates, settings: settings) {
            observer.note("warning: " + warning)
        }
        return stack
    }

    /// A categorical covariate whose values are a measurement (`CovariateStack`'s "categorical covariate
    /// ... has more than 64 classes / the non-integer value ..."), as the error of the pipeline key that made
    /// it categorical: `covariates.categorical`, the entry's `kind: categorical`, or the entry itself when
    /// `kind: auto` found a class table in the band; nil for any other error.
    static func categoricalError(_ error: RasterError, settings: InputSettings) -> ConfigError? {
        guard error.message.hasPrefix("categorical covariate '"), let path = error.path, let band = error.band,
            let detail = error.message.range(of: "' has ").map({ String(error.message[$0.upperBound...]) })
        else { return nil }
        let name = String(error.message.dropFirst("categorical covariate '".count).prefix { $0 != "'" })
        let what = "covariate '\(name)' (band \(band) of '\(path)')"
        let remedy =
            "declare it continuous (kind: continuous) or reclassify it into at most "
            + "\(CovariateStack.maximumClasses) whole-number classes (e.g. with gdal_calc.py)"
        let fileName = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        for (i, source) in settings.covariates.sources.enumerated() {
            guard source.band == nil || source.band == band,
                let files = try? CovariateSources.expand(source, pipeline: settings.file), files.contains(path)
            else { continue }
            if settings.covariates.categorical.contains(source.name ?? fileName) {
                return settings.errorAt(
                    "covariates.categorical",
                    "\(what) is listed as categorical here but holds a measurement: it has \(detail); "
                        + "remove it from covariates.categorical to read it as continuous, or reclassify it into at "
                        + "most \(CovariateStack.maximumClasses) whole-number classes (e.g. with gdal_calc.py)")
            }
            let key = "covariates.files[\(i)]"
            if source.kind == CovariateKind.categorical.rawValue {
                return settings.errorAt(
                    key + ".kind",
                    "\(what) is declared kind: categorical but holds a measurement: it has \(detail); \(remedy)")
            }
            return settings.errorAt(
                key,
                "\(what) is read as categorical (kind: auto, and the band has a class table) but holds a "
                    + "measurement: it has \(detail); \(remedy)")
        }
        return nil
    }
}
