/// Runs `body` with an uninitialised temporary buffer of `count` floats.
@inline(__always)
func withScratch<R>(_ count: Int, _ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
    let buffer = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
    defer { buffer.deallocate() }
    return try body(buffer)
}

extension Array where Element == Float {
    /// Makes the array hold exactly `count` values, reallocating only when the count changes
    /// (values are left as they are: callers overwrite them).
    mutating func resize(to count: Int) {
        if self.count != count { self = [Float](repeating: 0, count: count) }
    }
}

/// Pointer access to a tensor's values.
extension Tensor {
    @inline(__always)
    func withPointer<R>(_ body: (UnsafePointer<Float>) throws -> R) rethrows -> R {
        try data.withUnsafeBufferPointer { try body($0.baseAddress ?? UnsafePointer(bitPattern: 8)!) }
    }

    @inline(__always)
    mutating func withMutablePointer<R>(_ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        try data.withUnsafeMutableBufferPointer { try body($0.baseAddress ?? UnsafeMutablePointer(bitPattern: 8)!) }
    }
}
