import FileIO
import Foundation

/// Where a map came from, written into every map file's metadata so a map can be traced to the
/// pipeline file, the trained model and the software that made it.
public struct Provenance: Sendable, Equatable {
    /// SHA-256 (hex) of the pipeline file's bytes.
    public var pipelineHash: String
    /// SHA-256 (hex) over the model folder (see `hash(folderAt:)`).
    public var modelHash: String
    /// Covariate names in stack order.
    public var covariates: [String]
    /// Cross-validation scores of a map whose depth has no entry in `cvScoresByDepth`, e.g.
    /// `Provenance.notEvaluated`.
    public var cvScores: String
    /// Cross-validation scores per depth label (`Key.depth`, e.g. "0-5cm"), as short text, e.g.
    /// "0-5cm: R2=0.41 RMSE=11.2 ... (transfer, 5-fold CV of randomly grouped sites, seed 2025)".
    public var cvScoresByDepth: [String: String]
    /// SHA-256 (hex) of the evaluation/metrics.json the scores come from, which identifies the
    /// cross-validation run; `Provenance.notEvaluated` when there was none.
    public var cvMetricsHash: String
    /// SOCMap's version, e.g. "0.4.0".
    public var softwareVersion: String
    /// Further items (e.g. "SOCMAP_DEPTH": "0-5 cm"); keys must be metadata-safe (no '=' or spaces).
    public var extra: [String: String]

    /// Metadata keys, in the files and in `metadata`.
    public enum Key {
        /// SHA-256 of the pipeline file.
        public static let pipelineHash = "SOCMAP_PIPELINE_SHA256"
        /// SHA-256 over the model folder.
        public static let modelHash = "SOCMAP_MODEL_SHA256"
        /// Comma-separated covariate names.
        public static let covariates = "SOCMAP_COVARIATES"
        /// Cross-validation scores text of the map's depth.
        public static let cvScores = "SOCMAP_CV_SCORES"
        /// SHA-256 of the metrics.json the scores come from (the evaluation run), or "not evaluated".
        public static let cvMetricsHash = "SOCMAP_CV_METRICS_SHA256"
        /// SOCMap's version.
        public static let softwareVersion = "SOCMAP_VERSION"
        /// The TIFF Software tag (GDAL writes this metadata item as the tag).
        public static let software = "TIFFTAG_SOFTWARE"
        /// The model's name, e.g. "transfer" (an `extra` item).
        public static let model = "SOCMAP_MODEL"
        /// A combined model's members and weights per depth, e.g. "equal: 0-5cm transfer 0.50 rf 0.50; ..." (an
        /// `extra` item).
        public static let combination = "SOCMAP_COMBINATION"
        /// Residual kriging's neighbours and variogram per depth, e.g. "32 neighbours; 0-5cm: spherical nugget ..."
        /// (an `extra` item).
        public static let residualKriging = "SOCMAP_RESIDUAL_KRIGING"
        /// The mapped property, e.g. "SOC" (an `extra` item).
        public static let property = "SOCMAP_PROPERTY"
        /// The depth interval a map shows, e.g. "0-5cm" (set per map file).
        public static let depth = "SOCMAP_DEPTH"
        /// How many lower interval bounds were raised to the property's lowest value, per depth (an `extra` item).
        public static let intervalLowerLimit = "SOCMAP_INTERVAL_LOWER_LIMIT"
        /// How many upper interval bounds were lowered to the property's highest value, per depth (an `extra` item).
        public static let intervalUpperLimit = "SOCMAP_INTERVAL_UPPER_LIMIT"
        /// What the depth maps hold: the mean or the median, and how a log1p model's was made (an `extra` item).
        public static let statistic = "SOCMAP_STATISTIC"
        /// How many mapped cells have no uncertainty (their Q50 is not above 0), per depth (an `extra` item).
        public static let undefinedUncertainty = "SOCMAP_UNDEFINED_UNCERTAINTY"
        /// How many depth-map cells were brought into the property's valid range, per depth (an `extra` item).
        public static let valueRange = "SOCMAP_VALUE_RANGE"
    }

    /// `cvScores` of a model that was not cross-validated.
    public static let notEvaluated = "not evaluated"

    /// Creates provenance from its parts.
    public init(
        pipelineHash: String, modelHash: String, covariates: [String], cvScores: String,
        cvScoresByDepth: [String: String] = [:], cvMetricsHash: String = Provenance.notEvaluated,
        softwareVersion: String,
        extra: [String: String] = [:]
    ) {
        self.pipelineHash = pipelineHash
        self.modelHash = modelHash
        self.covariates = covariates
        self.cvScores = cvScores
        self.cvScoresByDepth = cvScoresByDepth
        self.cvMetricsHash = cvMetricsHash
        self.softwareVersion = softwareVersion
        self.extra = extra
    }

    /// Hashes the pipeline file and the model folder and takes the rest as given.
    public init(
        pipelineFile: String, modelFolder: String, covariates: [String], cvScores: String,
        cvScoresByDepth: [String: String] = [:], cvMetricsHash: String = Provenance.notEvaluated,
        softwareVersion: String,
        extra: [String: String] = [:]
    ) throws {
        self.init(
            pipelineHash: try SHA256Hasher.hex(fileAt: pipelineFile), modelHash: try Self.hash(folderAt: modelFolder),
            covariates: covariates, cvScores: cvScores, cvScoresByDepth: cvScoresByDepth, cvMetricsHash: cvMetricsHash,
            softwareVersion: softwareVersion, extra: extra)
    }

    /// The items for `COG.write(metadata:)` of a map that shows no single depth: the keys in `Key`
    /// plus `extra`, with `cvScores`.
    public var metadata: [String: String] { metadata(depth: nil) }

    /// The items for the map of `depth` (a depth label): as `metadata`, plus `Key.depth`, and that
    /// depth's own scores from `cvScoresByDepth` (`cvScores` when it has none).
    public func metadata(depth: String?) -> [String: String] {
        var items = extra
        items[Key.pipelineHash] = pipelineHash
        items[Key.modelHash] = modelHash
        items[Key.covariates] = covariates.joined(separator: ",")
        items[Key.cvScores] = depth.flatMap { cvScoresByDepth[$0] } ?? cvScores
        items[Key.cvMetricsHash] = cvMetricsHash
        items[Key.softwareVersion] = softwareVersion
        items[Key.software] = "SOCMap \(softwareVersion)"
        if let depth { items[Key.depth] = depth }
        return items
    }

    /// SHA-256 (hex) over every regular file under `path`, in sorted relative-path order (byte order
    /// of the UTF-8 path, '/' separated, hidden files included): for each file the hash takes its
    /// relative path's length (8 bytes, big-endian) and bytes, then its size (8 bytes) and content.
    /// The same folder copied elsewhere gives the same hash; renaming or editing any file changes it.
    /// The folder's checksum list (`SHA256SUMS` at its top, `FileIO.Checksums`) is left out: it only
    /// restates the files, and models saved before it existed keep their hash.
    public static func hash(folderAt path: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw MappingError(
                "model folder '\(path)' does not exist", path: path,
                hint: "Train the model first or check the model path in the pipeline file")
        }
        guard let enumerator = FileManager.default.enumerator(atPath: path) else {
            throw MappingError("cannot list the model folder '\(path)'", path: path)
        }
        var files: [String] = []
        while let relative = enumerator.nextObject() as? String {
            let full = (path as NSString).appendingPathComponent(relative)
            let attributes = try? FileManager.default.attributesOfItem(atPath: full)
            if attributes?[.type] as? FileAttributeType == .typeRegular, relative != Checksums.fileName {
                files.append(relative)
            }
        }
        files.sort { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        var hash = SHA256Hasher()
        for relative in files {
            let full = (path as NSString).appendingPathComponent(relative)
            let size = (try? FileManager.default.attributesOfItem(atPath: full)[.size] as? NSNumber)?.uint64Value ?? 0
            hash.update(uint64: UInt64(relative.utf8.count))
            hash.update(relative)
            hash.update(uint64: size)
            try hash.update(fileAt: full)
        }
        return hash.hexDigest()
    }
}
