import CGDAL
import Foundation

/// GDAL's process-wide set-up: drivers registered once, lazily, and a bounded block cache.
enum GDALRuntime {
    /// GDAL's raster block cache unless GDAL_CACHEMAX says otherwise: GDAL's own default is 5 % of
    /// the machine's memory (1.2 GB on 24 GB), which a country's covariates fill, so memory grew with
    /// the grid; the stack and the maps read and write tile by tile and need about one row of tiles.
    static let defaultCacheBytes: Int64 = 256 << 20

    /// Touch this before any GDAL call: registers all drivers exactly once and bounds the cache.
    static let ready: Void = {
        GDALAllRegister()
        if getenv("GDAL_CACHEMAX") == nil { GDALSetCacheMax64(defaultCacheBytes) }
    }()

    /// The block cache's limit in force, in bytes.
    static var cacheBytes: Int64 {
        _ = ready
        return GDALGetCacheMax64()
    }
}

/// The one place where GDAL's error state is read and reset around a C call.
///
/// GDAL's handler is swapped for the quiet one while `body` runs (handlers and the last error
/// are per thread in GDAL), so nothing is printed; GDAL's message is carried in the thrown
/// `RasterError` instead.
func withGDALErrors<T>(
    _ context: @autoclosure () -> RasterError,
    failedIf failed: (T) -> Bool,
    _ body: () throws -> T
) throws -> T {
    _ = GDALRuntime.ready
    CPLPushErrorHandler(CPLQuietErrorHandler)
    defer { CPLPopErrorHandler() }
    CPLErrorReset()
    errno = 0
    let result = try body()
    let code = errno
    let type = CPLGetLastErrorType()
    let message = String(cString: CPLGetLastErrorMsg())
    CPLErrorReset()
    if failed(result) || type == CE_Fatal {
        var error = context()
        if !message.isEmpty { error.gdalMessage = message }
        if code == ENOSPC || code == EDQUOT { error.systemReason = String(cString: strerror(code)) }
        throw error
    }
    return result
}

/// Runs a GDAL call returning a handle; a NULL handle throws `context` with GDAL's message.
func gdal<Handle>(_ context: @autoclosure () -> RasterError, _ body: () throws -> Handle?) throws -> Handle {
    try withGDALErrors(context(), failedIf: { $0 == nil }, body)!
}

/// Parses WKT into an OSR handle (OSRImportFromWkt wants a movable `char **`).
func importWKT(_ wkt: String, into srs: OGRSpatialReferenceH) -> OGRErr {
    guard let copy = strdup(wkt) else { return OGRErr(OGRERR_NOT_ENOUGH_MEMORY) }
    defer { free(copy) }
    var cursor: UnsafeMutablePointer<CChar>? = copy
    return withUnsafeMutablePointer(to: &cursor) { OSRImportFromWkt(srs, $0) }
}

/// Runs a GDAL call returning CPLErr; CE_Failure or CE_Fatal throws `context` with GDAL's message.
func gdal(_ context: @autoclosure () -> RasterError, _ body: () throws -> CPLErr) throws {
    _ = try withGDALErrors(context(), failedIf: { $0 == CE_Failure || $0 == CE_Fatal }, body)
}

/// Runs an OSR call returning OGRErr; anything but OGRERR_NONE throws `context` with the message.
func gdal(_ context: @autoclosure () -> RasterError, _ body: () throws -> OGRErr) throws {
    _ = try withGDALErrors(context(), failedIf: { $0 != OGRERR_NONE }, body)
}

/// Runs a GDAL call with no status; an error reported through CPLError throws `context`.
func gdalReporting(_ context: @autoclosure () -> RasterError, _ body: () throws -> Void) throws {
    _ = GDALRuntime.ready
    var failed = false
    _ = try withGDALErrors(context(), failedIf: { failed }) {
        try body()
        let type = CPLGetLastErrorType()
        failed = type == CE_Failure || type == CE_Fatal
    }
}

/// Runs a GDAL call whose failure does not matter, keeping GDAL quiet and its error state clean.
@discardableResult
func gdalQuietly<T>(_ body: () throws -> T) rethrows -> T {
    _ = GDALRuntime.ready
    CPLPushErrorHandler(CPLQuietErrorHandler)
    defer {
        CPLErrorReset()
        CPLPopErrorHandler()
    }
    return try body()
}

/// Runs a GDAL call quietly and returns its result with GDAL's last error message ("" for none).
func gdalCapturingMessage<T>(_ body: () throws -> T) rethrows -> (T, String) {
    _ = GDALRuntime.ready
    CPLPushErrorHandler(CPLQuietErrorHandler)
    defer { CPLPopErrorHandler() }
    CPLErrorReset()
    let result = try body()
    let message = String(cString: CPLGetLastErrorMsg())
    CPLErrorReset()
    return (result, message)
}

/// Copies a C string that GDAL owns into a Swift string (nil for NULL).
func gdalString(_ pointer: UnsafePointer<CChar>?) -> String? {
    pointer.map { String(cString: $0) }
}

/// Copies a C string that we must free with CPLFree/VSIFree (nil for NULL), and frees it.
func takeGDALString(_ pointer: UnsafeMutablePointer<CChar>?) -> String? {
    guard let pointer else { return nil }
    defer { VSIFree(pointer) }
    return String(cString: pointer)
}

/// Size in bytes and modification time (whole seconds, in nanoseconds) of a file GDAL reads, including one on its virtual file
/// systems (`/vsizip/...`: the entry's size and time), by VSIStatL; nil when GDAL cannot find it.
func gdalFileStat(_ path: String) -> (bytes: Int64, modifiedNanoseconds: Int64)? {
    _ = GDALRuntime.ready
    var (bytes, modified): (Int64, Int64) = (0, 0)
    guard socmap_vsi_stat(path, &bytes, &modified) == 0 else { return nil }
    return (bytes, modified)
}
