import Applicability
import Foundation

/// What the tiles of a tile folder were computed from: grid, tiling, halo, models and depths. A
/// folder whose manifest is not equal to a run's is never mixed into that run (see `TileStore`).
/// Stored as `manifest.json` in the folder; compared as values, so key order and spacing do not matter.
public struct TileManifest: Codable, Equatable, Sendable {
    /// The grid (`Grid.description`).
    public var grid: String
    /// The grid's geotransform coefficients.
    public var geotransform: [Double]
    /// Tile edge in output cells.
    public var tileSize: Int
    /// Patch edge P the model reads around each cell (2 · halo + 1).
    public var patchSize: Int
    /// Largest share of nodata in a cell's patch for the cell to be mapped.
    public var maxPatchNodata: Double
    /// The model's name, e.g. "transfer".
    public var model: String
    /// SHA-256 over the model folder (`Provenance.hash(folderAt:)`).
    public var modelSHA256: String
    /// Depth labels in layer order.
    public var depths: [String]
    /// SHA-256 over each cross-validation model's folder, in fold order (empty: no uncertainty layers).
    public var cvModelsSHA256: [String]
    /// SHA-256 over the dissimilarity index's fingerprint (nil: no DI and AOA layers).
    public var applicabilitySHA256: String?
    /// The prediction interval applied (`PredictionInterval.summary`; nil: none).
    public var interval: String?
    /// The property's valid range the depth maps are brought into (`TilePredictor.valueRange`; nil: none).
    public var valueRange: [Double]?
    /// The smearing factor per depth that moves the depth maps to the mean (`TilePredictor.smearing`; nil: none).
    public var smearing: [Double]? = nil
    /// The error profile per depth of the expected-RMSE layers (`TilePredictor.errorProfiles`; nil: none).
    public var errorProfiles: [ErrorProfile]? = nil
    /// Residual kriging's fingerprint (`ResidualKriging.summary`); nil: none.
    public var residualKriging: String? = nil

    /// The file name inside a tile folder.
    public static let fileName = "manifest.json"

    /// The manifest of a run that tiles `plan` with the model and CV models whose folder hashes are given.
    public init(
        plan: MapPlan, maxPatchNodata: Double, model: String, modelSHA256: String, depths: [String],
        cvModelsSHA256: [String], applicabilitySHA256: String? = nil, interval: String? = nil,
        valueRange: ClosedRange<Double>? = nil
    ) {
        grid = plan.grid.description
        geotransform = plan.grid.transform.coefficients
        tileSize = plan.tileSize
        patchSize = plan.patchSize
        self.maxPatchNodata = maxPatchNodata
        self.model = model
        self.modelSHA256 = modelSHA256
        self.depths = depths
        self.cvModelsSHA256 = cvModelsSHA256
        self.applicabilitySHA256 = applicabilitySHA256
        self.interval = interval
        self.valueRange = valueRange.map { [$0.lowerBound, $0.upperBound] }
    }

    enum CodingKeys: String, CodingKey {
        case grid, geotransform, model, depths, interval, smearing
        case tileSize = "tile_size"
        case patchSize = "patch_size"
        case maxPatchNodata = "max_patch_nodata"
        case modelSHA256 = "model_sha256"
        case cvModelsSHA256 = "cv_models_sha256"
        case applicabilitySHA256 = "applicability_sha256"
        case valueRange = "value_range"
        case errorProfiles = "error_profiles"
        case residualKriging = "residual_kriging"
    }

    /// The JSON text of the file (keys sorted).
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }

    /// The manifest stored in `folder`; nil when there is none. Throws when the file is not a manifest.
    public static func read(folder: String) throws -> TileManifest? {
        let path = (folder as NSString).appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        do { return try JSONDecoder().decode(TileManifest.self, from: data) } catch {
            throw MappingError(
                "the tile manifest '\(path)' is not readable (\(error))", path: path,
                hint: "Delete the tile folder or pass --overwrite")
        }
    }
}
