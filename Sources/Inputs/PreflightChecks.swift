import Configuration
import Foundation
import RasterIO
import Workspace

/// Checks made before a run does any work (and by `socmap validate`): the output folder can be
/// written, no input lies inside what the run replaces, and the grid and patches fit the machine.
public enum PreflightChecks {
    /// Throws the first problem; returns one line per check passed.
    @discardableResult
    public static func run(_ settings: InputSettings) throws -> [String] {
        var done: [String] = []
        try OutputFolder.checkFolder(settings.output.root)
        try checkInputsOutsideOutputs(settings)
        done.append("output folder '\(settings.output.root)' can be written and holds none of the inputs")
        let grid = try gridSize(settings)
        let estimate = memoryEstimate(settings, cells: grid.width * grid.height)
        let available = physicalMemory()
        if available > 0 && estimate.bytes > available * 8 / 10 {
            throw settings.errorAt(
                estimate.key,
                """
                the run would need about \(gigabytes(estimate.bytes)) of memory (\(estimate.what)); this \
                machine has \(gigabytes(available)). \(estimate.advice)
                """
            )
        }
        done.append(
            """
            grid of \(grid.width) x \(grid.height) cells; memory needed about \(gigabytes(estimate.bytes)) of \
            \(gigabytes(available))
            """
        )
        return done
    }

    /// Every input file (pipeline, sites, values, rasters) must lie outside the outputs the run replaces.
    static func checkInputsOutsideOutputs(_ settings: InputSettings) throws {
        let layout = settings.output
        let owned = (settings.written + [OutputLayout.control]).map { canonical(layout.path($0)) }
        var inputs: [(key: String, path: String)] = [
            ("the pipeline file", settings.file), ("sites.file", settings.sites.file)
        ]
        switch settings.profiles.source {
        case .horizons(let file, _, _): inputs.append(("profiles.horizons.file", file))
        case .intervals(let file, _): inputs.append(("profiles.intervals.file", file))
        }
        if case .raster(let path) = settings.covariates.grid { inputs.append(("covariates.grid.raster", path)) }
        for source in settings.covariates.sources { inputs.append(("covariates.files", source.path)) }
        for input in inputs {
            let path = canonical(input.path)
            for out in owned where path == out || path.hasPrefix(out + "/") {
                throw settings.errorAt(
                    input.key == "the pipeline file" ? "output" : input.key,
                    """
                    '\(input.path)' (\(input.key)) lies in '\(out)', which the run writes and replaces; move \
                    the input out of the output folder or choose another 'output'
                    """
                )
            }
        }
    }

    /// The path with symbolic links and ".." resolved as far as it exists.
    static func canonical(_ path: String) -> String {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        var existing = url
        var rest: [String] = []
        while !FileManager.default.fileExists(atPath: existing.path) && existing.path != "/" {
            rest.insert(existing.lastPathComponent, at: 0)
            existing.deleteLastPathComponent()
        }
        var resolved = existing.resolvingSymlinksInPath()
        for part in rest { resolved.appendPathComponent(part) }
        return resolved.path
    }

    /// The reference grid's size, without building the stack.
    static func gridSize(_ settings: InputSettings) throws -> (width: Int, height: Int) {
        switch settings.covariates.grid {
        case .raster(let path):
            let grid: Grid
            do { grid = try RasterDataset(path: path).grid() } catch {
                throw settings.errorAt(
                    "covariates.grid.raster",
                    "cannot use '\(path)' as the reference grid: \(error)")
            }
            return (grid.width, grid.height)
        case .explicit(_, let resolution, let e):
            do {
                return try PipelineConfig.explicitGridSize(resolution: resolution, extent: e, file: settings.file)
            } catch let e as ConfigError {
                throw settings.errorAt(e.key, e.message)
            }
        }
    }

    /// Bytes the largest stage needs, which stage that is, and what lowers it.
    static func memoryEstimate(
        _ settings: InputSettings, cells: Int
    ) -> (bytes: Int, what: String, key: String, advice: String) {
        let channels = max(1, settings.covariates.sources.count)
        let p = settings.patches.size
        let sites = csvRowCount(settings.sites.file)
        let patches = sites * channels * p * p * 4
        let stackTile = settings.covariates.tileSize * settings.covariates.tileSize * channels * 4 * 3
        var candidates: [(Int, String, String, String)] = [
            (
                patches, "\(sites) site patches of \(channels)+ channels x \(p) x \(p)", "patches.size",
                "Lower patches.size or use fewer sites or covariates."
            ),
            (
                stackTile, "stack tiles of \(settings.covariates.tileSize) cells", "covariates.tile_size",
                "Lower covariates.tile_size."
            )
        ]
        if let mapTileSize = settings.mapTileSize {
            let side = mapTileSize + p
            let widest = (settings.widestLayer ?? 128) + channels
            let tile = side * side * widest * 4 * 4
            candidates.append(
                (tile, "map tiles of \(mapTileSize) cells", "predict.tile_size", "Lower predict.tile_size."))
        }
        let top = candidates.max { $0.0 < $1.0 }!
        return (top.0 + 200_000_000, top.1, top.2, top.3)
    }

    /// Data rows of a CSV file (lines after the header), 0 when unreadable.
    static func csvRowCount(_ path: String) -> Int {
        guard let data = FileManager.default.contents(atPath: path) else { return 0 }
        return max(0, data.reduce(0) { $0 + ($1 == 10 ? 1 : 0) })
    }

    static func physicalMemory() -> Int {
        let pages = sysconf(Int32(_SC_PHYS_PAGES))
        let size = sysconf(Int32(_SC_PAGESIZE))
        return pages > 0 && size > 0 ? pages * size : 0
    }

    static func gigabytes(_ bytes: Int) -> String { String(format: "%.1f GB", Double(bytes) / 1e9) }
}
