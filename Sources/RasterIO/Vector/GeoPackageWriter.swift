import CGDAL
import FileIO
import Foundation

/// A field of a vector layer.
public struct VectorField: Sendable, Equatable {
    /// The field's type.
    public enum Kind: Sendable, Equatable {
        /// Text.
        case string
        /// A 64-bit whole number.
        case integer
        /// A double-precision number (NaN is written as NULL).
        case real
    }

    /// The field name (e.g. "pred_transfer").
    public var name: String
    /// The field type.
    public var kind: Kind

    /// Makes a field.
    public init(_ name: String, _ kind: Kind) {
        self.name = name
        self.kind = kind
    }
}

/// One value of a feature's field; `.null` (or a non-finite `.real`) is written as NULL.
public enum VectorValue: Sendable, Equatable {
    case string(String)
    case integer(Int)
    case real(Double)
    case null
}

/// A point and its field values (in the order of the layer's fields).
public struct PointFeature: Sendable, Equatable {
    /// X in the layer's CRS.
    public var x: Double
    /// Y in the layer's CRS.
    public var y: Double
    /// One value per field of the layer.
    public var values: [VectorValue]

    /// Makes a feature.
    public init(x: Double, y: Double, values: [VectorValue]) {
        self.x = x
        self.y = y
        self.values = values
    }
}

/// Writes point layers into a new GeoPackage with GDAL's OGR API. The file is written under a
/// hidden temporary name beside `path` and renamed over it by `finish()` (FileIO.AtomicFile), so a
/// failed write leaves no half file; `abort()` (or deinit without finish) removes the temporary file.
/// The GeoPackage's timestamps are fixed (OGR_CURRENT_DATE), so the same layers give the same content.
/// Owns its dataset handle; not thread-safe.
public final class GeoPackageWriter {
    /// The final path.
    public let path: String
    /// The temporary file written until finish().
    public let temporaryPath: String
    /// The CRS of every layer.
    public let crs: CRS
    private let handle: DatasetHandle
    private let srs: SpatialReference
    private var finished = false

    /// The fixed timestamp written into the GeoPackage's metadata tables.
    static let fixedDate = "2000-01-01T00:00:00.000Z"

    /// Creates the temporary GeoPackage; throws when the folder does not exist or GDAL cannot create it.
    public init(path: String, crs: CRS) throws {
        try FinishedRaster.requireFolder(of: path, what: "GeoPackage")
        self.path = path
        self.crs = crs
        temporaryPath = AtomicFile.temporaryPath(for: path, suffix: ".gpkg")
        try? FileManager.default.removeItem(atPath: temporaryPath)
        _ = GDALRuntime.ready
        let temp = temporaryPath
        let driver = try gdal(
            RasterError(
                "GDAL has no GPKG driver", path: path,
                hint: "Install a GDAL built with SQLite (Debian's libgdal has it)")
        ) {
            GDALGetDriverByName("GPKG")
        }
        let h = try gdal(
            RasterError(
                "cannot create GeoPackage '\(path)'", path: path,
                hint: "Check that the output folder is writable and the disk has room")
        ) {
            GDALCreate(driver, temp, 0, 0, 0, GDT_Unknown, nil)
        }
        handle = DatasetHandle(h, path: path)
        srs = try SpatialReference(crs)
        try srs.useTraditionalGISAxisOrder()
    }

    deinit { abort() }

    /// Adds a point layer with its fields and features, in one transaction.
    public func addLayer(name: String, fields: [VectorField], features: [PointFeature]) throws {
        guard !finished else { throw RasterError("GeoPackage '\(path)' was used after it was finished", path: path) }
        let h = try handle.get()
        let context = { (what: String) in
            RasterError("cannot write layer '\(name)' of GeoPackage '\(self.path)': \(what)", path: self.path)
        }
        let options = CStringList(options: [("SPATIAL_INDEX", "YES"), ("FID", "fid"), ("GEOMETRY_NAME", "geom")])
        let layer = try withFixedDate {
            try gdal(context("cannot create the layer")) {
                GDALDatasetCreateLayer(h, name, try srs.get(), wkbPoint, options.pointer)
            }
        }
        for field in fields {
            let type: OGRFieldType
            switch field.kind {
            case .string: type = OFTString
            case .integer: type = OFTInteger64
            case .real: type = OFTReal
            }
            guard let definition = OGR_Fld_Create(field.name, type) else {
                throw context("cannot define field '\(field.name)'")
            }
            defer { OGR_Fld_Destroy(definition) }
            try gdal(context("cannot add field '\(field.name)'")) { OGR_L_CreateField(layer, definition, 1) }
        }
        try gdal(context("cannot start a transaction")) { OGR_L_StartTransaction(layer) }
        let layerDefinition = OGR_L_GetLayerDefn(layer)
        for (i, feature) in features.enumerated() {
            precondition(
                feature.values.count == fields.count,
                """
                GeoPackageWriter.addLayer '\(name)': feature \(i) has \
                \(feature.values.count) values for \(fields.count) fields
                """
            )
            guard let f = OGR_F_Create(layerDefinition) else { throw context("cannot make feature \(i + 1)") }
            defer { OGR_F_Destroy(f) }
            for (k, value) in feature.values.enumerated() {
                let index = Int32(k)
                switch value {
                case .string(let s): OGR_F_SetFieldString(f, index, s)
                case .integer(let n): OGR_F_SetFieldInteger64(f, index, GIntBig(n))
                case .real(let x) where x.isFinite: OGR_F_SetFieldDouble(f, index, x)
                case .real, .null: OGR_F_SetFieldNull(f, index)
                }
            }
            guard let point = OGR_G_CreateGeometry(wkbPoint) else {
                throw context("cannot make the point of feature \(i + 1)")
            }
            OGR_G_SetPoint_2D(point, 0, feature.x, feature.y)
            try gdal(context("cannot set the point of feature \(i + 1)")) { OGR_F_SetGeometryDirectly(f, point) }
            try gdal(context("cannot write feature \(i + 1)")) { OGR_L_CreateFeature(layer, f) }
        }
        try withFixedDate {
            try gdal(context("cannot commit the features")) { OGR_L_CommitTransaction(layer) }
        }
    }

    /// Closes the GeoPackage and renames it over `path`. Idempotent.
    public func finish() throws {
        guard !finished else { return }
        finished = true
        do {
            try withFixedDate { try handle.closeChecked() }
            try FinishedRaster.moveIntoPlace(temporaryPath, path, sideFile: false)
        } catch {
            removeTemporary()
            throw error
        }
    }

    /// Closes and deletes the temporary file; nothing is left at `path`. Idempotent.
    public func abort() {
        guard !finished else { return }
        finished = true
        handle.close()
        removeTemporary()
    }

    private func removeTemporary() {
        for suffix in ["", "-journal", "-wal", "-shm"] {
            try? FileManager.default.removeItem(atPath: temporaryPath + suffix)
        }
    }

    /// Runs `body` with GDAL's OGR_CURRENT_DATE set to `fixedDate` on this thread.
    private func withFixedDate<T>(_ body: () throws -> T) rethrows -> T {
        CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", Self.fixedDate)
        defer { CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", nil) }
        return try body()
    }
}
