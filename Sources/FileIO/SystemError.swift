import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Readable reasons for file-system errors: Foundation's errors carry the system's reason
/// (errno) inside, but print as "NSCocoaErrorDomain error 512"; this gives "Not a directory".
public enum SystemError {
    /// The system's reason behind `error` ("No such file or directory", "Permission denied", ...).
    public static func reason(_ error: Error) -> String {
        if let e = error as? POSIXError { return String(cString: strerror(e.code.rawValue)) }
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? Error { return reason(underlying) }
        if ns.domain == NSCocoaErrorDomain {
            switch CocoaError.Code(rawValue: ns.code) {
            case .fileNoSuchFile, .fileReadNoSuchFile: return "No such file or directory"
            case .fileReadNoPermission, .fileWriteNoPermission: return "Permission denied"
            case .fileWriteFileExists: return "File exists"
            case .fileWriteOutOfSpace: return "No space left on device"
            case .fileWriteVolumeReadOnly: return "Read-only file system"
            case .fileReadCorruptFile: return "the file is damaged or in an unknown format"
            case .fileReadInapplicableStringEncoding: return "the text is not in the expected encoding (UTF-8)"
            default: break
            }
        }
        return ns.localizedDescription
    }

    /// The path Foundation names in `error`, if any.
    public static func path(_ error: Error) -> String? {
        let info = (error as NSError).userInfo
        return info[NSFilePathErrorKey] as? String ?? (info[NSURLErrorKey] as? URL)?.path
    }

    /// Whether `error` is one of Foundation's own (whose description a user should never see).
    public static func isFoundationError(_ error: Error) -> Bool {
        let domain = (error as NSError).domain
        return error is CocoaError || domain == NSCocoaErrorDomain || domain == NSPOSIXErrorDomain
    }
}
